"""clock-read-in-loop (LN203): a pulled clock (``runtime.nanotime``...) read on every loop iteration.

## What it does
Flags each call, inside a ``for`` loop, of a function that pulls a runtime clock with
``//go:linkname`` (``runtime.nanotime``, ``runtime.nanotime1``, ``runtime.cputicks``,
``time.now``, ``runtime.walltime``).  When the reading does not need to change from one
iteration to the next, it offers to hoist it into a variable before the loop.

## Why is this bad?
It is a matter of speed.  A pull has no body the compiler can inline, and reading the clock
costs a call each time.  Measured with
``go test -bench`` on Go 1.21.13 and 1.27.3 (linux/amd64): a loop adding ``runtimeNano()``
took 96.5 and 52.9 ns per iteration, ``time.Now().UnixNano()`` 187.7 and 120.3 ns,
``time.Since(t0)`` 81.6 and 54.1 ns, and the same loop with the read hoisted 5.4 and 1.6 ns.
So the pull is faster than ``time.Now()`` (53-97 ns against 120-188 ns) but no faster than
``time.Since(t0)`` (54-82 ns), the public monotonic reading; the read it saves is what pays,
and hoisting it out of the loop saves it on every iteration.

The hoist is never offered when the reading has to be fresh: when the call is in the loop's
condition or post statement, when its value is compared (with a deadline, a limit, or another
reading), subtracted from another reading, stored per iteration into a slice, map, field or
channel, or returned, or when the loop body can block or sleep (channel operations,
``select``, ``time.Sleep``, sync waits and locks, I/O calls).  Those calls are reported
without a fix.

## Go releases affected
All; performance only (severity info).

## Example
```go
func weigh(items []int) int64 {
	var sum int64
	for _, v := range items {
		sum += int64(v) * nanotime()
	}
	return sum
}
```

## Use instead
```go
func weigh(items []int) int64 {
	var sum int64
	now := nanotime()
	for _, v := range items {
		sum += int64(v) * now
	}
	return sum
}
```
The read moves before the outermost loop that runs it on every iteration; several reads of
the same clock in that loop share one variable, named ``now`` (``ticks`` for ``cputicks``)
unless the function already uses that name.

## Fix safety
Unsafe: the clock is read once before the loop instead of on every iteration, so every
iteration sees the same reading, taken earlier.

A read inside a benchmark's measured loop (``for i := 0; i < b.N; i++``, ``for range b.N``,
``for b.Loop()``, ``for pb.Next()``) is not reported at all: timing the reading is that
loop's purpose (``BenchmarkNanoTime`` in dgraph-io/ristretto).
"""
from __future__ import annotations

import re

from tree_sitter import Node

from codemod import goflow
from codemod.exprtext import shorten
from codemod.edits import Safety, TextEdit
from codemod.findings import Severity
from codemod.model import GoFile
from codemod.rule import Context, FixAvailability, Rule
from codemod.pulls import package_func_pulls

# Clock targets and the variable name a hoisted reading gets.
CLOCKS = {
    "runtime.nanotime": "now",
    "runtime.nanotime1": "now",
    "time.now": "now",
    "runtime.walltime": "now",
    "runtime.cputicks": "ticks",
}


def clock_pulls(ctx: Context) -> dict[str, tuple[str, int]]:
    """Local name -> (target, number of results) for the package's clock pulls."""
    out = {}
    for f, d in package_func_pulls(ctx):
        if d.target in CLOCKS:
            out.setdefault(d.local, (d.target, len(goflow.results(f, d.declaration.node))))
    return out


def benchmark_loop(f: GoFile, call: Node) -> Node | None:
    """A loop around ``call`` that a benchmark measures: its header reads ``b.N`` or calls
    ``b.Loop()`` (``pb.Next()`` under RunParallel), where ``b`` is a ``*testing.B`` (``pb`` a
    ``*testing.PB``) parameter of an enclosing function.  Timing the read is its purpose."""
    counters: dict[str, str] = {}
    n = call.parent
    while n is not None:
        if n.type in goflow.FUNCTION_TYPES:
            params = n.child_by_field_name("parameters")
            for p in params.named_children if params is not None else []:
                typ = p.child_by_field_name("type")
                kind = goflow.text(f, typ).replace(" ", "") if typ is not None else ""
                for name in p.children_by_field_name("name"):
                    if kind.endswith("testing.B"):
                        counters[goflow.text(f, name)] = r"(?:N\b|Loop\s*\()"
                    elif kind.endswith("testing.PB"):
                        counters[goflow.text(f, name)] = r"Next\s*\("
        n = n.parent
    if not counters:
        return None
    n = call.parent
    while n is not None:
        if n.type == "for_statement":
            body = n.child_by_field_name("body")
            header = f.source[n.start_byte:body.start_byte if body is not None else n.end_byte].decode()
            if any(re.search(rf"\b{re.escape(v)}\s*\.\s*{pat}", header) for v, pat in counters.items()):
                return n
        n = n.parent
    return None


def hoist_blocker(f: GoFile, call: Node, loops: list[goflow.LoopPlace], readings: list[Node]) -> str | None:
    """Why the reading must stay in the loop, or None when it can move before the loop."""
    for place in loops:
        if place.part in ("condition", "post"):
            return f"it is in the {place.part} of the loop at line {place.loop.start_point[0] + 1}"
    outer = loops[-1].loop
    fn = goflow.enclosing_function(call)
    scope = goflow.function_body(fn) if fn is not None else outer
    mine = goflow.flow(f, outer.child_by_field_name("body") or outer, [call])
    # Where the function's readings go: one flow per function, shared by all its loops.  It
    # includes this reading too, which only makes "subtracted from another reading" answer
    # yes where the reading meets itself: the cautious side.
    others = goflow.shared_flow(f, scope or outer, readings)
    if mine.compared:
        cmp = mine.compared[0]
        return f"its value is compared ({_short(f, cmp)}, line {cmp.start_point[0] + 1})"
    for n in goflow.walk(outer):
        if n.type == "binary_expression":
            op = n.child_by_field_name("operator")
            left, right = n.child_by_field_name("left"), n.child_by_field_name("right")
            if op is None or goflow.text(f, op) != "-":
                continue
            if (mine.carries(left) and (mine.carries(right) or others.carries(right))) or \
                    (mine.carries(right) and (mine.carries(left) or others.carries(left))):
                return f"it is subtracted from another reading ({_short(f, n)}, line {n.start_point[0] + 1})"
    if mine.stored:
        st = mine.stored[0]
        return f"its value is stored on every iteration ({_short(f, st)}, line {st.start_point[0] + 1})"
    if mine.returned:
        return "its value is returned from inside the loop"
    blocking = goflow.blocking_operation(f, outer)
    if blocking is not None:
        return (f"the loop can block or sleep ({_short(f, blocking)}, line {blocking.start_point[0] + 1}), "
                "so each reading must be taken after the wait")
    return None


def _short(f: GoFile, node: Node, limit: int = 40) -> str:
    return shorten(goflow.text(f, node), limit)


def hoist_fix(ctx: Context, outer: Node, calls: list[Node], local: str, target: str):
    f = ctx.file
    fn = goflow.enclosing_function(outer)
    taken = goflow.declared_names(f, fn) if fn is not None else goflow.declared_names(f, f.root)
    name = goflow.fresh_name(CLOCKS[target], taken)
    stmt = goflow.enclosing_statement(outer)
    if stmt is None or stmt.id != outer.id and goflow.statement_anchor(outer).id != stmt.id:
        return None
    anchor = goflow.statement_anchor(outer)
    ind = f.indentation(outer.start_byte)  # gofmt outdents a label; the loop's own line does not
    at = f.line_start(anchor.start_byte)
    edits = [TextEdit(f.path, at, at, f"{ind}{name} := {local}()\n")]
    edits += [TextEdit(f.path, c.start_byte, c.end_byte, name) for c in calls]
    return ctx.fix(
        f"Read {local}() once into {name} before the loop",
        *edits, safety=Safety.UNSAFE,
        why_unsafe="the clock is read once before the loop instead of on every iteration")


def check(ctx: Context):
    f = ctx.file
    pulls = clock_pulls(ctx)
    if not pulls:
        return
    all_calls = goflow.calls_to(f, set(pulls))
    by_function: dict[int | None, list[Node]] = {}
    for c in all_calls:
        fn = goflow.enclosing_function(c)
        by_function.setdefault(fn.id if fn is not None else None, []).append(c)
    plans = []  # (call, loops, blocker)
    for call in all_calls:
        loops = goflow.per_iteration(goflow.loops_around(call))
        if not loops or benchmark_loop(f, call) is not None:
            continue  # a benchmark's measured loop reads the clock on purpose: nothing to say
        local = goflow.text(f, call.child_by_field_name("function"))
        target, nresults = pulls[local]
        fn = goflow.enclosing_function(call)
        readings = by_function[fn.id if fn is not None else None]
        if nresults != 1:
            blocker = f"it returns {nresults} values"
        else:
            blocker = hoist_blocker(f, call, loops, readings)
        plans.append((call, local, target, loops, blocker))
    # Hoistable reads of one clock in one outermost loop share a variable and a fix.
    groups: dict[tuple[int, str], list[Node]] = {}
    for call, local, target, loops, blocker in plans:
        if blocker is None:
            groups.setdefault((loops[-1].loop.id, local), []).append(call)
    for call, local, target, loops, blocker in plans:
        line = loops[0].loop.start_point[0] + 1
        base = (f"{local}() reads {target} on every iteration of the loop at line {line}: the pull "
                "cannot be inlined; measured, a read costs 53-97 ns, less than time.Now() "
                "(120-188 ns) and about as much as time.Since (54-82 ns), so the read per "
                "iteration is what costs, not the clock chosen")
        if blocker is not None:
            yield ctx.finding(call, f"{base}; not hoisted, {blocker}", severity=Severity.INFO,
                              fix_withheld=f"not hoisted: {blocker}")
            continue
        group = groups[(loops[-1].loop.id, local)]
        fix = hoist_fix(ctx, loops[-1].loop, group, local, target)
        yield ctx.finding(call, f"{base}; its value need not change per iteration, so read it once "
                                "before the loop", fix=fix, severity=Severity.INFO)


RULE = Rule(
    code="LN203",
    name="clock-read-in-loop",
    summary="a pulled runtime clock read on every loop iteration: hoist the read when it need not change",
    severity=Severity.INFO,
    fix=FixAvailability.SOMETIMES,
    fix_safeties=(Safety.UNSAFE,),
    check=check,
    follows_calls=True,
    doc=__doc__,
    triggers=("go:linkname", "nanotime", "cputicks", "walltime"),
)
