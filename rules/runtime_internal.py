"""runtime-internal (LN105): a pull of an allocator, scheduler, stack or GC entry point.

## What it does
Flags pulls of runtime functions that are never safe to call from outside the runtime, whether
or not the linker lets them through: the allocator (``mallocgc``, ``newobject``, ``newarray``,
``makeslice``, ``growslice``), the scheduler (``gopark``, ``goparkunlock``, ``goready``,
``mcall``, ``systemstack``, ``acquirem``, ``releasem``, ``schedule``, ``casgstatus``,
``entersyscall``, ``exitsyscall``), stacks (``morestack``, ``newstack``, ``copystack``,
``stackalloc``, ``stackfree``) and the collector (``gcStart``, ``stopTheWorld``,
``startTheWorld``).  The message says what to use instead.

A ``//go:nosplit`` mark on the target is not a hazard by itself and never raises this warning:
ordinary Go code calls nosplit functions safely (``runtime.nanotime`` is one).

## Why is this bad?
These functions assume runtime invariants the caller cannot see: which goroutine, M or P is
running, whether preemption is disabled, which stack is in use, the layout of ``_type``
descriptors and heap bitmaps.  Called from user code they corrupt memory or deadlock in ways
that show up far from the call, and their signatures change between releases without notice.

## Go releases affected
All of them; many are also refused by the Go 1.23+ linker (target-unavailable reports that).

## Example
```go
//go:linkname mallocgc runtime.mallocgc
func mallocgc(size uintptr, typ unsafe.Pointer, needzero bool) unsafe.Pointer
```

## Use instead
``new(T)``, ``make``, ``reflect.New``, ``append``/``slices.Grow``; channels and ``sync`` for
parking; ``runtime.GC()`` for a collection.

## Fix safety
No automatic fix: the public replacement depends on what the caller meant.
"""
from __future__ import annotations

from codemod.findings import Severity
from codemod.rule import Context, FixAvailability, Rule

from codemod.pulls import std_pull

_ALLOC = "the allocator"
_SCHED = "the scheduler"
_STACK = "goroutine stacks"
_GC = "the garbage collector"

INTERNALS: dict[str, tuple[str, str]] = {
    "mallocgc": (_ALLOC, "new(T), make, or reflect.New"),
    "newobject": (_ALLOC, "new(T) or reflect.New"),
    "newarray": (_ALLOC, "make([]T, n) or reflect.MakeSlice"),
    "makeslice": (_ALLOC, "make([]T, n)"),
    "growslice": (_ALLOC, "append, or slices.Grow (Go 1.21)"),
    "gopark": (_SCHED, "channels, sync.Mutex or sync.Cond to block a goroutine"),
    "goparkunlock": (_SCHED, "channels, sync.Mutex or sync.Cond to block a goroutine"),
    "goready": (_SCHED, "channels or sync.Cond to wake a goroutine"),
    "mcall": (_SCHED, "nothing public: restructure the code so it does not switch stacks"),
    "systemstack": (_SCHED, "nothing public: restructure the code so it does not switch stacks"),
    "acquirem": (_SCHED, "runtime.LockOSThread to stay on one thread"),
    "releasem": (_SCHED, "runtime.UnlockOSThread"),
    "schedule": (_SCHED, "runtime.Gosched to yield"),
    "casgstatus": (_SCHED, "nothing public: goroutine states are the scheduler's own"),
    "entersyscall": (_SCHED, "the syscall or golang.org/x/sys/unix calls, which tell the scheduler themselves"),
    "exitsyscall": (_SCHED, "the syscall or golang.org/x/sys/unix calls, which tell the scheduler themselves"),
    "morestack": (_STACK, "nothing public: stack growth is the compiler's and runtime's"),
    "newstack": (_STACK, "nothing public: stack growth is the compiler's and runtime's"),
    "copystack": (_STACK, "nothing public: stack growth is the compiler's and runtime's"),
    "stackalloc": (_STACK, "nothing public: stacks are the runtime's"),
    "stackfree": (_STACK, "nothing public: stacks are the runtime's"),
    "gcStart": (_GC, "runtime.GC()"),
    "stopTheWorld": (_GC, "runtime.ReadMemStats, runtime/metrics or runtime/debug, which stop the world "
                          "themselves when they must"),
    "startTheWorld": (_GC, "runtime.ReadMemStats, runtime/metrics or runtime/debug, which stop the world "
                           "themselves when they must"),
}


def check(ctx: Context):
    for d in ctx.file.directives:
        if not std_pull(ctx, d) or d.target_package != "runtime" or d.declaration.kind != "func":
            continue
        name = d.target[len("runtime."):]
        if name not in INTERNALS:
            continue
        part, instead = INTERNALS[name]
        yield ctx.finding(
            d.span,
            f"{d.local} pulls {d.target}, an entry point of {part}: it relies on runtime state the "
            f"caller cannot see or keep (current M and P, preemption, stacks), and calling it from "
            f"outside the runtime can corrupt memory or deadlock; use {instead}",
        )


RULE = Rule(
    code="LN105",
    name="runtime-internal",
    summary="a pull of an allocator, scheduler, stack or GC entry point that is never safe to call",
    severity=Severity.WARNING,
    fix=FixAvailability.NEVER,
    check=check,
    doc=__doc__,
)
