"""The migrations (LN202 replace-fastrand, LN203 clock-read-in-loop, LN204
pulled-call-in-var-init): the analysis helpers they stand on, and properties of their output.

Properties (hypothesis): for generated Go files mixing pulls, loops, security-looking names
and package-level initializers, every fixed file parses with no syntax error and a second run
over the fixed files has nothing left to fix.
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import rules
from codemod import engine, goflow
from codemod.edits import Safety
from codemod.model import parse_file
from codemod.rule import Options

MIGRATIONS = [r for r in rules.ALL if r.code in ("LN202", "LN203", "LN204")]


def gofile(src: str, name: str = "x.go"):
    return parse_file(Path(name), textwrap.dedent(src).lstrip().encode())


def first_call(f, name: str):
    return goflow.calls_to(f, {name})[0]


# ------------------------------------------------------------------------------ goflow helpers

@pytest.mark.parametrize("name, expected", [
    ("newSessionToken", ["new", "session", "token"]),
    ("CSRFKey", ["csrf", "key"]),
    ("api_key2", ["api", "key", "2"]),
    ("keyboard", ["keyboard"]),
    ("HTTPServer", ["http", "server"]),
])
def test_words(name, expected):
    assert goflow.words(name) == expected


def test_security_words_need_whole_words():
    assert goflow.security_words("monkeyCount") == []
    assert goflow.security_words("keyboardLayout") == []
    assert goflow.security_words("resetPasswordLink") == ["password"]


def test_loop_parts():
    f = gofile("""
        package p
        func g() {
            for i := a(); i < b(); i = c() {
                d()
            }
            for e() {
            }
            for range f() {
            }
        }
    """)
    part = {n: goflow.loops_around(first_call(f, n))[0].part for n in "abcdef"}
    assert part == {"a": "init", "b": "condition", "c": "post", "d": "body", "e": "condition",
                    "f": "range"}


def test_per_iteration_ignores_outer_initializer_and_closures():
    f = gofile("""
        package p
        func g() {
            for t := now(); t > 0; t-- {
                h := func() int64 { return now() }
                _ = h
            }
        }
    """)
    calls = goflow.calls_to(f, {"now"})
    assert goflow.per_iteration(goflow.loops_around(calls[0])) == []
    assert goflow.loops_around(calls[1]) == []  # the closure is its own function


def test_flow_follows_buffers_fields_and_encoders():
    f = gofile("""
        package p
        func g(c *creds) string {
            var b [8]byte
            binary.LittleEndian.PutUint32(b[:], r())
            c.secret = r()
            return hex.EncodeToString(b[:])
        }
    """)
    fn = goflow.enclosing_function(first_call(f, "r"))
    calls = goflow.calls_to(f, {"r"})
    first = goflow.flow(f, goflow.function_body(fn), [calls[0]])
    assert "b" in first.names
    assert [goflow.text(f, c.child_by_field_name("function")) for c in first.encoded] == ["hex.EncodeToString"]
    assert first.returned
    second = goflow.flow(f, goflow.function_body(fn), [calls[1]])
    assert second.fields == {"secret"} and not second.encoded


def test_blocking_operations():
    f = gofile("""
        package p
        func g(ch chan int, mu *sync.Mutex) {
            for range ch {
            }
            for {
                mu.Lock()
            }
            for {
                go func() { time.Sleep(1) }()
            }
        }
    """)
    loops = [n for n in goflow.walk(f.root) if n.type == "for_statement"]
    assert goflow.blocking_operation(f, loops[0]) is not None  # range over a channel parameter
    assert goflow.blocking_operation(f, loops[1]) is not None
    assert goflow.blocking_operation(f, loops[2]) is None  # a goroutine's sleep does not block


@pytest.mark.parametrize("typ, zero", [
    ("int64", "0"), ("string", '""'), ("bool", "false"), ("error", "nil"), ("[]byte", "nil"),
    ("*T", "nil"), ("map[string]int", "nil"), ("Token", "*new(Token)"), ("[4]byte", "*new([4]byte)"),
])
def test_zero_values(typ, zero):
    assert goflow.zero_value(typ) == zero


# ------------------------------------------------------------------------------ whole runs

def run(tmp_path: Path, files: dict[str, str], go: str = "1.21", level=Safety.UNSAFE):
    (tmp_path / "go.mod").write_text(f"module example.com/m\n\ngo {go}\n")
    for name, text in files.items():
        (tmp_path / name).write_text(textwrap.dedent(text).lstrip())
    return engine.run([str(tmp_path)], MIGRATIONS, Options(), fix_level=level)


def apply(result):
    for path, (_, after) in result.changes.items():
        if after is None:
            path.unlink()
        else:
            path.write_bytes(after)


def test_classification_security_and_plain(tmp_path):
    result = run(tmp_path, {"a.go": """
        package a

        import _ "unsafe"

        //go:linkname fastrand runtime.fastrand
        func fastrand() uint32

        func csrfValue() uint32 { return fastrand() }

        func shard(n uint32) uint32 { return fastrand() % n }
    """}, level=None)
    sev = {f.span.line: str(f.severity) for f in result.findings}
    assert sev == {8: "error", 10: "warning"}


def test_crypto_fix_returns_error_with_zero_values(tmp_path):
    result = run(tmp_path, {"a.go": """
        package a

        import _ "unsafe"

        //go:linkname fastrand64 runtime.fastrand64
        func fastrand64() uint64

        type Key [8]byte

        func newKey(name string) (Key, string, error) {
            var k Key
            v := fastrand64()
            for i := range k {
                k[i] = byte(v >> (8 * i))
            }
            return k, name, nil
        }
    """})
    apply(result)
    text = (tmp_path / "a.go").read_text()
    assert "return *new(Key), \"\", err" in text
    assert "binary.LittleEndian.Uint64(rnd[:])" in text
    assert "go:linkname" not in text


def test_go_versions_flag_sets_the_oldest_release(tmp_path):
    """--go-versions replaces the module's range: a 1.21 low end has no math/rand/v2."""
    files = {"a.go": """
        package a

        import _ "unsafe"

        //go:linkname fastrand runtime.fastrand
        func fastrand() uint32

        func roll() uint32 { return fastrand() % 6 }
    """}
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "a.go").write_text(textwrap.dedent(files["a.go"]).lstrip())
    v1 = engine.run([str(tmp_path)], MIGRATIONS, Options(release_range=("1.21", "1.27")), fix_level=Safety.UNSAFE)
    v2 = engine.run([str(tmp_path)], MIGRATIONS, Options(), fix_level=Safety.UNSAFE)
    assert b'"math/rand/v2"' in v2.changes[tmp_path / "a.go"][1]
    assert b'"math/rand"\n' in v1.changes[tmp_path / "a.go"][1]


def test_a_file_language_below_1_22_gets_math_rand(tmp_path):
    """go vet's stdversion check: a go1.21 file constraint lowers the file's language version
    below the module's go 1.22, so math/rand/v2 may not be used there."""
    (tmp_path / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (tmp_path / "a.go").write_text(textwrap.dedent("""
        //go:build go1.21

        package a

        import _ "unsafe"

        //go:linkname fastrand runtime.fastrand
        func fastrand() uint32

        func roll() uint32 { return fastrand() % 6 }
    """).lstrip())
    result = engine.run([str(tmp_path)], MIGRATIONS, Options(), fix_level=Safety.UNSAFE)
    after = result.changes[tmp_path / "a.go"][1]
    assert b'"math/rand"\n' in after and b"v2" not in after


def test_safe_level_applies_only_the_removal(tmp_path):
    result = run(tmp_path, {"a.go": """
        package a

        import _ "unsafe"

        //go:linkname fastrand runtime.fastrand
        func fastrand() uint32

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64

        func busy(xs []int) (s int64) {
            for _, x := range xs {
                s += int64(x) * nanotime()
            }
            return
        }
    """}, level=Safety.SAFE)
    assert {f.rule for f in result.held_back} == {"LN203"}
    after = result.changes[tmp_path / "a.go"][1].decode()
    assert "fastrand" not in after and "nanotime()" in after


def test_sibling_without_trigger_words_is_read_once_the_package_pulls(tmp_path):
    # other.go mentions none of the rule's trigger words; the package pulls, so it is read all
    # the same: its call is rewritten, and only then is the pull, now unused, removed.
    result = run(tmp_path, {
        "a.go": """
            package a

            import _ "unsafe"

            //go:linkname r64 runtime.fastrand64
            func r64() uint64
        """,
        "other.go": """
            package a

            func use() uint64 { return r64() }
        """,
    })
    assert [f.path.name for f in result.findings if f.rule == "LN202"] == ["other.go"]
    after = {p.name: a.decode() for p, (_, a) in result.changes.items()}
    assert "rand.Uint64()" in after["other.go"] and "r64" not in after["a.go"]


# ------------------------------------------------------------------------------ properties

FUNCS = {
    "fastrand": ("runtime.fastrand", "func fastrand() uint32", "uint32"),
    "fastrandn": ("runtime.fastrandn", "func fastrandn(n uint32) uint32", "uint32"),
    "nanotime": ("runtime.nanotime", "func nanotime() int64", "int64"),
}


def _call(name: str) -> str:
    return f"{name}(7)" if name == "fastrandn" else f"{name}()"


@st.composite
def statements(draw, depth: int = 0):
    name = draw(st.sampled_from(sorted(FUNCS)))
    typ = FUNCS[name][2]
    c = _call(name)
    simple = [
        f"acc += int64({c})",
        f"if int64({c}) > limit {{\n\tacc++\n}}",
        f"buf = append(buf, int64({c}))",
        f"binary.LittleEndian.PutUint32(key[:], uint32({c}))",
        f"ch <- int64({c})",
        f"x{depth} := {c}\n_ = x{depth}",
        f"time.Sleep(time.Duration({c} % 2))",
        f"acc -= int64({c}) - last\nlast = int64({c})",
        f"_ = {typ}({c})",
    ]
    if depth >= 2 or draw(st.booleans()):
        return draw(st.sampled_from(simple))
    inner = draw(st.lists(statements(depth + 1), min_size=1, max_size=3))
    body = textwrap.indent("\n".join(inner), "\t")
    head = draw(st.sampled_from([
        f"for i{depth} := 0; i{depth} < 3; i{depth}++",
        "for _, v := range items",
        f"for int64({c}) < limit",
        f"for j{depth} := 0; j{depth} < 2; j{depth} += int({c} % 2 + 1)",
        "if len(items) > 0",
    ]))
    return f"{head} {{\n{body}\n}}"


@st.composite
def go_files(draw):
    used = sorted(FUNCS)
    pulls = "\n".join(f"//go:linkname {n} {FUNCS[n][0]}\n{FUNCS[n][1]}\n" for n in used)
    funcs = []
    for i in range(draw(st.integers(1, 3))):
        fname = draw(st.sampled_from(["compute", "newSessionToken", "makeSalt", "tick", "shard"]))
        body = "\n".join(draw(st.lists(statements(), min_size=1, max_size=4)))
        ret = draw(st.sampled_from(["int64", "(int64, error)"]))
        end = "return acc" if ret == "int64" else "return acc, nil"
        funcs.append(
            f"func {fname}{i}(items []int, ch chan int64, limit int64) {ret} {{\n"
            f"\tvar acc, last int64\n\tvar buf []int64\n\tvar key [4]byte\n"
            f"{textwrap.indent(body, chr(9))}\n"
            f"\t_, _, _ = buf, key, last\n\t{end}\n}}\n")
    inits = draw(st.lists(st.sampled_from([
        "var started = nanotime()", "var seed = fastrand() | 1", "var t2 = int64(nanotime())",
        "var grouped, pair = nanotime(), 1"]), max_size=3, unique=True))
    return ("package p\n\nimport (\n\t\"encoding/binary\"\n\t\"time\"\n\t_ \"unsafe\"\n)\n\n"
            + pulls + "\n" + "\n".join(inits) + "\n\n" + "\n".join(funcs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(src=go_files(), go=st.sampled_from(["1.21", "1.22"]))
def test_fixed_output_parses_and_is_a_fixed_point(tmp_path_factory, src, go):
    root = tmp_path_factory.mktemp("prop")
    (root / "go.mod").write_text(f"module example.com/m\n\ngo {go}\n")
    path = root / "p.go"
    path.write_text(src)
    assert not parse_file(path, src.encode()).syntax_errors, src
    first = engine.run([str(root)], MIGRATIONS, Options(), fix_level=Safety.UNSAFE)
    assert not first.has_errors, [p.message for p in first.problems]
    apply(first)
    after = path.read_bytes()
    assert not parse_file(path, after).syntax_errors, after.decode()
    second = engine.run([str(root)], MIGRATIONS, Options(), fix_level=Safety.UNSAFE)
    assert second.changes == {}, after.decode()
    assert not [f for f in second.findings if second.fixed(f)]
