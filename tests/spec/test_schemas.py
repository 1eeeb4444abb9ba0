"""`parts`: what applies at one place of a body, in the order the loader and the gate rely on."""

from __future__ import annotations

from spec.schemas import local_ref, parts

DOCUMENT = {
    "Base": {"properties": {"id": {}}},
    "Child": {"allOf": [{"$ref": "#/Base"}], "properties": {"name": {}}},
    "Either": {"$ref": "#/Child", "anyOf": [{"required": ["id"]}, {"$ref": "#/Base"}]},
    "Loop": {"allOf": [{"$ref": "#/Loop"}]},
}


def test_bases_come_before_the_schema_and_alternatives_after() -> None:
    assert [part.pointer for part in parts(DOCUMENT, "/Child")] == [
        "/Base",
        "/Child/allOf/0",
        "/Child",
    ]
    assert [part.pointer for part in parts(DOCUMENT, "/Either", alternatives=True)] == [
        "/Base",
        "/Child/allOf/0",
        "/Child",
        "/Either",
        "/Either/anyOf/0",
        "/Base",
        "/Either/anyOf/1",
    ]


def test_alternatives_are_left_out_unless_asked_for() -> None:
    assert "/Either/anyOf/0" not in [part.pointer for part in parts(DOCUMENT, "/Either")]


def test_each_part_names_the_refs_followed_to_reach_it() -> None:
    followed = {part.pointer: part.followed for part in parts(DOCUMENT, "/Child")}
    assert followed == {
        "/Base": frozenset({"/Base"}),
        "/Child/allOf/0": frozenset(),
        "/Child": frozenset(),
    }


def test_a_ref_back_into_itself_is_not_followed_again() -> None:
    assert [part.pointer for part in parts(DOCUMENT, "/Loop")] == [
        "/Loop/allOf/0",
        "/Loop",
        "/Loop/allOf/0",
        "/Loop",
    ]


def test_local_ref_names_only_references_into_the_document() -> None:
    assert local_ref({"$ref": "#/Base"}) == "/Base"
    assert local_ref({"$ref": "https://example.com/schema"}) is None
    assert local_ref({"properties": {}}) is None
    assert local_ref(True) is None


def test_sorted_by_depth_the_parts_come_nearest_first() -> None:
    walk = sorted(parts(DOCUMENT, "/Either", alternatives=True), key=lambda part: part.depth)
    assert [(part.pointer, part.depth) for part in walk] == [
        ("/Either", 0),
        ("/Child", 1),
        ("/Either/anyOf/0", 1),
        ("/Either/anyOf/1", 1),
        ("/Child/allOf/0", 2),
        ("/Base", 2),
        ("/Base", 3),
    ]
