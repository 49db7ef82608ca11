"""Independent calls run in forked worker processes.

On a large tree most of a run's time goes to the packages that need a full check, each
independent of the others: the same function of the same files whichever process runs it.
:func:`run_all` hands such calls to workers forked from the running process, which inherit
everything loaded so far (rules, knowledge base) instead of loading it again.  The caller
puts the results back in its own order, so the output does not depend on which process did
what.

Fork is the only start method used: a spawned worker would re-import everything and re-read
the knowledge base, which costs more than most packages.  Where fork is unavailable or unsafe
(Windows; macOS, whose system libraries may not survive it) or ``jobs`` is 1, everything
runs in the calling process.
"""
from __future__ import annotations

import multiprocessing
import os
import pickle
import signal
import sys
from typing import Any, Callable, Iterator

from . import trace

# The call a worker runs, inherited through fork; one run_all at a time sets it.
_WORK: Callable[..., Any] | None = None


def usable_cpus() -> int:
    """How many CPUs this process may run on (its affinity mask, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def default_jobs() -> int:
    return max(1, min(usable_cpus(), 8))


def can_fork() -> bool:
    """Whether worker processes can be forked here (a daemonic process, such as a pool's
    worker, may start none)."""
    return (sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
            and not multiprocessing.current_process().daemon)


def _worker_init() -> None:
    # Ctrl-C reaches the whole process group: the parent alone decides what it means.  The
    # parent's SIGTERM/SIGHUP handlers unwind a command; a worker stopped by the parent just ends.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)


def _call(args: tuple) -> tuple[bool, Any, Any]:
    """Run the inherited call; an exception comes back as a value, with the file it was on."""
    trace.at(None)
    try:
        return True, _WORK(*args), None
    except Exception as e:  # noqa: BLE001 - re-raised in the parent, unchanged where possible
        where = trace.current
        try:
            pickle.dumps(e)
        except Exception:  # noqa: BLE001
            e = RuntimeError(f"{type(e).__name__}: {e}")
        return False, e, where


def _call_indexed(item: tuple[int, tuple]) -> tuple[int, bool, Any, Any]:
    index, args = item
    return (index, *_call(args))


def run_all(work: Callable[..., Any], calls: list[tuple], jobs: int) -> Iterator[tuple[int, Any]]:
    """``(i, work(*calls[i]))`` for every call, as each is done: in ``jobs`` forked workers
    (taking the calls in the order given, so put the longest first), or here with ``jobs`` 1,
    with fewer than three calls, or where :func:`can_fork` says no."""
    if jobs < 2 or len(calls) < 3 or not can_fork():
        for i, args in enumerate(calls):
            yield i, work(*args)
        return
    # The last call (the smallest, when the longest come first) runs here first: it loads
    # what every call needs (knowledge base, parser, lazily built tables) once, and each
    # worker inherits that instead of loading it again.
    last = len(calls) - 1
    yield last, work(*calls[last])
    global _WORK
    _WORK = work
    # Output buffered here would be written again by each worker when it exits.
    sys.stdout.flush()
    sys.stderr.flush()
    pool = multiprocessing.get_context("fork").Pool(min(jobs, last), initializer=_worker_init)
    try:
        for index, ok, value, where in pool.imap_unordered(_call_indexed, enumerate(calls[:last])):
            if not ok:
                trace.at(where)
                raise value
            yield index, value
    finally:
        pool.terminate()
        pool.join()
        _WORK = None
