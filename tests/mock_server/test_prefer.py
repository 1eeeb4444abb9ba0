"""The Prefer header (RFC 7240): preferences read by name, first instance, quoted values."""

from __future__ import annotations

import pytest

from mock_server.prefer import applied, preferences


@pytest.mark.parametrize(
    ("lines", "stated"),
    [
        (["code=409"], {"code": "409"}),
        (["Code=409, DYNAMIC=true"], {"code": "409", "dynamic": "true"}),
        (["code = 409 ,dynamic"], {"code": "409", "dynamic": None}),
        (["code=429", "dynamic=true"], {"code": "429", "dynamic": "true"}),
        (["respond-async, wait=10"], {"respond-async": None, "wait": "10"}),
    ],
)
def test_each_preference_is_read_by_its_lower_case_name(
    lines: list[str], stated: dict[str, str | None]
) -> None:
    assert preferences(lines) == stated


def test_a_quoted_value_is_unquoted_and_may_hold_the_separators() -> None:
    assert preferences(['example="a, b; c", code=409']) == {"example": "a, b; c", "code": "409"}


def test_a_quoted_pair_stands_for_its_character() -> None:
    assert preferences([r'example="say \"hi\" \\ bye"']) == {"example": r'say "hi" \ bye'}


def test_parameters_after_a_semicolon_are_dropped() -> None:
    assert preferences(["code=409; foo=bar; baz, dynamic=true;x"]) == {
        "code": "409",
        "dynamic": "true",
    }


def test_the_first_instance_of_a_preference_counts() -> None:
    assert preferences(["code=409", "CODE=404, code=500"]) == {"code": "409"}


@pytest.mark.parametrize("line", ["example", "example=", 'example=""', "example = "])
def test_an_empty_value_is_no_value(line: str) -> None:
    assert preferences([line]) == {"example": None}


def test_empty_list_elements_are_skipped() -> None:
    assert preferences([" , ,code=409,", ""]) == {"code": "409"}


def test_applied_writes_a_token_bare_and_anything_else_quoted() -> None:
    assert applied({"code": "409", "example": 'my "seed"'}) == r'code=409, example="my \"seed\""'


@pytest.mark.parametrize("value", ["seed", "two words", 'a "quote"', "back\\slash", "a,b;c"])
def test_what_applied_writes_reads_back_as_the_same_value(value: str) -> None:
    assert preferences([applied({"example": value})]) == {"example": value}
