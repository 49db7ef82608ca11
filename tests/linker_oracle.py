"""Ask a real Go linker what it does with a ``//go:linkname`` pull.

A pull is a bodyless ``func pulledN()`` (or ``var pulledN byte``) carrying
``//go:linkname pulledN TARGET`` in a ``main`` package; ``go build`` of it says

* ``ok``: it linked;
* ``blocked``: the Go >= 1.23 linker's ``invalid reference to TARGET``;
* ``undefined``: ``relocation target TARGET not defined``;
* ``duplicate``: ``duplicated definition of symbol``;
* ``error: ...``: anything else (a broken test program, not an answer).

Every program imports the same fixed set of packages (:data:`IMPORTS`): a pull does not link
its target's package in, and the knowledge base assumes it is linked.

Batching: the linker stops at its first refusal, so a program with many pulls cannot tell
which of them fail.  But a program with pulls P1..Pn that *links* proves each Pi alone links:
the one-pull program is the same program minus the other pulls (same imports, same package),
and removing a bodyless reference can neither undefine nor block another one.  So
:func:`statuses` builds the pulls hinted as linking in one program first, and builds a pull
alone whenever the batch fails or the pull was not hinted.  A wrong hint costs time, never a
wrong answer.

:func:`record` goes further, for the evidence recorder (scripts/record_evidence.py): it builds
every pull in one program and reads the linker's refusals off its output.  The Go >= 1.23
loader stops at its first ``invalid reference to X`` (``log.Fatalf`` in ``checkLinkname``), and
the check of one reference reads only that reference's name, the pulling package and the
symbol's definition, never another pull; so X alone is refused too.  ``relocation target X not
defined`` names each missing symbol (up to ~20 per run) and likewise depends on X alone.  The
named pulls are recorded and dropped and the rest rebuilt, until the program links (each
remaining pull links) or an output names no pull (those are built one by one).
"""
from __future__ import annotations

import concurrent.futures as cf
import re
import tempfile
from pathlib import Path

from tests.gotoolchains import run_go

# Packages present in every release 1.21-1.27, linked into every oracle program.
IMPORTS = ("errors", "fmt", "net", "os", "reflect", "slices", "strings", "sync", "syscall", "time")
# Cross builds compile the standard library for another port from scratch: keep them lighter.
CROSS_IMPORTS = ("os", "syscall", "time")
# The recorded evidence (scripts/record_evidence.py) links a wider set, for its wider targets;
# those a release lacks are left out for it.
EVIDENCE_IMPORTS = (
    "bytes", "context", "crypto/tls", "crypto/x509", "encoding/json", "errors", "fmt", "go/build",
    "hash/maphash", "iter", "log", "maps", "math/big", "math/rand", "net", "net/http", "net/url", "os",
    "os/signal", "os/user", "plugin", "reflect", "runtime/debug", "runtime/pprof", "runtime/trace",
    "slices", "sort", "strconv", "strings", "sync", "sync/atomic", "syscall", "testing", "time",
    "unique", "weak")


def evidence_imports(release: str) -> tuple[str, ...]:
    """EVIDENCE_IMPORTS that ``release`` can import (Go 1.22's iter needs GOEXPERIMENT=rangefunc)."""
    with tempfile.TemporaryDirectory(prefix="gofix-oracle-") as d:
        proc = run_go(release, ["list", "-e", "-f", "{{.ImportPath}}\t{{if .Error}}error{{end}}",
                                *EVIDENCE_IMPORTS], Path(d))
    ok = {line.split("\t")[0] for line in proc.stdout.splitlines() if line.endswith("\t")}
    return tuple(p for p in EVIDENCE_IMPORTS if p in ok)


def pull_program(pulls: list[tuple[str, str]], imports=IMPORTS) -> str:
    """A main package pulling each (kind, target), kind "func" or "var"."""
    lines = ["package main", "", "import (", '\t_ "unsafe"']
    lines += [f'\t_ "{p}"' for p in imports]
    lines += [")", ""]
    uses = []
    for i, (kind, target) in enumerate(pulls):
        lines.append(f"//go:linkname pulled{i} {target}")
        if kind == "var":
            lines.append(f"var pulled{i} byte")
            uses.append(f"\tprintln(pulled{i})")
        else:
            lines.append(f"func pulled{i}()")
            uses.append(f"\tpulled{i}()")
        lines.append("")
    lines += ["func main() {", *uses, "}", ""]
    return "\n".join(lines)


def classify(output: str, returncode: int) -> str:
    if returncode == 0:
        return "ok"
    if "invalid reference to" in output:
        return "blocked"
    if (re.search(r"relocation target \S+ not defined", output) or "undefined:" in output
            or "reference to undefined builtin" in output     # Go <= 1.23: a builtin's name
            or "undefined reference to `" in output):         # the C linker, with cgo
        return "undefined"
    if "duplicated definition of symbol" in output:
        return "duplicate"
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return "error: " + last[:160]


def build(release: str, pulls: list[tuple[str, str]], platform: str | None = None,
          imports=IMPORTS, cgo: bool = False) -> tuple[str, str]:
    """(status, linker output) of one program pulling ``pulls`` built by Go ``release``."""
    env = {"CGO_ENABLED": "1" if cgo else "0"}
    if platform:
        env["GOOS"], env["GOARCH"] = platform.split("/")
    with tempfile.TemporaryDirectory(prefix="gofix-oracle-") as d:
        Path(d, "go.mod").write_text("module oracle\n\ngo 1.21\n")
        Path(d, "main.go").write_text(pull_program(pulls, imports))
        proc = run_go(release, ["build", "-o", "oracle.bin", "."], Path(d), **env)
    return classify(proc.stdout, proc.returncode), proc.stdout


def statuses(release: str, pulls: list[tuple[str, str]], platform: str | None = None,
             hint_ok: set[str] = frozenset(), jobs: int = 2, imports=None) -> dict[str, str]:
    """{target: status} for each (kind, target) pulled alone (see the module doc on batching)."""
    imports = imports or (CROSS_IMPORTS if platform else IMPORTS)
    result: dict[str, str] = {}
    batch = [p for p in pulls if p[1] in hint_ok]
    if batch:
        status, _ = build(release, batch, platform, imports)
        if status == "ok":
            result.update({t: "ok" for _, t in batch})
    alone = [p for p in pulls if p[1] not in result]
    with cf.ThreadPoolExecutor(jobs) as ex:
        for (kind, target), (status, _) in zip(alone, ex.map(
                lambda p: build(release, [p], platform, imports), alone)):
            result[target] = status
    return result


_BLOCKED = re.compile(r"invalid reference to (\S+)")
# With cgo the link may be external: the Go linker leaves a symbol it lacks to the C linker,
# whose message is "undefined reference to `X'".
_UNDEFINED = re.compile(r"relocation target (\S+) not defined|reference to undefined builtin \"([^\"]+)\""
                        r"|undefined reference to `([^']+)'")
_DUPLICATE = re.compile(r"duplicated definition of symbol (\S+)")


def record(release: str, pulls: list[tuple[str, str]], platform: str | None = None,
           imports=IMPORTS, cgo: bool = False, log=None) -> tuple[dict[str, str], int]:
    """({target: status}, builds run): every pull of ``pulls`` judged (see the module doc)."""
    result: dict[str, str] = {}
    todo = list(dict.fromkeys(pulls))
    builds = 0
    while todo:
        status, out = build(release, todo, platform, imports, cgo)
        builds += 1
        if status == "ok":
            result.update({t: "ok" for _, t in todo})
            break
        names = {t for _, t in todo}
        named = {m.group(1): "blocked" for m in _BLOCKED.finditer(out) if m.group(1) in names}
        missing = (next(g for g in m.groups() if g) for m in _UNDEFINED.finditer(out))
        named.update({name: "undefined" for name in missing if name in names})
        named.update({m.group(1): "duplicate" for m in _DUPLICATE.finditer(out) if m.group(1) in names})
        if not named:
            if log:
                log(f"{release} {platform or 'linux/amd64'} cgo={cgo}: {len(todo)} pulls split after: "
                    f"{out.strip().splitlines()[-1:] if out.strip() else status}")
            if len(todo) == 1:
                result[todo[0][1]] = status
                break
            # an answer that names no pull: judge each half on its own
            half = len(todo) // 2
            for part in (todo[:half], todo[half:]):
                found, n = record(release, part, platform, imports, cgo, log)
                result.update(found)
                builds += n
            break
        result.update(named)
        todo = [p for p in todo if p[1] not in named]
    return result, builds
