"""POST /_test/reset: the caller's data and journal emptied, then its fixtures loaded again."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from starlette.requests import Request
from starlette.responses import Response

from mock_server.appointments import AppointmentRules
from mock_server.auth import Tenants
from mock_server.control_api import ControlFileError
from mock_server.fixtures import Fixtures, Loaded
from mock_server.journal import Journal
from mock_server.json_text import JSONAnswer
from mock_server.moves import MoveRules
from mock_server.problems import Problem
from mock_server.store import Database

RESET_PATH = "/_test/reset"


@dataclass(frozen=True)
class Reset:
    """What a reset empties and reloads; `everything` (--reset-all): every dealer's data."""

    store: Database
    tenants: Tenants
    appointments: AppointmentRules
    moves: MoveRules
    clock: Callable[[], datetime]
    journal: Journal
    fixtures: Fixtures | None = None
    everything: bool = False

    async def endpoint(self, request: Request) -> Response:
        """POST /_test/reset: in one transaction, remove the appointments and moves of the
        rooftops the token holds (with `everything`, of all) and load their fixtures again."""
        tenant = self.tenants.authenticate(request.headers.get("authorization"))
        rooftops = None if self.everything else tenant.rooftops
        await self.store.ready()
        try:
            with self.store.transaction() as tx:
                removed = tx.remove(rooftops)
                reloaded = Loaded()
                if self.fixtures is not None:
                    reloaded = self.fixtures.load(
                        tx, self.appointments, self.moves, self.clock(), rooftops
                    )
        except ControlFileError as error:
            # A fixture loaded at start-up may no longer be (its appointment_time has passed).
            raise Problem(409, "fixture-unloadable", f"Nothing was reset: {error}") from None
        finally:
            await self.store.durable()
        requests = self.journal.forget(None if self.everything else tenant.token)
        return JSONAnswer(
            {
                "rooftops": None if rooftops is None else list(rooftops),
                "removed": {
                    "appointments": removed.appointments,
                    "moves": removed.moves,
                    "requests": requests,
                },
                "reloaded": {
                    "appointments": list(reloaded.appointments),
                    "moves": list(reloaded.moves),
                },
            }
        )
