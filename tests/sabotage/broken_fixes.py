"""Rules whose fixes are wrong on purpose, for tests of --verify: every fix of a file in one of
the named directories also appends ``code`` (by default, code that does not compile).  The
toolchains stay real; only the fix is wrong, as a buggy rule's would be.

Used in process by tests/test_verify.py (monkeypatching ``rules.select``) and, through
sitecustomize.py, in the subprocesses of a campaign, which no test can patch."""
import dataclasses

from codemod.edits import TextEdit

NOT_COMPILING = "\nvar _ = notDeclaredAnywhere\n"


def breaking(select, broken_dirs, code: str = NOT_COMPILING, broken_rules=None):
    """``select`` (as ``rules.select``) with every chosen rule's fixes in ``broken_dirs`` spoiled
    (only the fixes of ``broken_rules``, rule codes, when given)."""
    def wrap(rule):
        def check(ctx):
            for f in rule.check(ctx):
                if f.fix and f.path.parent.name in broken_dirs and (
                        broken_rules is None or f.rule in broken_rules):
                    end = len(ctx.file.source)
                    bad = TextEdit(f.path, end, end, code)
                    f = dataclasses.replace(f, fix=dataclasses.replace(f.fix, edits=(*f.fix.edits, bad)))
                yield f
        return dataclasses.replace(rule, check=check)

    return lambda *a: [wrap(r) for r in select(*a)]
