"""The Python stubs: strict enough that mypy catches a wrong value; a client that really calls."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from generators.python_stubs import files
from mock_server.app import create_app
from mock_server.store import Store
from spec import Spec
from testbeds import LiveServer

GENERATED = Path(__file__).parents[2] / "generated" / "python"
MYPY = Path(sys.executable).with_name("mypy")

PARTNER = """
from hopdrive_client import HopDriveClient, ProblemError
from hopdrive_types import AppointmentCreate, AppointmentReplace, TransportationType


def elect(client: HopDriveClient, kind: TransportationType) -> str:
    body: AppointmentCreate = {
        "customer_id": 1234,
        "consumer_at_pickup": False,
        "delivery_location_id": 5678,
    }
    created = client.create_appointment(body)
    change: AppointmentReplace = {
        "consumer_at_pickup": False,
        "delivery_location_id": 5678,
        "appointment_time": "2030-03-10T09:00:00-05:00",
        "transportation_type": kind,
    }
    try:
        return client.replace_appointment(created["id"], change)["status"]
    except ProblemError as error:
        return str(error.problem["detail"])
"""


def _mypy(tmp_path: Path, program: str) -> subprocess.CompletedProcess[str]:
    for module in GENERATED.glob("*.py"):
        shutil.copy(module, tmp_path / module.name)
    (tmp_path / "partner.py").write_text(program, encoding="utf-8")
    return subprocess.run(
        [str(MYPY), "--strict", "--no-incremental", "partner.py"],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )


def test_partner_program_using_the_stubs_passes_mypy_strict(tmp_path: Path) -> None:
    result = _mypy(tmp_path, PARTNER)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("wrong", "right"),
    [
        ('"transportation_type": kind', '"transportation_type": "bicycle"'),
        ('        "customer_id": 1234,\n', ""),
        (
            '"consumer_at_pickup": False,\n',
            '"consumer_at_pickup": False,\n        "nickname": "J",\n',
        ),
    ],
    ids=["enum value outside the list", "required member missing", "unknown member"],
)
def test_partner_program_with_a_contract_mistake_fails_mypy(
    tmp_path: Path, wrong: str, right: str
) -> None:
    assert wrong in PARTNER
    result = _mypy(tmp_path, PARTNER.replace(wrong, right, 1))
    assert result.returncode == 1, result.stdout
    assert "partner.py" in result.stdout


def test_stubs_are_what_the_spec_generates_now(spec: Spec) -> None:
    for relative, text in files(spec).items():
        assert (GENERATED.parent / relative).read_text(encoding="utf-8") == text, relative


def test_generated_client_really_calls_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(GENERATED))
    from hopdrive_client import HopDriveClient, ProblemError

    with LiveServer(create_app(store=Store())) as live:
        client = HopDriveClient(live.url, "dev-token-a")
        created = client.create_appointment(
            {"customer_id": 1234, "consumer_at_pickup": False, "delivery_location_id": 5678}
        )
        assert created["status"] == "new"
        updated = client.update_appointment(created["id"], {"driver_notes": "Gate 4"})
        assert updated["driver_notes"] == "Gate 4"
        with pytest.raises(ProblemError) as caught:
            HopDriveClient(live.url, "nobody").create_appointment(
                {"customer_id": 1234, "consumer_at_pickup": False, "delivery_location_id": 5678}
            )
        client.close()
    assert caught.value.status == 401
    assert caught.value.problem["status"] == 401
