"""Generated JSON Schemas: offline, complete, deterministic, changed exactly where the spec is."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from referencing import Registry, Resource

from generators import jsonschema, tree
from generators.cli import generate, main
from spec import Spec, load
from tests.seeds import BROKEN, SEED_EXAMPLES, edited, seed

GENERATED = Path(__file__).parents[2] / "generated" / "jsonschema"


def _validator(files: dict[str, Any], path: str) -> Draft202012Validator:
    """A validator that can reach only the generated files: nothing is fetched."""
    registry: Registry[Any] = Registry().with_resources(
        (doc["$id"], Resource.from_contents(doc))
        for name, doc in files.items()
        if name != "index.json"
    )
    return Draft202012Validator(
        {"$ref": jsonschema.BASE_ID + path}, registry=registry, format_checker=FormatChecker()
    )


def _file_for(files: dict[str, Any], fixture: str) -> str:
    operation_id, direction = fixture.split("_", 1)[1].split(".")
    entry = files["index.json"][operation_id]
    return str(
        entry["request"]
        if direction == "request"
        else entry["responses"][direction.removeprefix("response_")]
    )


def test_generation_is_byte_identical_run_to_run(spec: Spec) -> None:
    first = {k: jsonschema.render(v) for k, v in jsonschema.build(spec).items()}
    second = {k: jsonschema.render(v) for k, v in jsonschema.build(load(spec.path)).items()}
    assert first == second


def test_committed_files_match_a_fresh_generation(spec: Spec) -> None:
    assert tree.stale(jsonschema.files(spec), GENERATED.parent, ("jsonschema",)) == []


def test_index_maps_operation_direction_and_status_to_files(spec: Spec) -> None:
    index = jsonschema.build(spec)["index.json"]
    assert set(index) == {op.operation_id for op in spec.public_operations}
    assert index["createAppointment"]["request"] == "operations/createAppointment.request.json"
    assert (
        index["createAppointment"]["responses"]["201"]
        == "operations/createAppointment.response.201.json"
    )
    assert "setAppointmentStatusForTest" not in index


@pytest.mark.parametrize("fixture", sorted(p.stem for p in SEED_EXAMPLES.glob("*.json")))
def test_every_seed_example_validates_against_its_generated_file(spec: Spec, fixture: str) -> None:
    files = jsonschema.build(spec)
    errors = [
        e.message for e in _validator(files, _file_for(files, fixture)).iter_errors(seed(fixture))
    ]
    assert errors == []


@pytest.mark.parametrize(
    ("fixture", "pointer", "value", "why"), BROKEN, ids=[f"{f}{p}" for f, p, _, _ in BROKEN]
)
def test_broken_variants_fail_against_the_generated_files(
    spec: Spec, fixture: str, pointer: str, value: Any, why: str
) -> None:
    files = jsonschema.build(spec)
    assert not _validator(files, _file_for(files, fixture)).is_valid(
        edited(seed(fixture), pointer, value)
    ), why


def test_changing_one_field_type_changes_exactly_the_files_that_hold_it(
    document: dict[str, Any], write_spec: Callable[[Any], Path], spec: Spec
) -> None:
    edited = copy.deepcopy(document)
    edited["components"]["schemas"]["VehicleResult"]["properties"]["year"] = {
        "type": ["integer", "null"]
    }
    before = generate(spec)
    after = generate(load(write_spec(edited)))
    assert {k for k in before if before[k] != after[k]} == {
        "jsonschema/components/VehicleResult.json",
        "python/hopdrive_types.py",
        "typescript/hopdrive.d.ts",
    }


def test_check_names_the_stale_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    stale = tmp_path / "jsonschema" / "components" / "Vehicle.json"
    stale.write_text(json.dumps({"edited": True}), encoding="utf-8")
    assert main(["--check", "--out", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"hopdrive-generate: {stale} is stale; run make generate\n"


def test_write_removes_files_the_spec_no_longer_produces(spec: Spec, tmp_path: Path) -> None:
    leftover = tmp_path / "jsonschema" / "components" / "Retired.json"
    leftover.parent.mkdir(parents=True)
    leftover.write_text("{}", encoding="utf-8")
    files = jsonschema.files(spec)
    tree.write(files, tmp_path, ("jsonschema",))
    assert not leftover.exists()
    assert tree.stale(files, tmp_path, ("jsonschema",)) == []


def test_missing_spec_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--spec", str(tmp_path / "nope.yaml")]) == 2
    assert (
        capsys.readouterr().err
        == f"hopdrive-generate: error: {tmp_path / 'nope.yaml'}: no such file\n"
    )


def test_generating_twice_writes_nothing_the_second_time(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--out", str(tmp_path)]) == 0
    first = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert main(["--out", str(tmp_path)]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("files, 0 written")
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == first
