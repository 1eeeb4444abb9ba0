"""The acknowledgement file: loading, one-line errors for bad entries, matching and settling."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from gate.acknowledgements import Acknowledgement, AcknowledgementError, load, settle
from gate.changes import Change, Level, Rule

ENUM_REMOVED = Rule("request-property-enum-value-removed", Level.ERROR, "clients send it", None)
STATUS_ADDED = Rule("response-success-status-added", Level.INFO, "a new success", None)
HEADER_REMOVED = Rule("required-response-header-removed", Level.ERROR, "clients read it", None)

RIDESHARE = Change(
    ENUM_REMOVED,
    "PUT /appointments/{id}",
    "request body application/json /transportation_type",
    "'rideshare'",
)
SHUTTLE = Change(
    ENUM_REMOVED,
    "PATCH /appointments/{id}",
    "request body application/merge-patch+json /transportation_type",
    "'shuttle'",
)
CREATED_200 = Change(STATUS_ADDED, "POST /appointments", "responses", "200")
AUTHENTICATE = Change(
    HEADER_REMOVED, "POST /appointments", "response 401 header WWW-Authenticate", "WWW-Authenticate"
)

VALID = """\
# Each breaking change the API team accepted on purpose: the gate passes exactly these.
accepted:
  - rule: request-property-enum-value-removed
    operation: PUT /appointments/{id}
    where: request body application/json /transportation_type
    reason: rideshare is withdrawn in every market (ticket API-123)
    accepted_by: jane.doe
    date: 2026-12-01
  - rule: required-response-header-removed
    operation: POST *
    reason: |
      the 401 answer names its scheme
      in the body now
    accepted_by: sam
    date: "1 December"
"""

ENTRY = {
    "rule": "request-property-enum-value-removed",
    "operation": "PUT /appointments/{id}",
    "reason": "withdrawn",
    "accepted_by": "jane.doe",
}


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "accepted-changes.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _entry_file(tmp_path: Path, without: str = "", **members: object) -> Path:
    """A file whose second entry is ENTRY with `members` set and the key `without` left out."""
    entry = {key: value for key, value in (ENTRY | members).items() if key != without}
    return _write(tmp_path, yaml.safe_dump({"accepted": [ENTRY, entry]}, sort_keys=False))


def _ack(
    operation: str = "PUT /appointments/{id}",
    where: str | None = None,
    rule: str = ENUM_REMOVED.id,
    index: int = 1,
) -> Acknowledgement:
    return Acknowledgement(rule, operation, where, "because", "jane.doe", None, index)


def test_valid_file_loads_every_entry_with_its_index_and_date_as_text(tmp_path: Path) -> None:
    first, second = load(_write(tmp_path, VALID))
    assert first == Acknowledgement(
        rule="request-property-enum-value-removed",
        operation="PUT /appointments/{id}",
        where="request body application/json /transportation_type",
        reason="rideshare is withdrawn in every market (ticket API-123)",
        accepted_by="jane.doe",
        date="2026-12-01",
        index=1,
    )
    assert (second.where, second.date, second.index) == (None, "1 December", 2)
    assert second.reason == "the 401 answer names its scheme\nin the body now\n"


@pytest.mark.parametrize(
    "text", ["", "# nothing accepted yet\n", "accepted: []\n", "accepted:\n"], ids=repr
)
def test_empty_file_or_empty_list_accepts_nothing(tmp_path: Path, text: str) -> None:
    assert load(_write(tmp_path, text), required=True) == ()


def test_missing_default_file_accepts_nothing(tmp_path: Path) -> None:
    assert load(tmp_path / "accepted-changes.yaml") == ()


def test_missing_required_file_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    with pytest.raises(AcknowledgementError) as raised:
        load(path, required=True)
    assert str(raised.value) == f"{path}: does not exist"
    assert raised.value.exit_status == 5


def test_bad_yaml_is_one_line_error_naming_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "accepted:\n  - rule: a\n    operation: [unclosed\n")
    with pytest.raises(AcknowledgementError, match=r"not valid YAML \(line \d+\)$") as raised:
        load(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert "\n" not in str(raised.value)


def test_file_that_is_not_utf8_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "accepted-changes.yaml"
    path.write_bytes(b"accepted: [\xff]\n")
    with pytest.raises(AcknowledgementError, match=r"not UTF-8 text$"):
        load(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- rule: a\n", "not a mapping with the list 'accepted'"),
        ("just words\n", "not a mapping with the list 'accepted'"),
        ("acepted: []\n", "unknown key 'acepted' (only 'accepted')"),
        ("accepted: {rule: a}\n", "'accepted' is not a list"),
        ("accepted: [just words]\n", "entry 1: not a mapping"),
    ],
    ids=["list", "scalar", "misspelt-top-key", "accepted-mapping", "entry-scalar"],
)
def test_file_of_the_wrong_shape_is_one_line_error(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(AcknowledgementError) as raised:
        load(path)
    assert str(raised.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize("key", ["rule", "operation", "reason", "accepted_by"])
def test_entry_without_a_required_key_is_one_line_error_naming_it(tmp_path: Path, key: str) -> None:
    path = _entry_file(tmp_path, without=key)
    with pytest.raises(AcknowledgementError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: entry 2: {key!r} is missing"


def test_entry_with_unknown_key_is_an_error_so_a_typo_cannot_widen_a_match(
    tmp_path: Path,
) -> None:
    path = _entry_file(tmp_path, wehre="request body application/json /transportation_type")
    with pytest.raises(AcknowledgementError) as raised:
        load(path)
    assert str(raised.value) == (
        f"{path}: entry 2: unknown key 'wehre' "
        "(known: rule, operation, where, reason, accepted_by, date)"
    )


@pytest.mark.parametrize("key", ["reason", "accepted_by", "rule", "where"])
def test_entry_with_an_empty_value_is_an_error(tmp_path: Path, key: str) -> None:
    path = _entry_file(tmp_path, **{key: "  "})
    with pytest.raises(AcknowledgementError) as raised:
        load(path)
    assert str(raised.value).startswith(f"{path}: entry 2: {key!r} is empty")


@pytest.mark.parametrize(
    ("value", "shown"), [(42, "int"), (None, "nothing"), (["a", "b"], "list")], ids=repr
)
def test_entry_value_that_is_not_text_is_an_error(
    tmp_path: Path, value: object, shown: str
) -> None:
    path = _entry_file(tmp_path, accepted_by=value)
    with pytest.raises(AcknowledgementError) as raised:
        load(path)
    assert str(raised.value) == f"{path}: entry 2: 'accepted_by' must be text, not {shown}"


def test_entry_date_that_is_neither_date_nor_text_is_an_error(tmp_path: Path) -> None:
    path = _entry_file(tmp_path, date=20261201)
    with pytest.raises(AcknowledgementError, match="entry 2: 'date' must be a date"):
        load(path)


def test_entry_without_where_matches_anywhere_in_its_operation() -> None:
    entry = _ack()
    assert entry.matches(RIDESHARE)
    assert entry.matches(Change(ENUM_REMOVED, RIDESHARE.operation, "query status", "'x'"))
    assert not entry.matches(SHUTTLE)


def test_entry_with_where_matches_only_that_place() -> None:
    entry = _ack(where="request body application/json /transportation_type")
    assert entry.matches(RIDESHARE)
    assert not entry.matches(Change(ENUM_REMOVED, RIDESHARE.operation, "query status", "'x'"))


def test_entry_matches_only_its_rule_exactly() -> None:
    assert not _ack(rule="request-property-enum-value").matches(RIDESHARE)
    assert not _ack(rule="*").matches(RIDESHARE)


def test_operation_and_where_globs_match_with_star() -> None:
    assert _ack(operation="* /appointments/{id}").matches(SHUTTLE)
    assert _ack(operation="P*", where="* /transportation_type").matches(RIDESHARE)
    assert not _ack(operation="PUT *", where="* /transportation_type").matches(SHUTTLE)


def test_glob_matching_is_case_sensitive() -> None:
    assert not _ack(operation="put /appointments/{id}").matches(RIDESHARE)


def test_place_copied_verbatim_matches_even_with_glob_characters() -> None:
    change = Change(ENUM_REMOVED, "PUT /appointments/{id}", "query ids[0]", "'x'")
    assert _ack(where="query ids[0]").matches(change)
    assert not _ack(where="query ids[1]").matches(change)


def test_settle_maps_each_change_to_its_first_matching_entry_and_finds_stale_ones() -> None:
    broad = _ack(operation="*", index=1)
    exact = _ack(where=RIDESHARE.where, index=2)
    stale = _ack(operation="DELETE /appointments/{id}", index=3)
    accepted, left = settle([RIDESHARE, SHUTTLE, AUTHENTICATE], [broad, exact, stale])
    assert accepted == {RIDESHARE: broad, SHUTTLE: broad}
    # The second entry lost to the first but did match, so it is not stale.
    assert left == (stale,)


def test_entry_matching_only_an_info_change_is_not_stale() -> None:
    entry = _ack(operation="POST /appointments", rule=STATUS_ADDED.id)
    accepted, stale = settle([CREATED_200], [entry])
    assert accepted == {CREATED_200: entry}
    assert stale == ()


def test_settle_without_entries_accepts_nothing() -> None:
    assert settle([RIDESHARE], []) == ({}, ())
    assert settle([], [_ack()]) == ({}, (_ack(),))
