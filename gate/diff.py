"""Every difference between two versions of the spec, each under one rule of `gate.rules`.

Only public operations count: an `x-internal` operation (test control) is nobody's contract.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from gate.changes import Change, Level, differences
from gate.deprecation import removal_rule
from gate.operations import Endpoint, OperationDiff, endpoints, security_changes
from gate.rules import RULES
from spec.lifecycle import Lifecycle
from spec.pointer import escape


def compare(base: Mapping[str, Any], head: Mapping[str, Any]) -> list[Change]:
    """Every change from the `base` document to `head` (both parsed, not yet resolved)."""
    changes = [
        *_endpoints(base, head),
        *security_changes(
            base.get("security"), head.get("security"), "api-global-security", "", "/security"
        ),
        *_components(base, head),
        *_lifecycles(base, head),
    ]
    return changes + list(_versioning(base, head, changes))


def _endpoints(base: Mapping[str, Any], head: Mapping[str, Any]) -> Iterator[Change]:
    old, new = endpoints(base), endpoints(head)
    kept_paths = {path for path, _ in new}
    for key in sorted(old.keys() - new.keys()):
        gone = old[key]
        rule = removal_rule(_operation(base, gone), whole_path=key[0] not in kept_paths)
        if rule is not None:
            yield Change(RULES[rule], gone.label, "", "removed", gone.pointer, in_base=True)
    for key in sorted(new.keys() - old.keys()):
        yield Change(RULES["endpoint-added"], new[key].label, "", "added", new[key].pointer)
    for key in sorted(old.keys() & new.keys()):
        yield from OperationDiff(base, head, old[key], new[key]).changes()


def _operation(document: Mapping[str, Any], endpoint: Endpoint) -> Mapping[str, Any]:
    found = document["paths"][endpoint.path][endpoint.method]
    return found if isinstance(found, Mapping) else {}


def _components(base: Mapping[str, Any], head: Mapping[str, Any]) -> Iterator[Change]:
    def section(document: Mapping[str, Any], name: str) -> Mapping[str, Any]:
        found = (document.get("components") or {}).get(name)
        return found if isinstance(found, Mapping) else {}

    old, new = section(base, "schemas"), section(head, "schemas")
    for name in sorted(old.keys() - new.keys()):
        pointer = f"/components/schemas/{escape(name)}"
        yield Change(RULES["api-schema-removed"], "components", "schemas", name, pointer, True)
    old, new = section(base, "securitySchemes"), section(head, "securitySchemes")
    for name in sorted(old.keys() - new.keys()):
        pointer = f"/components/securitySchemes/{escape(name)}"
        yield Change(
            RULES["api-security-component-removed"],
            "components",
            "securitySchemes",
            name,
            pointer,
            True,
        )
    for name in sorted(new.keys() - old.keys()):
        pointer = f"/components/securitySchemes/{escape(name)}"
        yield Change(
            RULES["api-security-component-added"], "components", "securitySchemes", name, pointer
        )
    for name in sorted(old.keys() & new.keys()):
        was, now = _scheme(old[name]), _scheme(new[name])
        if was != now:
            pointer = f"/components/securitySchemes/{escape(name)}"
            rule = RULES["api-security-component-type-changed"]
            yield Change(rule, "components", f"securitySchemes {name}", f"{was} -> {now}", pointer)


def _lifecycles(base: Mapping[str, Any], head: Mapping[str, Any]) -> Iterator[Change]:
    if not isinstance(base.get("x-lifecycle"), Mapping) or not isinstance(
        head.get("x-lifecycle"), Mapping
    ):
        return
    old, new = (
        Lifecycle.from_extension(base["x-lifecycle"]),
        Lifecycle.from_extension(head["x-lifecycle"]),
    )
    old_edges = {(e.source, e.target, e.by) for e in old.edges}
    new_edges = {(e.source, e.target, e.by) for e in new.edges}
    for how, (source, target, by) in differences(old_edges, new_edges):
        rule = RULES[f"lifecycle-edge-{how}"]
        detail = f"{source} -> {target} ({by})"
        yield Change(rule, "x-lifecycle", "edges", detail, "/x-lifecycle", how == "removed")
    for how, name in differences(old.staged_mutable_fields, new.staged_mutable_fields):
        rule = RULES["staged-field-frozen" if how == "removed" else "staged-field-unfrozen"]
        yield Change(rule, "x-lifecycle", "staged fields", name, "/x-lifecycle")


def _scheme(scheme: Any) -> str:
    """A security scheme's kind: `http/bearer`, `apiKey/header`, `oauth2`."""
    if not isinstance(scheme, Mapping):
        return "?"
    detail = scheme.get("scheme") or scheme.get("in")
    return f"{scheme.get('type')}/{detail}" if detail else str(scheme.get("type"))


# semver.org's grammar, with oasdiff's optional `v`: a version in any other scheme is not judged.
_SEMVER = re.compile(
    r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


def _versioning(
    base: Mapping[str, Any], head: Mapping[str, Any], changes: list[Change]
) -> Iterator[Change]:
    """oasdiff's versioning policy: a change that breaks clients needs a major version bump."""
    if not any(change.level is Level.ERROR for change in changes):
        return
    old, new = _version(base), _version(head)
    old_parts, new_parts = _SEMVER.match(old), _SEMVER.match(new)
    if old_parts is None or new_parts is None:
        return
    was = tuple(int(n) for n in old_parts.groups()[:3])
    now = tuple(int(n) for n in new_parts.groups()[:3])
    # Below 1.0.0 the minor number plays the major's part (semver: anything may change).
    major = 1 if was[0] == 0 and now[0] == 0 else 0
    if old == new:
        rule = "api-version-not-bumped"
    elif now <= was:
        rule = "api-version-decreased"
    elif now[major] <= was[major]:
        rule = "api-major-version-not-bumped"
    else:
        return
    yield Change(RULES[rule], "info", "version", f"{old} -> {new}", "/info/version")


def _version(document: Mapping[str, Any]) -> str:
    info = document.get("info")
    return str(info.get("version", "")) if isinstance(info, Mapping) else ""
