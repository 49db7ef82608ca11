"""A deliberately buggy rule set, for tests that must see --verify withdraw a fix in a process
they cannot patch (a campaign's check runs in a subprocess of a worker process).

Python imports this module at start-up only when a test puts this directory on PYTHONPATH; it
does anything only when GOFIX_TEST_BREAK_FIXES_IN names directories.  Then every fix of a file
in such a directory also appends code that does not compile (see broken_fixes.py).
"""
import os

_DIRS = {d for d in os.environ.get("GOFIX_TEST_BREAK_FIXES_IN", "").split(",") if d}

if _DIRS:
    import rules
    from broken_fixes import breaking

    rules.select = breaking(rules.select, _DIRS)
