"""Independent calls run in forked worker processes.

On a large tree most of a run's time goes to the packages that need a full check, each
independent of the others: the same function of the same files whichever process runs it.
:func:`run_all` hands such calls to workers forked from the running process, which inherit
everything loaded so far (rules, knowledge base) instead of loading it again.  The caller
puts the results back in its own order, so the output does not depend on which process did
what.  :func:`split` does the same for one function of a long list whose items are
independent (a warm run's stats of every directory it recorded), a slice per process.

Fork is the only start method used: a spawned worker would re-import everything and re-read
the knowledge base, which costs more than most packages.  Where fork is unavailable or unsafe
(Windows; macOS, whose system libraries may not survive it) or ``jobs`` is 1, everything
runs in the calling process.
"""
from __future__ import annotations

import gc
import marshal
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


def _call_batch(batch: list[tuple[int, tuple]]) -> list[tuple[int, bool, Any, Any]]:
    out = []
    for index, args in batch:
        out.append((index, *_call(args)))
        if not out[-1][1]:
            break  # the run stops at the first failure
    return out


def batches(sizes: list[int], jobs: int) -> list[list[int]]:
    """Consecutive indexes grouped so that each group is worth a round trip to a worker: a
    large call alone, small ones together, and enough groups (about 16 per worker) that the
    workers finish together."""
    budget = max(64 << 10, sum(sizes) // (16 * jobs))
    groups: list[list[int]] = []
    held = 0
    for i, size in enumerate(sizes):
        if not groups or held >= budget:
            groups.append([])
            held = 0
        groups[-1].append(i)
        held += size
    return groups


def run_all(work: Callable[..., Any], calls: list[tuple], jobs: int,
            sizes: list[int] | None = None) -> Iterator[tuple[int, Any]]:
    """``(i, work(*calls[i]))`` for every call, as each is done: in ``jobs`` forked workers
    (taking the calls in the order given, so put the longest first; ``sizes``, their expected
    costs in any unit, lets small calls travel to a worker in groups), or here with ``jobs``
    1, with fewer than three calls, or where :func:`can_fork` says no."""
    if jobs < 2 or len(calls) < 3 or not can_fork():
        for i, args in enumerate(calls):
            yield i, work(*args)
        return
    # The last call (the smallest, when the longest come first) runs here first: it loads
    # what every call needs (knowledge base, parser, lazily built tables) once, and each
    # worker inherits that instead of loading it again.
    last = len(calls) - 1
    yield last, work(*calls[last])
    groups = batches(sizes[:last] if sizes is not None else [1] * last, jobs)
    global _WORK
    _WORK = work
    # Output buffered here would be written again by each worker when it exits.
    sys.stdout.flush()
    sys.stderr.flush()
    # Objects alive now are the workers' inheritance: frozen, no collection in a worker walks
    # them, which would touch (and so copy) every page of the parent's heap.
    gc.freeze()
    pool = multiprocessing.get_context("fork").Pool(min(jobs, len(groups)), initializer=_worker_init)
    try:
        work_items = ([(i, calls[i]) for i in group] for group in groups)
        for done in pool.imap_unordered(_call_batch, work_items):
            for index, ok, value, where in done:
                if not ok:
                    trace.at(where)
                    raise value
                yield index, value
    finally:
        pool.terminate()
        pool.join()
        gc.unfreeze()
        _WORK = None


def split(work: Callable[[list], list | bytes], items: list, jobs: int) -> list | bytes:
    """``work(items)`` computed in ``jobs`` slices of ``items``, one per process: the first
    here, each other one in a process forked for it.  ``work`` must return one result per
    item, as a list or bytes that :mod:`marshal` can carry, and give the same results
    wherever it runs.  A slice whose process fails is computed here instead, so the outcome
    never depends on the children.

    For work made of many small system calls and Python around each (threads would queue on
    the interpreter lock): a fork costs milliseconds (about 8 for a process holding 80 MB,
    its page tables copied and torn down), so give it thousands of items, not a handful."""
    jobs = min(jobs, len(items))
    if jobs < 2 or not can_fork():
        return work(items)
    step = -(-len(items) // jobs)
    slices = [items[i:i + step] for i in range(0, len(items), step)]
    sys.stdout.flush()  # or a child would write the buffered output again when it exits
    sys.stderr.flush()
    pending: list[tuple[list, tuple[int, int] | None]] = []
    try:
        for part in slices[1:]:
            pending.append((part, _fork_for(work, part)))
        results = [work(slices[0])]
        while pending:
            part, child = pending.pop(0)
            got = _collect(child)
            results.append(got if got is not None and len(got) == len(part) else work(part))
    finally:
        for _, child in pending:  # interrupted: stop those still running
            if child is not None:
                _stop(child)
    return b"".join(results) if isinstance(results[0], bytes) else [r for part in results for r in part]


def _fork_for(work: Callable[[list], Any], part: list) -> tuple[int, int] | None:
    """A child computing ``work(part)`` into a pipe: (its pid, the pipe's end to read), or
    None when none could be started."""
    try:
        read, write = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read)
        os.close(write)
        return None
    if pid == 0:  # the child: never returns
        code = 1
        try:
            os.close(read)
            _worker_init()
            gc.disable()  # it lives for one call; a collection would touch the parent's pages
            data = marshal.dumps(work(part))
            with os.fdopen(write, "wb") as out:
                out.write(data)
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    return pid, read


def _collect(child: tuple[int, int] | None):
    """The child's result, once it has ended; None when it failed.  The child is reaped (or
    stopped) and its pipe closed whatever happens."""
    if child is None:
        return None
    pid, read = child
    try:
        with os.fdopen(read, "rb") as fh:
            data = fh.read()
        _, status = os.waitpid(pid, 0)
    except BaseException:
        _stop((pid, None))
        raise
    if status != 0:
        return None
    try:
        return marshal.loads(data)
    except (EOFError, ValueError, TypeError):
        return None


def _stop(child: tuple[int, int | None]) -> None:
    pid, read = child
    try:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    except OSError:
        pass
    if read is not None:
        try:
            os.close(read)
        except OSError:
            pass
