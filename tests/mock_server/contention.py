"""Eight writers PATCHing one appointment at once, through one or several mock processes."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.seeds import seed

TOKEN = {"Authorization": "Bearer dev-token-a"}
# Eight fields PATCH may change on a `new` appointment, one per writer.
WRITER_FIELDS = (
    "consumer_name",
    "consumer_phone",
    "driver_notes",
    "vehicle_make",
    "vehicle_model",
    "vehicle_color",
    "vehicle_vin",
    "config",
)


def future_appointment() -> dict[str, Any]:
    """The seed's creation body, its time ahead of the real clock mock processes run on."""
    ahead = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    return {**seed("000_createAppointment.request"), "appointment_time": ahead}


@dataclass
class Contention:
    """What the writers saw: each field's last acknowledged value, each writer's stamps."""

    last: dict[str, Any] = field(default_factory=dict)
    stamps: dict[str, list[datetime]] = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    final: dict[str, Any] = field(default_factory=dict)

    def lost_updates(self) -> dict[str, tuple[Any, Any]]:
        """Fields whose final value is not the last one a writer was told was stored."""
        return {
            name: (value, self.final.get(name))
            for name, value in self.last.items()
            if self.final.get(name) != value
        }

    def backwards(self) -> list[str]:
        """Writers that saw `updatedat` go backwards between their own acknowledged PATCHes."""
        return [name for name, seen in self.stamps.items() if seen != sorted(seen)]


def contend(bases: list[str], seconds: float) -> Contention:
    """Create an appointment, then PATCH it from eight threads spread over `bases` for a while."""
    created = httpx.post(f"{bases[0]}/appointments", json=future_appointment(), headers=TOKEN)
    appointment_id = created.json()["id"]
    seen = Contention(stamps={name: [] for name in WRITER_FIELDS})
    deadline = time.monotonic() + seconds

    def write(base: str, name: str) -> None:
        with httpx.Client(base_url=base, headers=TOKEN, timeout=30) as api:
            count = 0
            while time.monotonic() < deadline:
                count += 1
                value: Any = {"n": count} if name == "config" else f"{name} {count}"
                answer = api.patch(f"/appointments/{appointment_id}", json={name: value})
                if answer.status_code != 200:
                    seen.failures.append(f"{name}: {answer.status_code} {answer.text}")
                    return
                seen.last[name] = value
                seen.stamps[name].append(datetime.fromisoformat(answer.json()["updatedat"]))

    writers = [
        threading.Thread(target=write, args=(bases[index % len(bases)], name))
        for index, name in enumerate(WRITER_FIELDS)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join()
    read = httpx.patch(f"{bases[-1]}/appointments/{appointment_id}", json={}, headers=TOKEN)
    seen.final = read.json()
    return seen
