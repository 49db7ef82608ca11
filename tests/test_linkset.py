"""The symbols a module's own build defines (codemod.linkset)."""
from __future__ import annotations

from pathlib import Path

from codemod import linkset
from codemod.buildconstraint import Target
from codemod.model import parse_go_mod

AMD64 = Target("1.23", "linux", "amd64")
ARM64 = Target("1.23", "linux", "arm64")


def _module(root: Path, files: dict[str, str]):
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    mod = parse_go_mod(root / "go.mod", (root / "go.mod").read_text())
    return linkset.scan(root, mod, lambda p: p.read_bytes() if p.exists() else None)


def test_pushes_variables_and_assembly_define_symbols(tmp_path):
    syms = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "a/a.go": 'package a\n\nimport _ "unsafe"\n\n//go:linkname f runtime.getgp\nfunc f() int { return 1 }\n\n'
                  '//go:linkname g other.g\nfunc g() int\n\n//go:linkname v shared.counter\nvar v int\n',
        "a/asm_amd64.s": "#include \"textflag.h\"\n\nTEXT ·getg(SB), NOSPLIT, $0-8\n\tRET\n"
                         "TEXT runtime\u2215debug·hook(SB), NOSPLIT, $0\n\tRET\n",
        "a/x_test.go": 'package a\n\nimport _ "unsafe"\n\n//go:linkname h lib.h\nfunc h() {}\n',
        "b/b.go": '//go:build tagx\n\npackage b\n\nimport _ "unsafe"\n\n//go:linkname f lib.tagged\nfunc f() {}\n',
        "nested/go.mod": "module example.com/n\n",
        "nested/n.go": 'package n\n\nimport _ "unsafe"\n\n//go:linkname f lib.nested\nfunc f() {}\n',
        "vendor/example.org/dep/d.s": "TEXT ·asm(SB), 0, $0\n\tRET\n",
        "testdata/t.go": 'package t\n\nimport _ "unsafe"\n\n//go:linkname f lib.testdata\nfunc f() {}\n',
    })
    assert syms.defines("runtime.getgp", AMD64)
    assert not syms.defines("other.g", AMD64)  # a pull defines nothing
    assert [d.how for d in syms.definitions["shared.counter"]] == ["var"]
    assert syms.defines("example.com/m/a.getg", AMD64) and not syms.defines("example.com/m/a.getg", ARM64)
    assert syms.defines("runtime/debug.hook", AMD64)
    assert not syms.defines("lib.h", AMD64) and syms.defines("lib.h", AMD64, for_test=True)
    assert not syms.defines("lib.tagged", AMD64) and syms.defines("lib.tagged", AMD64, {"tagx"})
    assert "lib.nested" not in syms.definitions and "lib.testdata" not in syms.definitions
    assert syms.defines("example.org/dep.asm", AMD64)


def test_std_defines_per_release():
    nanotime = [Target(r, "linux", "amd64") for r in ("1.21", "1.27")]
    assert linkset.std_defines("runtime.nanotime", nanotime) == nanotime
    assert linkset.std_defines("runtime.getgp", nanotime) == []
    assert linkset.std_defines("routine.isNil", nanotime) == []
    assert linkset.std_defines("runtime.cheaprand", nanotime) == nanotime[1:]


def test_an_initialized_variable_is_a_definition_with_contents(tmp_path):
    # purego's fakecgo: ``var _cgo_libc_setegid = &trampoline`` named syscall.cgo_libc_setegid.
    syms = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "a.go": 'package a\n\nimport "unsafe"\n\nvar tramp byte\n\n'
                '//go:linkname hook syscall.cgo_libc_setegid\nvar hook = unsafe.Pointer(&tramp)\n\n'
                '//go:linkname flag runtime.iscgo\nvar flag bool = true\n\n'
                '//go:linkname plain runtime.ncpu\nvar plain int32\n',
    })
    assert [d.how for d in syms.definitions["syscall.cgo_libc_setegid"]] == ["data"]
    assert [d.how for d in syms.definitions["runtime.iscgo"]] == ["data"]
    assert [d.how for d in syms.definitions["runtime.ncpu"]] == ["var"]


def test_an_initialized_variable_is_no_pull_to_any_rule(tmp_path):
    from codemod import engine
    from codemod.rule import Options
    from rules import select

    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.21\n")
    (tmp_path / "a.go").write_text(
        'package a\n\nimport "unsafe"\n\nvar tramp byte\n\n'
        '//go:linkname hook syscall.cgo_libc_setegid\nvar hook = unsafe.Pointer(&tramp)\n\n'
        '//go:linkname flag runtime.iscgo\nvar flag bool = true\n\n'
        '//go:linkname nothere runtime.noSuchVariable\nvar nothere = 1\n\n'
        '//go:linkname plain syscall.cgo_libc_setegid\nvar plain unsafe.Pointer\n')
    found = engine.run([str(tmp_path)], select(), Options()).findings
    # Only the declaration without an initializer pulls (and the 1.23+ linker refuses it).
    assert [(f.rule, f.span.line) for f in found] == [("LN106", 16)]


def test_bare_symbols_come_from_assembly_cgo_imports_and_pushes(tmp_path):
    # A symbol with no package path is what assembly without a middle dot, a cgo import and a
    # push under a bare name define; C sources and cgo files may define any such name.
    syms = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "a/tramp_amd64.s": "#include \"textflag.h\"\n\nTEXT tramp_entry(SB), NOSPLIT, $0-0\n\tRET\n"
                           "GLOBL tramp_table(SB), RODATA, $8\nTEXT ·local(SB), NOSPLIT, $0\n\tRET\n",
        "a/dl.go": 'package a\n\nimport _ "unsafe"\n\n//go:cgo_import_dynamic libc_open open "libc.so.6"\n'
                   '//go:cgo_import_static x_hook\n\n//go:linkname entry bare_entry\nfunc entry() int { return 1 }\n'
                   '\n//go:linkname pulled nowhere_defined\nfunc pulled() int\n',
        "plain/p.go": "package plain\n\nvar names = []string{\n\t\"C\",\n}\n",
        "b/dl.go": '//go:build arm64\n\npackage b\n\n//go:cgo_import_dynamic libc_arm_only arm_only "libc.so.6"\n',
    })
    assert syms.defines("libc_arm_only", ARM64) and not syms.defines("libc_arm_only", AMD64)
    assert syms.defines("tramp_entry", AMD64) and not syms.defines("tramp_entry", ARM64)
    assert syms.defines("tramp_table", AMD64)
    assert "local" not in syms.definitions  # ·local is example.com/m/a.local
    assert syms.defines("example.com/m/a.local", AMD64)
    assert [d.how for d in syms.definitions["libc_open"]] == ["cgo"]
    assert syms.defines("x_hook", ARM64)
    assert [d.how for d in syms.definitions["bare_entry"]] == ["body"]
    assert "nowhere_defined" not in syms.definitions  # a bodiless pull defines nothing
    assert syms.foreign == set()  # a "C" string in a list is no cgo import


def test_c_sources_syso_and_cgo_files_are_foreign(tmp_path):
    syms = _module(tmp_path, {
        "go.mod": "module example.com/m\n\ngo 1.21\n",
        "c/helper.c": "int helper(void) { return 1; }\n",
        "s/blob_linux_amd64.syso": "",
        "g/g.go": 'package g\n\n// int twice(int x) { return 2 * x; }\nimport "C"\n',
        "h/h.go": 'package h\n\nimport (\n\t"C"\n\t"fmt"\n)\n\nvar _ = fmt.Sprint\n',
        "plain/p.go": "package plain\n",
    })
    assert {p.name for p in syms.foreign} == {"c", "s", "g", "h"}
