"""One operation's contract compared: parameters, request body, responses, headers, security."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gate.changes import Change, differences
from gate.deprecation import SUNSET, deprecated_rule, sunset_rule
from gate.documents import Node, resolve
from gate.rules import RULES
from gate.schemas import Site, compare_schemas
from spec.pointer import escape

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Endpoint:
    """An operation as the gate knows it: where it is and the path item around it."""

    method: str
    path: str
    pointer: str

    @property
    def key(self) -> tuple[str, str]:
        """The path with its parameters' names left out, and the method: a rename is no change."""
        return (re.sub(r"\{[^}]*\}", "{}", self.path), self.method)

    @property
    def label(self) -> str:
        """`POST /appointments`."""
        return f"{self.method.upper()} {self.path}"


def endpoints(document: Mapping[str, Any]) -> dict[tuple[str, str], Endpoint]:
    """Every public operation of the document by its key; `x-internal` ones are nobody's."""
    found: dict[tuple[str, str], Endpoint] = {}
    paths = document.get("paths")
    for path, item in (paths or {}).items() if isinstance(paths, Mapping) else ():
        if not isinstance(item, Mapping):
            continue
        for method in METHODS:
            operation = item.get(method)
            if isinstance(operation, Mapping) and not operation.get("x-internal"):
                endpoint = Endpoint(method, path, f"/paths/{escape(path)}/{method}")
                found[endpoint.key] = endpoint
    return found


class OperationDiff:
    """The changes of one operation present in both documents."""

    def __init__(
        self, base: Mapping[str, Any], head: Mapping[str, Any], old: Endpoint, new: Endpoint
    ) -> None:
        self.base, self.head, self.old, self.new = base, head, old, new
        self.b = resolve(base, old.pointer).schema
        self.h = resolve(head, new.pointer).schema

    def changes(self) -> Iterator[Change]:
        """Every change of the operation, in a stable order."""
        yield from self._annotations()
        yield from self._security()
        yield from self._parameters()
        yield from self._request_body()
        yield from self._responses()

    def _change(
        self, rule: str, where: str, detail: str, pointer: str = "", *, in_base: bool = False
    ) -> Change:
        at = pointer or (self.old.pointer if in_base else self.new.pointer)
        return Change(RULES[rule], self.new.label, where, detail, at, in_base)

    def _annotations(self) -> Iterator[Change]:
        was, now = bool(self.b.get("deprecated")), bool(self.h.get("deprecated"))
        if was != now:
            rule = deprecated_rule(self.h) if now else "endpoint-reactivated"
            detail = (
                f"deprecated, sunset {self.h.get(SUNSET)}" if SUNSET in self.h else "deprecated"
            )
            yield self._change(rule, "", detail if now else "no longer deprecated")
        elif now and (moved := sunset_rule(self.b, self.h)) is not None:
            yield self._change(moved, SUNSET, f"{self.b.get(SUNSET)} -> {self.h.get(SUNSET)}")
        old_id, new_id = self.b.get("operationId"), self.h.get("operationId")
        if old_id != new_id:
            if old_id:
                yield self._change(
                    "api-operation-id-removed", "operationId", f"{old_id} -> {new_id}"
                )
            else:
                yield self._change("api-operation-id-added", "operationId", str(new_id))
        old_tags, new_tags = set(self.b.get("tags") or ()), set(self.h.get("tags") or ())
        for tag in sorted(old_tags - new_tags):
            yield self._change("api-tag-removed", "tags", tag)
        for tag in sorted(new_tags - old_tags):
            yield self._change("api-tag-added", "tags", tag)

    def _path_parameters_added(self) -> Iterator[Change]:
        old = _parameters(self.base, self.old, _item(self.old))
        new = _parameters(self.head, self.new, _item(self.new))
        for key in sorted(new.keys() - old.keys()):
            param = new[key].schema
            if param.get("in") != "path":
                kind = "required" if param.get("required") else "optional"
                rule = f"new-{kind}-request-default-parameter-to-existing-path"
                yield self._change(rule, _param_label(param), "added", new[key].pointer)

    def _security(self) -> Iterator[Change]:
        yield from security_changes(
            self.b.get("security"),
            self.h.get("security"),
            "api-security",
            self.new.label,
            self.new.pointer,
        )

    # ---- parameters ------------------------------------------------------------------------
    def _parameters(self) -> Iterator[Change]:
        # As oasdiff (without --flatten-params): the operation's own parameters are compared;
        # those of its path item count only when one is added.
        yield from self._path_parameters_added()
        old = _parameters(self.base, self.old, self.old.pointer)
        new = _parameters(self.head, self.new, self.new.pointer)
        for key in sorted(old.keys() - new.keys()):
            param = old[key].schema
            rule = "request-parameter-removed"
            if param.get("deprecated"):
                rule = "request-parameter-removed-with-deprecation"
            yield self._change(rule, _param_label(param), "removed", old[key].pointer, in_base=True)
        for key in sorted(new.keys() - old.keys()):
            param = new[key].schema
            if param.get("in") == "path":
                rule = "new-request-path-parameter"
            elif param.get("required"):
                rule = "new-required-request-parameter"
            else:
                rule = "new-optional-request-parameter"
            yield self._change(rule, _param_label(param), "added", new[key].pointer)
        for key in sorted(old.keys() & new.keys()):
            yield from self._parameter(old[key], new[key])

    def _parameter(self, old: Node, new: Node) -> Iterator[Change]:
        b, h = old.schema, new.schema
        where = _param_label(h)
        if bool(b.get("required")) != bool(h.get("required")):
            rule = "request-parameter-became-" + ("required" if h.get("required") else "optional")
            yield self._change(
                rule, where, "required" if h.get("required") else "optional", new.pointer
            )
        if bool(b.get("deprecated")) != bool(h.get("deprecated")):
            rule = "request-parameter-" + ("deprecated" if h.get("deprecated") else "reactivated")
            yield self._change(
                rule, where, "deprecated" if h.get("deprecated") else "reactivated", new.pointer
            )
        yield from self._value_schemas(old, new, Site("parameter", self.new.label, where, False))

    # ---- request body -------------------------------------------------------------------
    def _request_body(self) -> Iterator[Change]:
        has_old, has_new = "requestBody" in self.b, "requestBody" in self.h
        if not has_old and not has_new:
            return
        new = resolve(self.head, f"{self.new.pointer}/requestBody") if has_new else None
        old = resolve(self.base, f"{self.old.pointer}/requestBody") if has_old else None
        if old is None and new is not None:
            rule = "request-body-added-" + (
                "required" if new.schema.get("required") else "optional"
            )
            yield self._change(rule, "request body", "added", new.pointer)
            return
        if new is None and old is not None:
            yield self._change(
                "request-body-removed", "request body", "removed", old.pointer, in_base=True
            )
            return
        assert old is not None
        assert new is not None
        if bool(old.schema.get("required")) != bool(new.schema.get("required")):
            now = bool(new.schema.get("required"))
            rule = "request-body-became-" + ("required" if now else "optional")
            yield self._change(rule, "request body", "required" if now else "optional", new.pointer)
        yield from self._content(old, new, "request", "request body", "request-body-media-type")

    def _content(self, old: Node, new: Node, side: str, label: str, rule: str) -> Iterator[Change]:
        b, h = old.mapping("content"), new.mapping("content")
        b_pointer = f"{old.origin('content')}/content"
        h_pointer = f"{new.origin('content')}/content"
        pairs = _media_pairs(b, h)
        for media in sorted(b.keys() - {was for was, _ in pairs}):
            at = f"{b_pointer}/{escape(media)}"
            yield self._change(f"{rule}-removed", label, media, at, in_base=True)
        for media in sorted(h.keys() - {now for _, now in pairs}):
            yield self._change(f"{rule}-added", label, media, f"{h_pointer}/{escape(media)}")
        for was, now in pairs:
            if was != now and side == "response":
                yield self._change(
                    _renamed(was, now), label, f"{was} -> {now}", f"{h_pointer}/{escape(now)}"
                )
            old_media, new_media = b[was], h[now]
            if not (isinstance(old_media, Mapping) and isinstance(new_media, Mapping)):
                continue
            if "schema" in old_media and "schema" in new_media:
                site = Site(side, self.new.label, f"{label} {now}", _json(now))
                yield from compare_schemas(
                    self.base,
                    self.head,
                    site,
                    f"{b_pointer}/{escape(was)}/schema",
                    f"{h_pointer}/{escape(now)}/schema",
                )

    # ---- responses ----------------------------------------------------------------------
    def _responses(self) -> Iterator[Change]:
        b = resolve(self.base, self.old.pointer).mapping("responses")
        h = resolve(self.head, self.new.pointer).mapping("responses")
        old_pointer, new_pointer = f"{self.old.pointer}/responses", f"{self.new.pointer}/responses"
        for how, status in differences(b, h):
            kind = _status_kind(status)
            if kind:
                removed = how == "removed"
                at = f"{old_pointer if removed else new_pointer}/{status}"
                rule = f"response-{kind}-status-{how}"
                yield self._change(rule, "responses", str(status), at, in_base=removed)
        for status in sorted(b.keys() & h.keys(), key=str):
            old = resolve(self.base, f"{old_pointer}/{status}")
            new = resolve(self.head, f"{new_pointer}/{status}")
            yield from self._headers(old, new, str(status))
            yield from self._content(
                old, new, "response", f"response {status}", "response-media-type"
            )

    def _headers(self, old: Node, new: Node, status: str) -> Iterator[Change]:
        b = {k.lower(): k for k in old.mapping("headers")}
        h = {k.lower(): k for k in new.mapping("headers")}
        b_pointer, h_pointer = (
            f"{old.origin('headers')}/headers",
            f"{new.origin('headers')}/headers",
        )
        for name in sorted(b.keys() - h.keys()):
            header = resolve(self.base, f"{b_pointer}/{escape(b[name])}")
            rule = "required" if header.schema.get("required") else "optional"
            where = f"response {status} header {b[name]}"
            # Point at the response that lost it: it is still in the new spec, the header not.
            yield self._change(f"{rule}-response-header-removed", where, b[name], new.pointer)
        for name in sorted(h.keys() - b.keys()):
            where = f"response {status} header {h[name]}"
            at = f"{h_pointer}/{escape(h[name])}"
            yield self._change("response-header-added", where, h[name], at)
        for name in sorted(b.keys() & h.keys()):
            was = resolve(self.base, f"{b_pointer}/{escape(b[name])}")
            now = resolve(self.head, f"{h_pointer}/{escape(h[name])}")
            where = f"response {status} header {h[name]}"
            if was.schema.get("required") is True and not now.schema.get("required"):
                yield self._change("response-header-became-optional", where, h[name], now.pointer)
            yield from self._value_schemas(was, now, Site("header", self.new.label, where, False))

    def _value_schemas(self, old: Node, new: Node, site: Site) -> Iterator[Change]:
        """The `schema` of a parameter or header against its new one; texts, not JSON."""
        if isinstance(old.schema.get("schema"), Mapping) and isinstance(
            new.schema.get("schema"), Mapping
        ):
            b_at, h_at = f"{old.origin('schema')}/schema", f"{new.origin('schema')}/schema"
            yield from compare_schemas(self.base, self.head, site, b_at, h_at)


def security_changes(
    old: Any, new: Any, prefix: str, operation: str, pointer: str
) -> Iterator[Change]:
    """Security requirements added or removed, and scopes within one requirement."""
    b, h = _requirements(old), _requirements(new)
    for how, names in differences(b, h):
        yield Change(RULES[f"{prefix}-{how}"], operation, "security", " + ".join(names), pointer)
    for names in sorted(b.keys() & h.keys()):
        for how, scope in differences(b[names], h[names]):
            detail = f"{' + '.join(names)}: {scope}"
            yield Change(RULES[f"{prefix}-scope-{how}"], operation, "security", detail, pointer)


def _requirements(security: Any) -> dict[tuple[str, ...], set[str]]:
    """Each requirement (the schemes it needs together) and the scopes it asks for."""
    found: dict[tuple[str, ...], set[str]] = {}
    for requirement in security if isinstance(security, list) else ():
        if isinstance(requirement, Mapping):
            names = tuple(sorted(requirement))
            found[names] = {
                f"{name}:{scope}" if len(names) > 1 else str(scope)
                for name in names
                for scope in requirement[name] or ()
            }
    return found


def _parameters(
    document: Mapping[str, Any], endpoint: Endpoint, *holders: str
) -> dict[tuple[str, str], Node]:
    """The parameters listed at `holders` (the operation, its path item), by location and name.

    Path parameters go by their place in the template, so renaming `{id}` changes nothing.
    """
    template = re.findall(r"\{([^}]*)\}", endpoint.path)
    found: dict[tuple[str, str], Node] = {}
    for holder in holders:
        listed = resolve(document, holder).schema.get("parameters")
        for index in range(len(listed) if isinstance(listed, list) else 0):
            param = resolve(document, f"{holder}/parameters/{index}")
            where, name = str(param.schema.get("in", "")), str(param.schema.get("name", ""))
            if where == "path" and name in template:
                name = f"#{template.index(name)}"
            elif where == "header":
                name = name.lower()
            found[(where, name)] = param
    return found


def _item(endpoint: Endpoint) -> str:
    """The pointer of the path item that holds the operation."""
    return endpoint.pointer.rsplit("/", 1)[0]


def _param_label(param: Mapping[str, Any]) -> str:
    return f"parameter {param.get('in')} {param.get('name')}"


def _status_kind(status: Any) -> str | None:
    """`success` for a 2xx, `non-success` for any other number; None for `default` or `4XX`."""
    text = str(status)
    if not text.isdigit():
        return None
    return "success" if 200 <= int(text) <= 299 else "non-success"


def _json(media: str) -> bool:
    base = media.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def _media_pairs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Media types in both, then each renamed one paired as oasdiff pairs them (json, x+json)."""
    pairs = [(name, name) for name in sorted(old.keys() & new.keys())]
    gone = sorted(old.keys() - new.keys())
    for name in sorted(new.keys() - old.keys()):
        match = next((g for g in gone if _contained(g, name) or _contained(name, g)), None)
        if match is not None:
            gone.remove(match)
            pairs.append((match, name))
    return pairs


def _media_parts(media: str) -> tuple[str, str, str, str] | None:
    """Type, subtype, suffix and parameters of a media type name; None when it is no such name."""
    name, _, parameters = media.partition(";")
    kind, slash, subtype = name.strip().lower().partition("/")
    if not slash or subtype.count("+") > 1:
        return None
    subtype, _, suffix = subtype.partition("+")
    return kind, subtype, suffix, parameters.strip()


def _contained(old: str, new: str) -> bool:
    """Whether each body of media type `new` is one of `old` (`application/problem+json`: json)."""
    was, now = _media_parts(old), _media_parts(new)
    if was is None or now is None or was[0] != now[0]:
        return False
    if not was[2] and now[2] == was[1]:
        return True
    return was[1:3] == now[1:3]


def _renamed(old: str, new: str) -> str:
    """The rule of a response media type renamed to a related one."""
    was, now = _media_parts(old), _media_parts(new)
    if was is not None and now is not None and was[3] != now[3]:
        return "response-media-type-name-changed"
    if _contained(old, new):
        return "response-media-type-name-specialized"
    return "response-media-type-name-generalized"
