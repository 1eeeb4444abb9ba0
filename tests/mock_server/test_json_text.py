from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from mock_server.json_text import JSONAnswer, dumps

# Lone surrogates included (Hypothesis leaves them out by default): orjson refuses them.
ANY_TEXT = st.text(st.characters(exclude_categories=()))
JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | ANY_TEXT,
    lambda inner: st.lists(inner) | st.dictionaries(ANY_TEXT, inner),
    max_leaves=20,
)


@given(JSON_VALUES)
def test_any_json_value_reads_back_as_itself(value: Any) -> None:
    assert json.loads(dumps(value)) == value


def test_text_is_compact_utf8() -> None:
    assert dumps({"city": "Zürich", "ids": [1, 2]}) == '{"city":"Zürich","ids":[1,2]}'.encode()


def test_integers_beyond_64_bits_are_written_whole() -> None:
    assert dumps({"n": 2**70}) == b'{"n":1180591620717411303424}'


def test_a_lone_surrogate_is_written_escaped() -> None:
    assert dumps({"s": "\ud800"}) == b'{"s":"\\ud800"}'


def test_nesting_deeper_than_orjson_allows_is_written() -> None:
    deep: Any = []
    for _ in range(300):
        deep = [deep]
    assert json.loads(dumps(deep)) == deep


def test_an_answer_renders_its_content_with_dumps() -> None:
    answer = JSONAnswer({"id": 7, "name": "Jane Ø"}, status_code=201)
    assert answer.body == dumps({"id": 7, "name": "Jane Ø"})
    assert answer.headers["content-type"] == "application/json"
    assert answer.status_code == 201
