"""Edits and the fixed point: overlapping edits never corrupt a file (one wins, the other is
re-evaluated in a further pass), and a run that does not converge says so and writes nothing."""
from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from codemod import cli, engine
from codemod.edits import CreateFile, DeleteFile, Fix, Safety, TextEdit, apply_text_edits, conflicts, merge
from codemod.findings import Severity
from codemod.model import Span, parse_file
from codemod.rule import FixAvailability, Options, Rule

P = Path("f.go")


def edit(start: int, end: int, text: str = "", path: Path = P) -> TextEdit:
    return TextEdit(path, start, end, text)


def fix(*edits) -> Fix:
    return Fix("test", Safety.SAFE, tuple(edits))


# ------------------------------------------------------------------------------------ merge

def test_disjoint_and_adjacent_replacements_do_not_conflict():
    assert not conflicts(edit(0, 5), edit(5, 10))
    assert not conflicts(edit(0, 5), edit(6, 10))
    assert not conflicts(edit(0, 5), edit(0, 5, path=Path("g.go")))


def test_overlapping_replacements_conflict():
    assert conflicts(edit(0, 5), edit(4, 10))
    assert conflicts(edit(2, 3), edit(0, 10))


def test_insertions_conflict_at_the_same_point_or_inside_a_replacement():
    assert conflicts(edit(3, 3, "a"), edit(3, 3, "b"))  # which goes first would be a guess
    assert conflicts(edit(3, 3, "a"), edit(0, 5))
    assert conflicts(edit(5, 5, "a"), edit(0, 5))  # at either boundary too
    assert conflicts(edit(0, 0, "a"), edit(0, 5))
    assert not conflicts(edit(3, 3, "a"), edit(4, 4, "b"))
    assert not conflicts(edit(6, 6, "a"), edit(0, 5))


def test_create_and_delete_conflict_with_anything_on_their_path():
    assert conflicts(CreateFile(P, "x"), edit(0, 0, "y"))
    assert conflicts(DeleteFile(P), edit(0, 1))
    assert not conflicts(CreateFile(Path("new.go"), "x"), edit(0, 1))


def test_merge_keeps_the_first_and_defers_the_overlapping():
    a, b, c = fix(edit(0, 5, "A")), fix(edit(3, 8, "B")), fix(edit(8, 9, "C"))
    m = merge([a, b, c])
    assert m.accepted == [a, c] and m.deferred == [b]


def test_a_fix_applies_all_its_edits_or_none():
    a = fix(edit(0, 2, "A"))
    b = fix(edit(5, 6, "B"), edit(1, 3, "b"))  # its second edit overlaps a: all of b waits
    m = merge([a, b])
    assert m.accepted == [a] and m.deferred == [b]


def test_a_fix_overlapping_itself_is_never_accepted():
    bad = fix(edit(0, 4, "x"), edit(2, 6, "y"))
    assert merge([bad]).accepted == []


edits_strategy = st.lists(
    st.lists(st.tuples(st.integers(0, 24), st.integers(0, 6), st.text("xyz\n", max_size=3)),
             min_size=1, max_size=3),
    max_size=8)


@settings(max_examples=200, deadline=None)
@given(edits_strategy)
def test_merge_accepts_only_compatible_fixes_and_defers_only_conflicting_ones(spec):
    fixes = [fix(*(edit(s, min(s + n, 24), t) for s, n, t in f)) for f in spec]
    m = merge(fixes)
    taken = [e for f in m.accepted for e in f.edits]
    assert not any(conflicts(a, b) for i, a in enumerate(taken) for b in taken[i + 1:])
    for f in m.deferred:
        own = [e for e in f.edits]
        assert any(conflicts(e, t) for e in own for t in taken) or \
            any(conflicts(a, b) for i, a in enumerate(own) for b in own[i + 1:])
    assert len(m.accepted) + len(m.deferred) == len(fixes)
    # Non-conflicting edits give one answer whatever their order: compare with a left-to-right
    # rebuild of the text.
    source = bytes(range(97, 97 + 24))
    out, pos = b"", 0
    for e in sorted(taken, key=lambda e: (e.start, e.end)):
        out += source[pos:e.start] + e.text.encode()
        pos = e.end
    out += source[pos:]
    assert apply_text_edits(source, taken, crlf=False) == out


def test_new_text_takes_the_files_line_endings():
    src = b"a\r\nb\r\n"
    assert apply_text_edits(src, [edit(3, 3, "x\ny\n")], crlf=True) == b"a\r\nx\r\ny\r\nb\r\n"
    assert apply_text_edits(src, [edit(3, 3, "x\r\n")], crlf=True) == b"a\r\nx\r\nb\r\n"  # not doubled
    assert apply_text_edits(b"a\nb\n", [edit(2, 2, "x\n")], crlf=False) == b"a\nx\nb\n"


# ------------------------------------------------------------------------- the fixed point

def span_at(source: bytes, start: int, end: int) -> Span:
    line = source.count(b"\n", 0, start) + 1
    col = start - (source.rfind(b"\n", 0, start) + 1) + 1
    return Span(start, end, line, col, line, col + end - start)


def check_rename(ctx):
    """Throwaway rule: every ``foo`` becomes ``bar``."""
    src = ctx.file.source
    for m in re.finditer(rb"\bfoo\b", src):
        yield ctx.finding(span_at(src, m.start(), m.end()), "foo is bar now",
                          fix=ctx.fix("rename", TextEdit(ctx.file.path, m.start(), m.end(), "bar"), safety=Safety.SAFE))


def check_annotate(ctx):
    """Throwaway rule: every ``var`` line ends with ``// ok`` (rewrites the whole line)."""
    src = ctx.file.source
    for m in re.finditer(rb"(?m)^var .*$", src):
        if not m.group().endswith(b"// ok"):
            new = m.group().decode() + " // ok"
            yield ctx.finding(span_at(src, m.start(), m.end()), "annotate",
                              fix=ctx.fix("annotate", TextEdit(ctx.file.path, m.start(), m.end(), new), safety=Safety.SAFE))


def check_forever(ctx):
    """Throwaway rule that is never satisfied: it always appends another comment."""
    n = len(ctx.file.source)
    yield ctx.finding(span_at(ctx.file.source, 0, 1), "more",
                      fix=ctx.fix("append", TextEdit(ctx.file.path, n, n, "// again\n"), safety=Safety.SAFE))


def rule(code: str, check, triggers=("foo", "bar")) -> Rule:
    return Rule(code, f"test-{code.lower()}", "a throwaway rule", Severity.INFO, check,
                fix=FixAvailability.ALWAYS, fix_safeties=(Safety.SAFE,), triggers=triggers)


RENAME, ANNOTATE = rule("LX901", check_rename), rule("LX902", check_annotate)
FOREVER = rule("LX903", check_forever, triggers=("package",))


def run(tmp_path, monkeypatch, rules, text: bytes) -> engine.RunResult:
    (tmp_path / "f.go").write_bytes(text)
    monkeypatch.chdir(tmp_path)
    return engine.run(["."], rules, Options(), fix_level=Safety.SAFE)


def test_overlapping_fixes_of_two_rules_both_land_over_two_passes(tmp_path, monkeypatch):
    src = b"package p\n\nvar foo = 1\nvar foo2 = foo\n"
    result = run(tmp_path, monkeypatch, [RENAME, ANNOTATE], src)
    assert not result.problems
    assert result.changes == {Path("f.go"): (src, b"package p\n\nvar bar = 1 // ok\nvar foo2 = bar // ok\n")}
    assert result.passes >= 2
    assert [f.rule for f, _ in result.applied if f] == ["LX902", "LX902"]  # pass 1: the lines won
    assert all(parse_file(p, after).syntax_errors == [] for p, (_, after) in result.changes.items())


def test_the_winner_does_not_depend_on_rule_order(tmp_path, monkeypatch):
    src = b"package p\n\nvar foo = 1\n"
    a = run(tmp_path, monkeypatch, [RENAME, ANNOTATE], src).changes
    b = run(tmp_path, monkeypatch, [ANNOTATE, RENAME], src).changes
    assert a == b == {Path("f.go"): (src, b"package p\n\nvar bar = 1 // ok\n")}


def test_non_convergence_is_reported_and_nothing_is_written(tmp_path, monkeypatch):
    result = run(tmp_path, monkeypatch, [FOREVER], b"package p\n")
    assert result.passes == engine.MAX_PASSES
    assert result.changes == {}
    assert [(p.error, p.message.split(" (")[0]) for p in result.problems] == [
        (True, f"fixes did not converge after {engine.MAX_PASSES} passes")]


def test_non_convergence_through_the_cli_exits_2_and_writes_nothing(tmp_path, monkeypatch, capsys):
    import rules as registry

    (tmp_path / "f.go").write_bytes(b"package p\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(registry, "select", lambda *a: [FOREVER])
    assert cli.main(["--apply", "."]) == 2
    err = capsys.readouterr().err
    assert f".: error: fixes did not converge after {engine.MAX_PASSES} passes" in err
    assert (tmp_path / "f.go").read_bytes() == b"package p\n"


def test_a_fix_that_can_never_apply_is_not_claimed_as_applied(tmp_path, monkeypatch):
    def check_broken(ctx):
        path = ctx.file.path
        yield ctx.finding(span_at(ctx.file.source, 0, 1), "broken",
                          fix=ctx.fix("overlapping", TextEdit(path, 0, 4, "x"), TextEdit(path, 2, 6, "y"), safety=Safety.SAFE))

    result = run(tmp_path, monkeypatch, [rule("LX904", check_broken, ("package",))], b"package p\n")
    assert result.changes == {}
    assert result.has_errors
    assert not any(result.fixed(f) for f in result.findings)


MIXED = b"package p\nfunc x() int64 { return 1 }\n\n//go:linkname x runtime.nanotime\n"


def test_real_rules_whose_edits_meet_at_one_point(tmp_path, monkeypatch):
    # LN001 inserts the import and LN003 moves the directive at the same offset (after the
    # package clause): they conflict, one waits a pass, both land, and the result parses.
    import rules as registry

    result = run(tmp_path, monkeypatch, registry.select(["LN001", "LN002", "LN003"]), MIXED)
    assert not result.problems
    after = result.changes[Path("f.go")][1]
    # Laid out as gofmt would: a blank line between the import and the directive, none at the end.
    assert after == b'package p\n\nimport _ "unsafe"\n\n//go:linkname x runtime.nanotime\nfunc x() int64\n'
    assert parse_file(Path("f.go"), after).syntax_errors == []
    (tmp_path / "f.go").write_bytes(after)
    again = engine.run(["."], registry.select(["LN001", "LN002", "LN003"]), Options(), fix_level=Safety.SAFE)
    assert again.findings == [] and again.changes == {}
