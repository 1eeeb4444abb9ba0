"""The TypeScript declarations compile; a partner's wrong enum value or missing member does not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from generators.typescript import NODE_BIN

GENERATED = Path(__file__).parents[2] / "generated" / "typescript" / "hopdrive.d.ts"

PARTNER = """
import type { AppointmentReplace, Appointment, TransportationType } from "./hopdrive";

const kind: TransportationType = "valet";
const change: AppointmentReplace = {
  consumer_at_pickup: true,
  delivery_location_id: 5678,
  transportation_type: kind,
};
export function statusOf(answer: Appointment): string {
  return answer.status + String(change.delivery_location_id);
}
"""


def _tsc(tmp_path: Path, program: str) -> subprocess.CompletedProcess[str]:
    shutil.copy(GENERATED, tmp_path / "hopdrive.d.ts")
    (tmp_path / "partner.ts").write_text(program, encoding="utf-8")
    return subprocess.run(
        [
            str(NODE_BIN / "tsc"),
            "--noEmit",
            "--strict",
            "--skipLibCheck",
            "false",
            "partner.ts",
            "hopdrive.d.ts",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_declarations_and_a_partner_program_compile(tmp_path: Path) -> None:
    result = _tsc(tmp_path, PARTNER)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("wrong", "right"),
    [('= "valet"', '= "bicycle"'), ("  delivery_location_id: 5678,\n", "")],
    ids=["enum value outside the list", "required member missing"],
)
def test_partner_program_with_a_contract_mistake_fails_tsc(
    tmp_path: Path, wrong: str, right: str
) -> None:
    assert wrong in PARTNER
    result = _tsc(tmp_path, PARTNER.replace(wrong, right, 1))
    assert result.returncode != 0
    assert "partner.ts" in result.stdout


def test_declarations_leave_out_the_internal_operation() -> None:
    text = GENERATED.read_text(encoding="utf-8")
    assert "/appointments/{id}" in text
    assert "_test" not in text
