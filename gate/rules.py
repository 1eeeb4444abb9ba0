"""The rule table: every kind of change the gate knows, its severity, and oasdiff's id for it.

Ids are oasdiff's own wherever oasdiff has the rule, with its level (ERR, WARN, INFO), so a team
moving between the two tools reads the same verdicts. Rules oasdiff lacks (closedness, lengths set
where none was, the lifecycle) have ids of ours and `oasdiff` None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from gate.changes import Level, Rule

# Short names keep the table one rule a line: E error, W warning, N info (a note).
E, W, N = Level.ERROR, Level.WARNING, Level.INFO

# Why each family hurts, in a client's words; a rule's id picks its family's sentence.
_SENT = "values clients sent may now be refused"
_MORE = "servers accept more than before"
_READ = "clients meet values they were told could not come"
_FEWER = "servers send fewer kinds of values than before"

# (id, level, why); the id is oasdiff's unless listed in _OURS.
_TABLE: tuple[tuple[str, Level, str], ...] = (
    # ---- paths and operations ------------------------------------------------------------
    ("endpoint-added", N, "a new operation; nothing clients do changes"),
    ("api-path-removed-without-deprecation", E, "clients calling it get 404"),
    ("api-path-removed-with-deprecation", N, "it was deprecated first, as clients were told"),
    ("api-removed-without-deprecation", E, "clients calling it get 404 or 405"),
    ("api-removed-with-deprecation", N, "it was deprecated first, as clients were told"),
    ("endpoint-deprecated", N, "clients are told to move off it"),
    ("endpoint-deprecated-with-sunset", N, "clients are told the day it goes"),
    ("api-deprecated-sunset-parse", E, "its x-sunset is no date"),
    ("api-path-sunset-parse", E, "its x-sunset is no date"),
    ("api-sunset-date-too-small", E, "its sunset gives clients no notice"),
    ("api-sunset-date-changed-too-small", E, "its sunset moved closer, into the past"),
    ("sunset-deleted", E, "clients lose the day it goes"),
    ("api-path-removed-before-sunset", E, "clients were promised it until its sunset"),
    ("api-removed-before-sunset", E, "clients were promised it until its sunset"),
    ("endpoint-reactivated", N, "it is no longer deprecated"),
    (
        "api-operation-id-removed",
        N,
        "generated clients name the call after it: code calling the old name stops compiling",
    ),
    ("api-operation-id-added", N, "generated clients get a named call"),
    ("api-tag-added", N, "documentation grouping only"),
    ("api-tag-removed", N, "documentation grouping only"),
    ("api-schema-removed", N, "no operation used it"),
    ("api-version-not-bumped", N, "a change that breaks clients kept the version"),
    ("api-version-decreased", N, "a change that breaks clients lowered the version"),
    ("api-major-version-not-bumped", N, "a change that breaks clients bumped less than the major"),
    # ---- security ------------------------------------------------------------------------
    ("api-global-security-added", N, "clients may need to send credentials they did not"),
    ("api-global-security-removed", N, "clients may stop sending credentials"),
    ("api-global-security-scope-added", N, "tokens may need a new scope"),
    ("api-global-security-scope-removed", N, "tokens need one scope fewer"),
    ("api-security-added", N, "clients may need to send credentials they did not"),
    ("api-security-removed", N, "clients may stop sending credentials"),
    ("api-security-scope-added", N, "tokens may need a new scope"),
    ("api-security-scope-removed", N, "tokens need one scope fewer"),
    ("api-security-component-added", N, "a new way to authenticate"),
    ("api-security-component-removed", N, "a way to authenticate is gone"),
    ("api-security-component-type-changed", N, "clients authenticate another way"),
    # ---- parameters ----------------------------------------------------------------------
    ("new-request-path-parameter", E, "every URL clients build lacks it"),
    ("new-required-request-parameter", E, "clients that do not send it get 400"),
    ("new-optional-request-parameter", N, "clients may send it"),
    ("new-required-request-default-parameter-to-existing-path", E, "clients that omit it get 400"),
    ("new-optional-request-default-parameter-to-existing-path", N, "clients may send it"),
    ("request-parameter-removed", W, "clients sending it may be refused or ignored"),
    ("request-parameter-removed-with-deprecation", N, "it was deprecated first"),
    ("request-parameter-became-required", E, "clients that omit it get 400"),
    ("request-parameter-became-optional", N, "clients may omit it"),
    ("request-parameter-deprecated", N, "clients are told to stop sending it"),
    ("request-parameter-reactivated", N, "it is no longer deprecated"),
    ("request-parameter-type-changed", E, _SENT),
    ("request-parameter-type-generalized", N, _MORE),
    ("request-parameter-list-of-types-widened", N, _MORE),
    ("request-parameter-list-of-types-narrowed", E, _SENT),
    ("request-parameter-became-enum", E, _SENT),
    ("request-parameter-enum-value-added", N, _MORE),
    ("request-parameter-enum-value-removed", E, _SENT),
    ("request-parameter-became-nullable", N, _MORE),
    ("request-parameter-became-not-nullable", E, _SENT),
    ("request-parameter-default-value-added", E, "clients that omit it get another behaviour"),
    ("request-parameter-default-value-removed", E, "clients that omit it get another behaviour"),
    ("request-parameter-default-value-changed", E, "clients that omit it get another behaviour"),
    ("request-parameter-max-set", W, _SENT),
    ("request-parameter-exclusive-max-set", W, _SENT),
    ("request-parameter-max-decreased", E, _SENT),
    ("request-parameter-exclusive-max-decreased", E, _SENT),
    ("request-parameter-max-increased", N, _MORE),
    ("request-parameter-exclusive-max-increased", N, _MORE),
    ("request-parameter-min-set", W, _SENT),
    ("request-parameter-exclusive-min-set", W, _SENT),
    ("request-parameter-min-increased", E, _SENT),
    ("request-parameter-exclusive-min-increased", E, _SENT),
    ("request-parameter-min-decreased", N, _MORE),
    ("request-parameter-exclusive-min-decreased", N, _MORE),
    ("request-parameter-max-length-set", W, _SENT),
    ("request-parameter-max-length-decreased", E, _SENT),
    ("request-parameter-max-length-increased", N, _MORE),
    ("request-parameter-min-length-increased", E, _SENT),
    ("request-parameter-min-length-decreased", N, _MORE),
    ("request-parameter-max-items-decreased", E, _SENT),
    ("request-parameter-max-items-increased", N, _MORE),
    ("request-parameter-min-items-increased", E, _SENT),
    ("request-parameter-min-items-decreased", N, _MORE),
    ("request-parameter-pattern-added", E, _SENT),
    ("request-parameter-pattern-changed", W, _SENT),
    ("request-parameter-pattern-generalized", N, _MORE),
    ("request-parameter-pattern-removed", N, _MORE),
    # ---- request bodies ------------------------------------------------------------------
    ("request-body-added-required", E, "clients that send no body get 400"),
    ("request-body-added-optional", N, "clients may send a body"),
    ("request-body-removed", E, "clients sending a body may be refused"),
    ("request-body-became-required", E, "clients that send no body get 400"),
    ("request-body-became-optional", N, "clients may leave the body out"),
    ("request-body-media-type-added", N, "clients may send another media type"),
    ("request-body-media-type-removed", E, "clients sending it get 415"),
    ("request-body-enum-value-removed", E, _SENT),
    ("response-mediatype-enum-value-removed", N, _FEWER),
    ("new-required-request-property", E, "clients that omit it get 400"),
    ("new-required-request-property-with-default", E, "clients that omit it get 400"),
    ("new-optional-request-property", N, "clients may send it"),
    ("request-property-removed", W, "bodies may be closed: clients sending it can get 400"),
    ("request-property-became-required", E, "clients that omit it get 400"),
    ("request-property-became-optional", N, "clients may omit it"),
    ("request-property-deprecated", N, "clients are told to stop sending it"),
    ("request-property-reactivated", N, "it is no longer deprecated"),
    ("request-optional-property-became-read-only", N, "clients stop sending it"),
    ("request-optional-property-became-not-read-only", N, "clients may send it"),
    ("request-optional-property-became-write-only", N, "annotation only in requests"),
    ("request-optional-property-became-not-write-only", N, "annotation only in requests"),
    ("request-required-property-became-read-only", N, "clients stop sending it"),
    ("request-required-property-became-not-read-only", N, "clients may send it"),
    ("request-required-property-became-write-only", N, "annotation only in requests"),
    ("request-required-property-became-not-write-only", N, "annotation only in requests"),
    # ---- responses -----------------------------------------------------------------------
    ("response-success-status-added", N, "clients may meet another success status"),
    ("response-success-status-removed", E, "clients check the status they were promised"),
    ("response-non-success-status-added", N, "a new documented failure"),
    ("response-non-success-status-removed", N, "one documented failure fewer"),
    ("response-media-type-added", N, "servers may answer another media type"),
    ("response-media-type-removed", E, "clients expecting it get another or none"),
    ("response-media-type-name-generalized", E, "clients meet bodies of a wider media type"),
    ("response-media-type-name-specialized", N, "servers answer a narrower media type"),
    ("response-media-type-name-changed", N, "the media type's parameters changed"),
    ("response-header-added", N, "clients may read it"),
    ("required-response-header-removed", E, "clients reading it find nothing"),
    ("optional-response-header-removed", W, "clients reading it find nothing"),
    ("response-header-became-optional", E, "clients reading it may find nothing"),
    ("response-header-type-changed", E, _READ),
    ("response-header-type-generalized", E, _READ),
    ("response-header-type-specialized", N, _FEWER),
    ("response-header-became-nullable", E, _READ),
    ("response-header-became-not-nullable", N, _FEWER),
    ("response-required-property-removed", E, "clients reading it find nothing"),
    ("response-optional-property-removed", W, "clients reading it find nothing"),
    ("response-required-property-added", N, "clients may read more"),
    ("response-optional-property-added", N, "clients may read more"),
    ("response-property-became-optional", E, "clients reading it may find nothing"),
    ("response-property-became-required", N, "clients can rely on it"),
    ("response-required-write-only-property-removed", N, "it was never sent"),
    ("response-required-write-only-property-added", N, "it is never sent"),
    ("response-optional-write-only-property-removed", N, "it was never sent"),
    ("response-optional-write-only-property-added", N, "it is never sent"),
    ("response-property-deprecated", N, "clients are told to stop reading it"),
    ("response-property-reactivated", N, "it is no longer deprecated"),
    ("response-optional-property-became-read-only", N, "annotation only in responses"),
    ("response-optional-property-became-not-read-only", N, "annotation only in responses"),
    ("response-optional-property-became-write-only", N, "clients stop getting it"),
    ("response-optional-property-became-not-write-only", N, "clients may get it"),
    ("response-required-property-became-read-only", N, "annotation only in responses"),
    ("response-required-property-became-not-read-only", N, "annotation only in responses"),
    ("response-required-property-became-write-only", N, "clients stop getting it"),
    ("response-required-property-became-not-write-only", W, "clients now get it"),
    # ---- the lifecycle (ours) ------------------------------------------------------------
    ("lifecycle-edge-removed", E, "a transition clients rely on is gone"),
    ("lifecycle-edge-added", N, "clients may meet records that took a new transition"),
    ("staged-field-frozen", E, "clients can no longer change it once staged"),
    ("staged-field-unfrozen", N, "clients may change it once staged"),
)

# Schema rules come in families: the same keyword for a request body or property, a response
# body or property. (suffix, request level, response level); None where the side has no rule.
_SCHEMA: tuple[tuple[str, Level | None, Level | None], ...] = (
    ("type-changed", E, E),
    ("type-generalized", N, E),
    ("type-specialized", None, N),
    ("list-of-types-widened", N, E),
    ("list-of-types-narrowed", E, N),
    ("became-nullable", N, E),
    ("became-not-nullable", E, N),
    ("became-enum", E, None),
    ("const-added", E, N),
    ("const-removed", N, E),
    ("const-changed", E, E),
    ("default-value-added", N, N),
    ("default-value-removed", N, N),
    ("default-value-changed", N, N),
    ("max-set", W, None),
    ("exclusive-max-set", W, None),
    ("max-decreased", E, None),
    ("exclusive-max-decreased", E, None),
    ("max-increased", N, E),
    ("exclusive-max-increased", N, E),
    ("min-set", W, None),
    ("exclusive-min-set", W, None),
    ("min-increased", E, None),
    ("exclusive-min-increased", E, None),
    ("min-decreased", N, E),
    ("exclusive-min-decreased", N, E),
    ("max-length-set", W, None),
    ("max-length-decreased", E, None),
    ("max-length-increased", N, E),
    ("max-length-unset", None, E),
    ("min-length-increased", E, None),
    ("min-length-decreased", N, E),
    # No min-items-set or -unset: a count left out is 0, so setting one is an increase.
    ("min-items-increased", E, None),
    ("min-items-decreased", None, E),
    ("one-of-added", N, E),
    ("one-of-removed", E, N),
    ("any-of-added", N, N),
    ("any-of-removed", E, N),
    ("all-of-added", E, N),
    ("all-of-removed", W, N),
    ("all-of-added-annotation-only", N, N),
    ("all-of-removed-annotation-only", N, N),
)
# JSON Schema 2020-12 keywords whose presence alone constrains values: adding one narrows.
# (suffix, request level, response level); prefixItems is the other way round (it loosens).
_PRESENCE = ("if", "then", "else", "contains", "property-names", "unevaluated-items")
_PRESENCE_SCHEMA: tuple[tuple[str, Level | None, Level | None], ...] = (
    *((f"{name}-added", E, N) for name in (*_PRESENCE, "unevaluated-properties")),
    *((f"{name}-removed", N, E) for name in (*_PRESENCE, "unevaluated-properties")),
    *((f"{name}-added", E, N) for name in ("content-schema", "dependent-schema")),
    *((f"{name}-removed", N, E) for name in ("content-schema", "dependent-schema")),
    ("dependent-required-added", E, N),
    ("dependent-required-removed", N, E),
    ("dependent-required-changed", E, E),
    ("content-media-type-changed", E, E),
    ("content-encoding-changed", E, E),
    ("prefix-items-added", N, E),
    ("prefix-items-removed", E, N),
    ("min-contains-increased", E, N),
    ("min-contains-decreased", N, E),
    ("max-contains-increased", N, E),
    ("max-contains-decreased", E, N),
    ("discriminator-added", N, N),
    ("discriminator-removed", N, N),
    ("discriminator-property-name-changed", N, N),
)
# Property-only schema rules (oasdiff has no body-level twin): enums and patterns.
_PROPERTY: tuple[tuple[str, Level | None, Level | None], ...] = (
    ("enum-value-added", N, W),
    ("enum-value-removed", E, N),
    ("pattern-added", E, N),
    ("pattern-changed", W, N),
    ("pattern-generalized", N, None),
    ("pattern-removed", N, N),
)
# Rules of ours (oasdiff has none): bounds it does not compare, and closedness.
_OURS_SCHEMA: tuple[tuple[str, Level | None, Level | None], ...] = (
    ("max-items-set", W, None),
    ("max-items-decreased", E, None),
    ("max-items-increased", N, E),
    ("max-items-unset", None, E),
    ("became-closed", E, N),
    ("became-open", N, W),
)
_OURS = frozenset(
    {"lifecycle-edge-removed", "lifecycle-edge-added", "staged-field-frozen"}
    | {"staged-field-unfrozen"}
)


def _why(level: Level, direction: str) -> str:
    # A request change that is only a note lets clients send more; a response one sends less.
    if direction == "request":
        return _MORE if level is N else _SENT
    return _FEWER if level is N else _READ


def _schema_rules() -> Iterator[tuple[str, Level, str, bool]]:
    families = ((_SCHEMA, True), (_PRESENCE_SCHEMA, True), (_PROPERTY, True), (_OURS_SCHEMA, False))
    for family, theirs in families:
        for suffix, request, response in family:
            for direction, level in (("request", request), ("response", response)):
                if level is None:
                    continue
                for part in ("body", "property"):
                    if family is _PROPERTY and part == "body":
                        continue
                    yield f"{direction}-{part}-{suffix}", level, _why(level, direction), theirs


def _rules() -> dict[str, Rule]:
    rules = {
        rule_id: Rule(rule_id, level, why, None if rule_id in _OURS else rule_id)
        for rule_id, level, why in _TABLE
    }
    for rule_id, level, why, theirs in _schema_rules():
        rules[rule_id] = Rule(rule_id, level, why, rule_id if theirs else None)
    # A read-only property is the server's: constraints on it in a request bind nobody.
    for suffix in ("enum-value-removed", "max-decreased", "max-length-decreased", "min-increased"):
        rule_id = f"request-read-only-property-{suffix}"
        rules[rule_id] = Rule(rule_id, N, "clients do not send read-only members", rule_id)
    return rules


RULES: Mapping[str, Rule] = _rules()
