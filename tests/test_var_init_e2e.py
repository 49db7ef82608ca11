"""LN204's claims, checked on real toolchains: what a pull of a measured target returns in a
package-level initializer, and what the pulled name is on each release.

CI (default run): the releases of ``CI_RELEASES``.  Slow (``--all-releases``): the others too.
"""
from __future__ import annotations

import json
import re

import pytest

from codemod import knowledge
from codemod.replacements import RANDOM_FAMILY
from codemod.versions import key
from rules.pulled_call_in_var_init import MEASURED_SANE, links_on
from tests.e2e import gofix, write_module
from tests.gotoolchains import CI_RELEASES, RELEASES, run_go

ALL = [*CI_RELEASES, *(pytest.param(r, marks=pytest.mark.slow) for r in RELEASES if r not in CI_RELEASES)]

CLOCKS = {"runtime.nanotime", "runtime.cputicks"}
CALLS = 8  # readings per target, all in package-level initializers


def _var_init_program(release: str) -> tuple[str, list[str]]:
    """A main package whose package-level variables are initialized by calls of every measured
    target that links on ``release``; main prints them, one target a line."""
    lines = ["package main", "", "import (", '\t"fmt"', '\t_ "unsafe"', ")", ""]
    prints, targets = [], []
    for i, target in enumerate(sorted(MEASURED_SANE)):
        found = knowledge.lookup(target, release)
        if found.status != "ok":
            continue
        targets.append(target)
        params = found.symbol.signature.removeprefix("func")
        lines += [f"//go:linkname pulled{i} {target}", f"func pulled{i}{params}", ""]
        if target == "time.now":
            lines.append(f"var sec{i}, nsec{i}, mono{i} = pulled{i}()")
            prints.append(f'\tfmt.Println("{target}", sec{i}, nsec{i}, mono{i})')
        else:
            arg = "10" if found.symbol.signature.startswith("func(n uint32)") else ""
            lines.append(f"var read{i} = [...]uint64{{" + ", ".join([f"uint64(pulled{i}({arg}))"] * CALLS) + "}")
            prints.append(f'\tfmt.Println("{target}", read{i})')
        lines.append("")
    lines += ["func main() {", *prints, "}", ""]
    return "\n".join(lines), targets


def _sane(target: str, signature: str, values: list[int]) -> bool:
    if target == "time.now":
        sec, nsec, mono = values
        return sec > 1_600_000_000 and 0 <= nsec < 1_000_000_000 and mono > 0
    if target in CLOCKS:
        return values[0] > 0 and values == sorted(values)
    assert target in RANDOM_FAMILY or target == "runtime.randn", f"{target}: no sanity check for it here"
    if signature.startswith("func(n uint32)") and not all(v < 10 for v in values):
        return False
    if signature.endswith("int64") and not signature.endswith("uint64") and not all(v < 1 << 63 for v in values):
        return False
    return len(set(values)) > 1  # eight equal draws: a generator not yet seeded


@pytest.mark.go
@pytest.mark.parametrize("release", ALL)
def test_measured_targets_return_sane_values_in_a_var_initializer(tmp_path, release):
    program, targets = _var_init_program(release)
    module = write_module(tmp_path / "m", {"main.go": program})
    run = run_go(release, ["run", "."], module)
    assert run.returncode == 0, run.stdout
    seen = {}
    for line in run.stdout.splitlines():
        target, *rest = line.split(" ", 1)
        seen[target] = [int(v) for v in re.findall(r"-?\d+", rest[0])]
    assert sorted(seen) == sorted(targets)
    signature = {t: knowledge.lookup(t, release).symbol.signature for t in targets}
    assert [t for t, values in seen.items() if not _sane(t, signature[t], values)] == [], run.stdout
    assert set(targets) == {t for t in MEASURED_SANE if release in links_on(t)}


@pytest.mark.go
@pytest.mark.parametrize("release", ALL)
def test_fastrand_pulls_keep_their_names_and_wrap_runtime_rand_from_go122(tmp_path, release):
    """A pull of runtime.fastrandn links to runtime.fastrandn on every release (never to
    cheaprandn); from the family's ``wrapper_since`` on, that symbol's code calls runtime.rand.
    The cheaprand generators, where they link, never call it: a generator of their own."""
    wrapped = [g for g in RANDOM_FAMILY.values() if g.wrapper_since]
    assert {g.target for g in wrapped} == {"runtime.fastrand", "runtime.fastrandn", "runtime.fastrand64"}
    own = [g for g in RANDOM_FAMILY.values() if g.target.startswith("runtime.cheaprand")
           and knowledge.lookup(g.target, release).status == "ok"]
    assert own or key(release) < (1, 22)
    lines = ["package main", "", 'import _ "unsafe"', ""]
    calls = []
    for i, g in enumerate(wrapped + own):
        lines += [f"//go:linkname pulled{i} {g.target}",
                  f"func pulled{i}{g.signature.removeprefix('func')}", ""]
        calls.append(f"\tprintln(pulled{i}({'10' if g.bounded else ''}))")
    lines += ["func main() {", *calls, "}", ""]
    module = write_module(tmp_path / "m", {"main.go": "\n".join(lines)})
    built = run_go(release, ["build", "-o", "m.bin", "."], module)
    assert built.returncode == 0, built.stdout
    symbols = run_go(release, ["tool", "nm", "m.bin"], module).stdout
    for g in wrapped:
        assert re.search(rf" T {re.escape(g.target)}$", symbols, re.M), g.target
        code = run_go(release, ["tool", "objdump", "-s", f"^{re.escape(g.target)}$", "m.bin"], module)
        assert code.returncode == 0 and "TEXT " + g.target in code.stdout, code.stdout
        calls_rand = "CALL runtime.rand(SB)" in code.stdout
        assert "CALL runtime.cheaprand" not in code.stdout
        assert calls_rand == (key(release) >= key(g.wrapper_since)), (release, g.target, code.stdout)
    for g in own:
        code = run_go(release, ["tool", "objdump", "-s", f"^{re.escape(g.target)}$", "m.bin"], module)
        assert "TEXT " + g.target in code.stdout and "CALL runtime.rand(SB)" not in code.stdout, code.stdout


# ------------------------------------------------------------------ the message, per release

VAR_INIT = {
    "main.go": """
        package main

        import _ "unsafe"

        //go:linkname fastrandn runtime.fastrandn
        func fastrandn(n uint32) uint32

        //go:linkname cheaprand runtime.cheaprand
        func cheaprand() uint32

        //go:linkname nanotime runtime.nanotime
        func nanotime() int64

        var a = fastrandn(10)
        var b = cheaprand()
        var c = nanotime()

        func main() { println(a, b, c) }
    """,
}


def _messages(module, *args) -> dict[str, str]:
    p = gofix(module, "--no-cache", "--format", "json", "--select", "LN204", *args, ".")
    assert p.returncode == 1, p.stderr
    return {f["message"].split("(")[0]: f["message"] for f in json.loads(p.stdout)["findings"]}


def test_message_names_the_releases_on_which_the_pull_links(tmp_path):
    module = write_module(tmp_path / "m", VAR_INIT)
    got = _messages(module)
    assert set(got) == {"fastrandn", "cheaprand", "nanotime"}
    # The knowledge base: runtime.cheaprand is undefined on Go 1.21.
    assert links_on("runtime.cheaprand") == ("1.22", "1.23", "1.24", "1.25", "1.26", "1.27")
    assert "measured on Go 1.22-1.27 (the releases on which the pull links) it returns sane" \
        in got["cheaprand"]
    assert "measured on Go 1.21-1.27 it returns sane values there (from Go 1.22 on, " \
        "runtime.fastrandn is a wrapper the runtime keeps for old pulls, over runtime.rand)" \
        in got["fastrandn"]
    assert "cheaprandn" not in got["fastrandn"]
    assert "measured on Go 1.21-1.27 it returns sane values there, so nothing breaks" in got["nanotime"]


def test_message_leaves_out_the_wrapper_for_a_module_built_with_go121_only(tmp_path):
    module = write_module(tmp_path / "m", VAR_INIT)
    got = _messages(module, "--go-versions", "1.21")
    assert "wrapper" not in got["fastrandn"]
    assert "measured on Go 1.21-1.27 it returns sane values there, so nothing breaks" in got["fastrandn"]


def test_every_measured_target_links_somewhere_and_is_info(tmp_path):
    assert all(links_on(t) for t in MEASURED_SANE)
    module = write_module(tmp_path / "m", VAR_INIT)
    p = gofix(module, "--no-cache", "--format", "json", "--select", "LN204", ".")
    assert {f["severity"] for f in json.loads(p.stdout)["findings"]} == {"info"}


# ------------------------------------------------------- a target outside the runtime

UNORDERED = {
    "go.mod": "module example.com/m\n\ngo 1.21\n\nrequire example.com/other v0.0.0\n\n"
              "replace example.com/other => ./other\n",
    "other/go.mod": "module example.com/other\n\ngo 1.21\n",
    "other/z/z.go": """
        package z

        var table = map[string]int{"answer": 42}

        func get() int { return table["answer"] }
    """,
    # example.com/m/a sorts before example.com/other/z: with no import between them, Go 1.21+
    # initializes a first.
    "a/a.go": """
        package a

        import (
        	_ "unsafe"
        IMPORT)

        //go:linkname get example.com/other/z.get
        func get() int

        var Early = get()
    """,
    "main.go": """
        package main

        import (
        	"example.com/m/a"
        	_ "example.com/other/z"
        )

        func main() { println(a.Early) }
    """,
}


def _ln204(module) -> dict:
    p = gofix(module, "--no-cache", "--format", "json", "--select", "LN204", "./...")
    assert p.returncode == 1, p.stdout + p.stderr
    (finding,) = json.loads(p.stdout)["findings"]
    return finding


@pytest.mark.go
@pytest.mark.parametrize("release", ALL)
def test_a_pull_into_a_package_this_one_does_not_import_runs_before_it_is_initialized(tmp_path, release):
    module = write_module(tmp_path / "m", {k: v.replace("IMPORT", "") for k, v in UNORDERED.items()})
    run = run_go(release, ["run", "."], module)
    assert (run.returncode, run.stdout) == (0, "0\n")  # z's map is not made yet
    finding = _ln204(module)
    assert finding["severity"] == "warning" and finding["fix"] is None
    assert "this package does not import example.com/other/z" in finding["message"]
    assert "moving the call into init() does not help" in finding["message"]

    # A blank import orders z first: the same call sees 42, and the finding is info.
    module = write_module(tmp_path / "imported", {k: v.replace("IMPORT", '\n\t_ "example.com/other/z"\n')
                                                  for k, v in UNORDERED.items()})
    run = run_go(release, ["run", "."], module)
    assert (run.returncode, run.stdout) == (0, "42\n")
    finding = _ln204(module)
    assert finding["severity"] == "info" and finding["fix"] is not None
    assert "this package imports example.com/other/z, which is therefore initialized first" \
        in finding["message"]


def test_a_runtime_target_not_measured_is_a_runtime_internal(tmp_path):
    module = write_module(tmp_path / "m", {"main.go": """
        package main

        import _ "unsafe"

        //go:linkname gcount runtime.gcount
        func gcount() int32

        var n = gcount()

        func main() { println(n) }
    """})
    finding = _ln204(module)
    assert finding["severity"] == "warning"
    assert "calling a runtime internal during package initialization has not been measured safe" \
        in finding["message"]
