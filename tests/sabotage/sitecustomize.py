"""A deliberately buggy rule set, for tests that must see --verify withdraw a fix in a process
they cannot patch (a campaign's check runs in a subprocess of a worker process).

Python imports this module at start-up only when a test puts this directory on PYTHONPATH; it
does anything only when GOFIX_TEST_BREAK_FIXES_IN names directories.  Then every fix of a file
in such a directory also appends code that does not compile: the toolchains stay real, only the
fix is wrong, as a buggy rule's would be.
"""
import os

_DIRS = {d for d in os.environ.get("GOFIX_TEST_BREAK_FIXES_IN", "").split(",") if d}

if _DIRS:
    import dataclasses

    import rules
    from codemod.edits import TextEdit

    _real_select = rules.select

    def _wrap(rule):
        def check(ctx):
            for f in rule.check(ctx):
                if f.fix and f.path.parent.name in _DIRS:
                    end = len(ctx.file.source)
                    bad = TextEdit(f.path, end, end, "\nvar _ = notDeclaredAnywhere\n")
                    f = dataclasses.replace(f, fix=dataclasses.replace(f.fix, edits=(*f.fix.edits, bad)))
                yield f
        return dataclasses.replace(rule, check=check)

    rules.select = lambda *a: [_wrap(r) for r in _real_select(*a)]
