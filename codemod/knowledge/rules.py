"""The Go >= 1.23 linker's ``checkLinkname``, as pure functions over rules read from its source.

``cmd/link/internal/loader/loader.go`` (per release) decides a pull of ``name`` from package
``pkg`` this way, in order:

1. ``blockedLinknames[name]`` lists the only packages allowed to pull it (an empty list: none).
2. A symbol defined outside the standard library, or in the pulling package itself, passes.
3. The definition must be *pushed*: marked by ``//go:linkname`` in its own package
   (``//go:linknamestd``: only for pulls from the standard library).
4. Assembly: through Go 1.26 ``cmd/internal/obj`` marks every assembly symbol as linknamed, so
   any assembly function passes.  From Go 1.27 an assembly definition is judged by its ABI
   wrapper, which carries the ``//go:linkname`` of the function's Go declaration in the
   package defining it; names with no ".", names under the pulling package, and ports without
   register-ABI wrappers are let through.  Go 1.23-1.26 also pass any ABI wrapper.

What counts as a push comes from cmd/compile: ``noder/reader.go`` (``linkname``) sets the
linkname flag on the *linker symbol* a directive names, whichever declaration carries it, so a
two-argument directive on another declaration of the package (``//go:linkname
badlinkname_rtype_Align reflect.(*rtype).Align`` on a bodyless function) pushes the method it
names; ``cmd/internal/obj/objfile.go`` writes the flag for every assembly symbol in Go 1.23-1.26.

Each verdict names the rule that decided it (:data:`RULES`, shown by ``gofix-linkname info``).

Two things happen before the linker sees the pull: Go 1.23's compiler encodes a reference to a
compiler builtin (``runtime.newobject``...) as a builtin index, which is never checked; Go 1.24
stopped doing that for linknamed references (``cmd/internal/obj/sym.go``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

NOT_PUSHED = "not pushed by its package (Go >= 1.23 linker)"

# The rule behind each verdict: id -> where it comes from.
RULES = {
    "no-check": "Go < 1.23: the linker has no checkLinkname; a defined symbol links",
    "builtin-index": "cmd/internal/obj/sym.go (Go 1.23): a compiler builtin is referenced by index, never checked",
    "blocked-list": "cmd/link/internal/loader/loader.go: blockedLinknames names the only packages that may pull it",
    "same-package": "checkLinkname: the definition is in the pulling package",
    "asm-marked": "cmd/internal/obj/objfile.go (Go 1.23-1.26): every assembly symbol carries the linkname flag",
    "abi-wrapper": "checkLinkname (Go 1.23-1.26): an ABI wrapper definition passes (osym.ABIWrapper())",
    "asm-by-name": "checkLinkname (Go >= 1.27, assembly): name under the pulling package, without a '.', "
                   "or a port without register-ABI wrappers",
    "push": "cmd/compile noder: //go:linkname on the declaration marks the symbol (a push)",
    "push-other-name": "cmd/compile noder: a //go:linkname naming the symbol on another declaration of its "
                       "package marks it (a push under another local name)",
    "linknamestd": "checkLinkname: //go:linknamestd pushes only to standard-library packages",
    "not-pushed": "checkLinkname: a standard-library definition without a push is refused",
    "undefined": "no definition on this release, platform and cgo setting: the linker's "
                 "\"relocation target not defined\"",
}


@dataclass
class LinkerRules:
    check_linkname: bool = False          # Go >= 1.23: the linker refuses some pulls
    blocked: dict[str, list[str]] = field(default_factory=dict)  # name -> packages allowed to pull it
    fips_frozen_alias: bool = False       # crypto/internal/fips140/vX.Y.Z/... counts as crypto/internal/fips140/...
    abi_wrapper_allowed: bool = False     # 1.23: any ABI wrapper definition may be pulled
    asm_wrapper_rule: bool = False        # 1.24+: an assembly definition is judged by its ABI wrapper's push
    linknamestd: bool = False             # //go:linknamestd pushes only to std pullers
    asm_marked_linkname: bool = False     # 1.23 objfile.go: every assembly symbol carries the linkname flag
    builtin_pull_unchecked: bool = False  # 1.23 sym.go: a pull of a compiler builtin is not a checked reference
    builtins: dict[str, int] = field(default_factory=dict)  # compiler builtin name -> ABI


@dataclass(frozen=True)
class Definition:
    package: str          # package whose object defines the symbol
    kind: str             # "func" | "method" | "var"
    assembly: bool        # defined by a TEXT symbol
    push: str             # "" | "linkname" | "linknamestd" (for assembly: on its Go declaration)
    has_go_decl: bool = True
    abi: str = "ABIInternal"   # "ABI0": assembly, or a Go function pinned by //go:cgo_unsafe_args
    push_elsewhere: bool = False  # the push is a directive on another declaration (another local name)


def blocked_list_verdict(rules: LinkerRules, name: str, puller: str) -> tuple[str, str] | None:
    """Step 1: None when ``name`` is not on the blocked list."""
    if name not in rules.blocked:
        return None
    allowed = rules.blocked[name]
    candidates = {puller}
    if rules.fips_frozen_alias and puller.startswith("crypto/internal/fips140/v"):
        parts = puller.split("/")
        candidates.add("/".join(parts[:3] + parts[4:]))
    if candidates & set(allowed):
        return "ok", ""
    if not allowed:
        return "blocked", "on the linker's blocked list (no package may pull it)"
    return "blocked", f"on the linker's blocked list (allowed only from: {', '.join(allowed)})"


def _push(rules: LinkerRules, d: Definition, puller_std: bool, what: str = "") -> tuple[str, str, str]:
    if d.push == "linknamestd" and rules.linknamestd:
        if puller_std:
            return "ok", "", "linknamestd"
        return "blocked", "pushed with //go:linknamestd: only the standard library may pull it", "linknamestd"
    if d.push:
        return "ok", "", "push-other-name" if d.push_elsewhere else "push"
    return "blocked", what or NOT_PUSHED, "not-pushed"


def push_verdict(rules: LinkerRules, push: str, puller_std: bool, what: str = "") -> tuple[str, str]:
    d = Definition(package="", kind="func", assembly=False, push=push)
    return _push(rules, d, puller_std, what)[:2]


def judge(rules: LinkerRules, name: str, d: Definition, puller: str = "main",
          puller_std: bool = False, regabi_wrappers: bool = True) -> tuple[str, str, str]:
    """(status, reason, rule) of a pull of the defined symbol ``name``; rule is a :data:`RULES` key."""
    if not rules.check_linkname:
        return "ok", "", "no-check"
    # A function pull without assembly in the pulling package references ABIInternal (1),
    # a variable ABI0 (0); the builtin index only matches the same ABI on register-ABI ports.
    pull_abi = 0 if d.kind == "var" else 1
    if (rules.builtin_pull_unchecked and name in rules.builtins
            and (not regabi_wrappers or rules.builtins[name] == pull_abi)):
        return "ok", "", "builtin-index"
    listed = blocked_list_verdict(rules, name, puller)
    if listed is not None:
        return (*listed, "blocked-list")
    if d.package == puller:
        return "ok", "", "same-package"
    if d.assembly and rules.asm_marked_linkname:
        return "ok", "", "asm-marked"        # the assembler flags every symbol it defines as linknamed
    if regabi_wrappers and d.abi == "ABI0" and (d.has_go_decl or not d.assembly):
        # The compiler gives an ABI0 function with a Go declaration an ABIInternal wrapper,
        # and the pull (ABIInternal) resolves to it; the wrapper carries the declaration's
        # //go:linkname.  Go 1.23-1.26 let any ABI wrapper through.
        if rules.abi_wrapper_allowed:
            return "ok", "", "abi-wrapper"
        return _push(rules, d, puller_std)
    if d.assembly:
        if rules.asm_wrapper_rule:
            # The pull reaches the assembly symbol itself (1.27's FromAssembly branch).
            if name.startswith(puller) or "." not in name or not regabi_wrappers:
                return "ok", "", "asm-by-name"
            if not d.has_go_decl:
                return "blocked", "assembly function with no Go declaration to push it (Go >= 1.27 linker)", "not-pushed"
            return _push(rules, d, puller_std,
                         "assembly function whose Go declaration is not pushed (Go >= 1.27 linker)")
        return "blocked", "assembly function not pushed (Go >= 1.23 linker)", "not-pushed"
    return _push(rules, d, puller_std)


def judge_pull(rules: LinkerRules, name: str, d: Definition, puller: str = "main",
               puller_std: bool = False, regabi_wrappers: bool = True) -> tuple[str, str]:
    """(status, reason) of a pull of the defined symbol ``name`` from package ``puller``."""
    return judge(rules, name, d, puller, puller_std, regabi_wrappers)[:2]
