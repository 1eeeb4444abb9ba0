"""The server's own steps: a check whose appointment moved on without the suite (D15).

HopDrive moves appointments along internal edges by itself (payment, move creation). A server
that declares it does (HOPDRIVE_ADVANCES=1) may answer a later state than the suite's last step
left; a check that needs the appointment to hold in a state is then not checked, and says why.
"""

from __future__ import annotations

from typing import NoReturn

from contract_tests import scope
from contract_tests.target import Target
from spec import load

LIFECYCLE = load().lifecycle
GROUP = "advances"


def moved_on(target: Target, expected: str, found: str) -> bool:
    """Whether `found` is where the server's own steps lead from `expected`, and it takes them."""
    return (
        target.advances
        and found != expected
        and found in LIFECYCLE.reachable(expected, by="internal")
    )


def held(target: Target, expected: str, found: str) -> bool:
    """Whether the appointment is still in `expected`; skips the check when the server moved it
    on by itself, which a check that needs it to hold cannot judge."""
    if moved_on(target, expected, found):
        lost(expected, found)
    return found == expected


def lost(wanted: str, found: str) -> NoReturn:
    """Skip the check: the server's own steps took its appointment to `found`, not `wanted`."""
    scope.unavailable(
        GROUP,
        f"the server moved the appointment to {found} by itself (HOPDRIVE_ADVANCES=1) while "
        f"the check needed it {wanted}",
    )
