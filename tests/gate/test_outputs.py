"""The gate's renderers: text report, JSON, markdown changelog and GitHub annotations."""

from __future__ import annotations

import json

from gate.acknowledgements import Acknowledgement
from gate.changes import Change, Level, Rule
from gate.outcome import Outcome
from gate.outputs import github, json_report, markdown, text

ENUM_REMOVED = Rule(
    "request-property-enum-value-removed",
    Level.ERROR,
    "clients that send it are refused",
    "request-property-enum-value-removed",
)
HEADER_REMOVED = Rule(
    "required-response-header-removed", Level.ERROR, "clients that read it break", None
)
EDGE_REMOVED = Rule("lifecycle-edge-removed", Level.ERROR, "a client's transition is gone", None)
MAX_LENGTH = Rule(
    "request-property-max-length-decreased", Level.WARNING, "longer values fail", None
)
STATUS_ADDED = Rule("response-success-status-added", Level.INFO, "a new success to handle", None)

RIDESHARE = Change(
    ENUM_REMOVED,
    "PUT /appointments/{id}",
    "request body application/json /transportation_type",
    "'rideshare'",
    "/paths/~1appointments~1{id}/put/requestBody/content/application~1json/schema/enum/1",
    in_base=True,
)
AUTHENTICATE = Change(
    HEADER_REMOVED,
    "POST /appointments",
    "response 401 header WWW-Authenticate",
    "WWW-Authenticate",
    "/paths/~1appointments/post/responses/401/headers/WWW-Authenticate",
    in_base=True,
)
EDGE = Change(EDGE_REMOVED, "x-lifecycle", "edges", "new -> pending (client)")
NOTES = Change(
    MAX_LENGTH,
    "PUT /appointments/{id}",
    "request body application/json /notes",
    "500 -> 200",
    "/paths/~1appointments~1{id}/put/requestBody/content/application~1json/schema/properties/notes",
)
CREATED = Change(
    STATUS_ADDED,
    "POST /appointments",
    "responses",
    "200",
    "/paths/~1appointments/post/responses/200",
)

ACCEPTED = Acknowledgement(
    ENUM_REMOVED.id,
    "PUT /appointments/{id}",
    None,
    "rideshare is withdrawn (API-123)",
    "jane.doe",
    "2026-12-01",
    1,
)
STALE = Acknowledgement(
    HEADER_REMOVED.id, "DELETE /appointments/{id}", "response 204", "gone", "sam", None, 3
)

BASE_SPEC = """\
openapi: 3.1.0
paths:
  /appointments:
    post:
      responses:
        "401":
          description: Unauthorized
          headers:
            WWW-Authenticate:
              schema: {type: string}
  /appointments/{id}:
    put:
      requestBody:
        content:
          application/json:
            schema:
              enum: [valet, rideshare]
"""
HEAD_SPEC = """\
openapi: 3.1.0
paths:
  /appointments:
    post:
      responses:
        "200":
          description: OK
        "401":
          description: Unauthorized
  /appointments/{id}:
    put:
      requestBody:
        content:
          application/json:
            schema:
              enum:
                - valet
              properties:
                notes: {type: string, maxLength: 200}
"""


def _outcome(
    *changes: Change,
    acknowledged: dict[Change, Acknowledgement] | None = None,
    stale: tuple[Acknowledgement, ...] = (),
    fail_on: Level = Level.ERROR,
    allow_breaking: bool = False,
) -> Outcome:
    return Outcome(
        "origin/main",
        "spec/openapi.yaml",
        changes,
        fail_on,
        acknowledged or {},
        stale,
        allow_breaking,
    )


MIXED = _outcome(
    RIDESHARE, CREATED, NOTES, EDGE, acknowledged={RIDESHARE: ACCEPTED}, stale=(STALE,)
)


def test_text_groups_changes_by_level_highest_first_with_acceptance_and_verdict() -> None:
    assert text(MIXED).splitlines() == [
        "hopdrive-gate: 4 change(s) since origin/main",
        "error (breaks clients):",
        "  request-property-enum-value-removed: PUT /appointments/{id} request body "
        "application/json /transportation_type: 'rideshare' (clients that send it are refused)"
        " [accepted by jane.doe: rideshare is withdrawn (API-123)]",
        "  lifecycle-edge-removed: x-lifecycle edges: new -> pending (client)"
        " (a client's transition is gone)",
        "warning (may break clients):",
        "  request-property-max-length-decreased: PUT /appointments/{id} request body "
        "application/json /notes: 500 -> 200 (longer values fail)",
        "info:",
        "  response-success-status-added: POST /appointments responses: 200"
        " (a new success to handle)",
        "stale acknowledgements (they match no change; remove them):",
        "  entry 3: required-response-header-removed DELETE /appointments/{id} response 204",
        "FAIL: 1 change(s) at or above error not acknowledged (1 acknowledged)",
    ]


def test_text_without_changes_says_so_and_passes() -> None:
    assert text(_outcome()).splitlines() == [
        "hopdrive-gate: no changes to the public contract since origin/main",
        "PASS: no unacknowledged change at or above error",
    ]


def test_text_verdict_passes_when_every_change_at_the_bar_is_acknowledged() -> None:
    outcome = _outcome(RIDESHARE, NOTES, acknowledged={RIDESHARE: ACCEPTED})
    assert text(outcome).splitlines()[-1] == (
        "PASS: no unacknowledged change at or above error (1 acknowledged)"
    )


def test_text_verdict_counts_warnings_against_a_warning_bar() -> None:
    outcome = _outcome(RIDESHARE, NOTES, acknowledged={RIDESHARE: ACCEPTED}, fail_on=Level.WARNING)
    assert text(outcome).splitlines()[-1] == (
        "FAIL: 1 change(s) at or above warning not acknowledged (1 acknowledged)"
    )


def test_text_verdict_under_allow_breaking_passes_naming_what_fails() -> None:
    outcome = _outcome(RIDESHARE, EDGE, allow_breaking=True)
    assert text(outcome).splitlines()[-1] == (
        "PASS (--allow-breaking): 2 change(s) at or above error not acknowledged"
    )


def test_text_puts_a_multi_line_reason_on_its_change_line() -> None:
    entry = Acknowledgement(ENUM_REMOVED.id, "*", None, "first\nsecond\n", "jane", None, 1)
    report = text(_outcome(RIDESHARE, acknowledged={RIDESHARE: entry}))
    assert "[accepted by jane: first second]" in report.splitlines()[2]


def test_json_report_round_trips_with_acceptance_and_stale_entries() -> None:
    report = json.loads(json_report(MIXED))
    assert {key: report[key] for key in ("base", "head", "fail_on", "passed")} == {
        "base": "origin/main",
        "head": "spec/openapi.yaml",
        "fail_on": "error",
        "passed": False,
    }
    assert [change["id"] for change in report["changes"]] == [
        RIDESHARE.rule.id,
        CREATED.rule.id,
        NOTES.rule.id,
        EDGE.rule.id,
    ]
    assert report["changes"][0] == RIDESHARE.as_dict() | {
        "acknowledged": {
            "reason": "rideshare is withdrawn (API-123)",
            "accepted_by": "jane.doe",
            "entry": 1,
        }
    }
    assert report["changes"][3]["acknowledged"] is None
    assert report["stale"] == [
        {
            "entry": 3,
            "rule": "required-response-header-removed",
            "operation": "DELETE /appointments/{id}",
            "where": "response 204",
        }
    ]


def test_json_report_passes_when_breaking_changes_are_allowed() -> None:
    report = json.loads(json_report(_outcome(EDGE, allow_breaking=True)))
    assert report["passed"] is True
    assert report["stale"] == []


def test_markdown_sections_group_changes_by_operation() -> None:
    assert markdown(MIXED).splitlines() == [
        "## API changes since origin/main",
        "",
        "**2 breaking** (1 accepted), 1 warning, 1 info — **the gate fails**: "
        "1 change(s) at or above error not accepted",
        "",
        "### Breaking changes",
        "",
        "- `PUT /appointments/{id}`",
        "  - `request-property-enum-value-removed` request body application/json "
        "/transportation\\_type: 'rideshare' — accepted by jane.doe: "
        "rideshare is withdrawn (API-123)",
        "- `x-lifecycle`",
        "  - `lifecycle-edge-removed` edges: new -&gt; pending (client)",
        "",
        "### Warnings",
        "",
        "- `PUT /appointments/{id}`",
        "  - `request-property-max-length-decreased` request body application/json /notes: "
        "500 -&gt; 200",
        "",
        "### Other changes",
        "",
        "- `POST /appointments`",
        "  - `response-success-status-added` responses: 200",
        "",
        "### Stale acknowledgements",
        "",
        "These entries of the acknowledgement file match no change; remove them:",
        "",
        "- entry 3: `required-response-header-removed` `DELETE /appointments/{id}` response 204",
    ]


def test_markdown_puts_two_changes_of_one_operation_under_one_heading() -> None:
    second = Change(ENUM_REMOVED, RIDESHARE.operation, RIDESHARE.where, "'shuttle'")
    lines = markdown(_outcome(RIDESHARE, EDGE, second)).splitlines()
    assert lines.count("- `PUT /appointments/{id}`") == 1
    put = lines.index("- `PUT /appointments/{id}`")
    assert lines[put + 1].endswith(": 'rideshare'")
    assert lines[put + 2].endswith(": 'shuttle'")
    assert lines[put + 3] == "- `x-lifecycle`"


def test_markdown_without_changes_says_so() -> None:
    assert markdown(_outcome()) == (
        "## API changes since origin/main\n\n_No changes to the public contract._"
    )


def test_markdown_summary_without_breaking_changes_passes() -> None:
    lines = markdown(_outcome(NOTES, CREATED)).splitlines()
    assert lines[2] == "no breaking changes, 1 warning, 1 info — the gate passes"


def test_markdown_summary_under_allow_breaking() -> None:
    lines = markdown(_outcome(EDGE, allow_breaking=True)).splitlines()
    assert lines[2] == (
        "**1 breaking** — passed with --allow-breaking: 1 change(s) at or above error not accepted"
    )


def test_markdown_escapes_user_text_so_it_renders_literally() -> None:
    change = Change(ENUM_REMOVED, "GET /a`b`", "query <x>|y", "'*a*' `b`")
    entry = Acknowledgement(
        ENUM_REMOVED.id, "*", None, "see <script> | `x`\n[link]", "a_b", None, 1
    )
    bullet = markdown(_outcome(change, acknowledged={change: entry})).splitlines()[6:8]
    assert bullet == [
        "- `` GET /a`b` ``",
        "  - `request-property-enum-value-removed` query &lt;x&gt;\\|y: '\\*a\\*' \\`b\\` — "
        "accepted by a\\_b: see &lt;script&gt; \\| \\`x\\` \\[link\\]",
    ]


def test_github_annotates_each_change_at_its_line_in_the_head_spec() -> None:
    outcome = _outcome(AUTHENTICATE, RIDESHARE, NOTES, CREATED, acknowledged={RIDESHARE: ACCEPTED})
    assert github(outcome, "spec/openapi.yaml", BASE_SPEC, HEAD_SPEC).splitlines() == [
        # Removed in the head: the parent of the removed header is gone too, so no line.
        "::error file=spec/openapi.yaml,title=required-response-header-removed::"
        "POST /appointments response 401 header WWW-Authenticate: WWW-Authenticate"
        " (was at line 9 of origin/main)",
        # Removed: the enum it was in, line 16 of the head.
        "::warning file=spec/openapi.yaml,line=16,title=request-property-enum-value-removed::"
        "PUT /appointments/{id} request body application/json /transportation_type: "
        "'rideshare' [accepted by jane.doe: rideshare is withdrawn (API-123)]"
        " (was at line 17 of origin/main)",
        "::warning file=spec/openapi.yaml,line=19,title=request-property-max-length-decreased::"
        "PUT /appointments/{id} request body application/json /notes: 500 -> 200",
        "::notice file=spec/openapi.yaml,line=6,title=response-success-status-added::"
        "POST /appointments responses: 200",
    ]


def test_github_falls_back_to_the_nearest_line_that_resolves() -> None:
    change = Change(STATUS_ADDED, "POST /appointments", "responses", "201", "")
    deeper = Change(
        STATUS_ADDED, "POST /appointments", "responses", "201", "/paths/~1appointments/post/x/y"
    )
    lines = github(_outcome(change, deeper), "spec/openapi.yaml", None, HEAD_SPEC).splitlines()
    assert lines[0].startswith("::notice file=spec/openapi.yaml,title=")
    assert lines[1].startswith("::notice file=spec/openapi.yaml,line=4,title=")


def test_github_omits_lines_without_the_spec_text() -> None:
    lines = github(_outcome(CREATED, RIDESHARE), "spec/openapi.yaml", None, None).splitlines()
    assert [line.split("::")[1] for line in lines] == [
        "notice file=spec/openapi.yaml,title=response-success-status-added",
        "error file=spec/openapi.yaml,title=request-property-enum-value-removed",
    ]


def test_github_marks_failing_warnings_as_errors_at_a_warning_bar() -> None:
    lines = github(_outcome(NOTES, fail_on=Level.WARNING), "openapi.yaml", None, HEAD_SPEC)
    assert lines.startswith("::error file=openapi.yaml,line=19,")


def test_github_escapes_percent_colon_comma_and_newlines() -> None:
    change = Change(STATUS_ADDED, "GET /a", "query q", "'100%\r\ndone: yes, no'")
    line = github(_outcome(change), "specs/v1:2,x%.yaml", None, None)
    assert line == (
        "::notice file=specs/v1%3A2%2Cx%25.yaml,title=response-success-status-added::"
        "GET /a query q: '100%25%0D%0Adone: yes, no'"
    )


def test_github_warns_of_stale_acknowledgements_without_a_file() -> None:
    assert github(_outcome(stale=(STALE,)), "spec/openapi.yaml", None, None) == (
        "::warning title=stale acknowledgement::entry 3: required-response-header-removed "
        "DELETE /appointments/{id} response 204 matches no change; remove it"
    )
