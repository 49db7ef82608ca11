"""codemod.abi: ABI shapes of signatures, from tree-sitter parses."""
from __future__ import annotations

from pathlib import Path

import pytest

from codemod import abi
from codemod.model import parse_file

W = abi.Leaf(8, "int")


def shape(text, goarch="amd64", resolve=None):
    return abi.shape_of_text(text, resolve or (lambda n: None), goarch)


@pytest.mark.parametrize("a, b", [
    ("func(p unsafe.Pointer, h, s uintptr) uintptr", "func(x *byte, y uint, z int) int"),  # names, pointer spelling
    ("func(m map[string]int, c chan int, f func())", "func(a, b, c unsafe.Pointer)"),  # pointer-shaped kinds
    ("func(s string)", "func(p *byte, n int)"),  # a string is two words
    ("func(b []byte)", "func(p unsafe.Pointer, n, c int)"),  # a slice three
    ("func(e error)", "func(a any)"),  # interfaces are two words
    ("func(x struct{ a, b int32 })", "func(a int32, b uint32)"),  # structs expand
    ("func(x [2]uint16)", "func(a, b uint16)"),  # small arrays expand
    ("func() (sec int64, nsec int32, mono int64)", "func() (int64, int32, int64)"),
    ("func(c complex128)", "func(re, im float64)"),
    ("func(v ...int)", "func(v []int)"),
])
def test_same_shape(a, b):
    assert shape(a) is not None and shape(a) == shape(b)


@pytest.mark.parametrize("a, b", [
    ("func() int", "func()"),  # procUnpin() int against the runtime's procUnpin()
    ("func() (uint32, error)", "func() uint32"),  # fastrand with an error result
    ("func(p unsafe.Pointer, h uintptr) uintptr", "func(p unsafe.Pointer, h, s uintptr) uintptr"),  # memhash
    ("func(x int32)", "func(x int64)"),  # size
    ("func(x float64)", "func(x uint64)"),  # register class
    ("func(a int32, b int64)", "func(a int64, b int32)"),  # order
])
def test_different_shape(a, b):
    sa, sb = shape(a), shape(b)
    assert sa is not None and sb is not None and sa != sb
    assert abi.differences(sa, sb)


def test_word_size_depends_on_the_port():
    assert shape("func(x int)", "amd64") == shape("func(x int64)", "amd64")
    assert shape("func(x int)", "386") != shape("func(x int64)", "386")
    assert shape("func(x uintptr)", "arm") == shape("func(x uint32)", "arm")


def test_unknown_named_types_make_the_shape_unknown():
    assert shape("func(gp *g, reason waitReason)") is None
    assert shape("func(t Time)") is None
    assert shape("func(gp *g, t *Time)") is not None  # pointers are known whatever they point to
    assert shape("func(d time.Duration)") == shape("func(d int64)")


def test_resolver_follows_local_type_declarations():
    f = parse_file(Path("a.go"), b"package a\n\ntype hash uintptr\ntype pair struct{ a, b hash }\n")
    resolve = abi.package_type_resolver([f])
    assert shape("func(p pair) hash", resolve=resolve) == shape("func(a, b uintptr) uintptr")


def test_receiver_counts_as_first_parameter():
    assert shape("func (t *Time) unixSec() int64") == shape("func(t unsafe.Pointer) int64")


def test_shape_of_decl_reads_the_file_tree():
    f = parse_file(Path("a.go"), b"package a\n\nfunc fastrand() (uint32, error)\n")
    decl = f.declaration("fastrand")
    assert abi.shape_of_decl(f.source, decl.node) == shape("func() (uint32, error)")


def test_garbage_is_not_a_shape():
    assert shape("not a signature") is None


def test_results_of_text_reads_the_result_list():
    from codemod.abi import results_of_text

    named = results_of_text("func() (sec int64, nsec int32, mono int64)")
    assert named.text == "(sec int64, nsec int32, mono int64)"
    assert named.type_names == {"int64", "int32"} and not named.qualified
    assert results_of_text("func(p unsafe.Pointer) unsafe.Pointer").qualified
    assert results_of_text("func()").text == ""
