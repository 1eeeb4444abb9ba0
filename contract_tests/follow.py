"""An appointment followed through the answers about it, each held to the model (D6-D15).

The one judgement of appointment behaviour: the suite's lifecycle machine asserts that it finds
nothing, and `hopdrive-proxy` reports what it finds in a client's real traffic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from contract_tests.model import Appointment, Expectation, Mismatch, Model, Refused
from spec.instants import instant


@dataclass(frozen=True)
class Finding:
    """One way an answer broke the contract, and the decisions it broke."""

    decisions: tuple[str, ...]
    message: str
    member: str | None = None  # the record's member the finding is about, if one


def expected(
    model: Model, appointment: Appointment, rule: Callable[[dict[str, Any]], Expectation]
) -> list[Expectation]:
    """What a step must get in each state the appointment may be in (see Model.drift)."""
    return [rule(record) for record in model.moved_on(appointment.record)]


def creation(model: Model, body: Mapping[str, Any], answer: Any) -> tuple[Appointment, list[str]]:
    """The appointment a 201 creation answer starts (D6), and what is wrong with its status."""
    status = answer.get("status") if isinstance(answer, dict) else None
    wrong = [] if status in model.drift(model.lifecycle.initial) else [f"D6: created as {status}"]
    record = {**model.created(body), "id": answer["id"], "status": status}
    return Appointment(id=int(answer["id"]), record=record), wrong


def judge(
    model: Model,
    appointment: Appointment,
    expectations: Sequence[Expectation],
    step: str,
    body: Mapping[str, Any],
    status: int,
    answer: Any,
) -> list[Finding]:
    """Hold one answer about `appointment` to the expectations of its request, and follow the
    appointment to where the answer leaves it."""
    appointment.history.append(f"{step} -> {status}")
    first = expectations[0]
    allowed = frozenset[int]().union(*(e.statuses for e in expectations))
    if status not in allowed:
        refused = appointment.refused
        appointment.refused = None
        if 200 <= status < 300 and isinstance(answer, dict):
            appointment.record = _seen(appointment.record, answer)
        elif refused is not None:
            appointment.refused = refused
        return [
            Finding(
                first.decisions,
                f"{step}: expected {sorted(first.statuses)} ({first.why}){_drifted(expectations)}"
                f", got {status}. Steps so far: {appointment.history}",
            )
        ]
    matching = [e for e in expectations if status in e.statuses]
    if all(e.record is None for e in matching):
        appointment.refused = Refused(
            step, dict(body), tuple(dict.fromkeys(d for e in matching for d in e.decisions))
        )
        return []
    if not isinstance(answer, dict):
        return [Finding(matching[0].decisions, f"{step}: the answer is no appointment")]
    chosen, record, wrong = _closest(model, matching, answer)
    findings = [_finding(model, appointment, chosen, step, body, mismatch) for mismatch in wrong]
    findings += stamped(model, appointment, answer, written=step.split(" ", 1)[0] in _WRITES)
    appointment.record = _seen({**record, "status": answer.get("status")}, answer)
    appointment.refused = None
    return findings


def stamped(
    model: Model, appointment: Appointment, answer: Mapping[str, Any], *, written: bool
) -> list[Finding]:
    """What is wrong with the stamps only the server sets (D14), and the appointment's updated."""
    lifecycle = model.lifecycle
    findings = []
    stamp = answer.get(lifecycle.updated_field)
    # D14 stamps every PUT and PATCH; before the first, a server may have none yet (Q6).
    if stamp is not None or written or appointment.updated_at is not None:
        moment = instant(stamp) if isinstance(stamp, str) else None
        if moment is None:
            findings.append(_d14(f"updatedat is {stamp!r} in the answer"))
        else:
            if appointment.updated_at is not None and moment < appointment.updated_at:
                findings.append(
                    _d14(f"updatedat went backwards: {appointment.updated_at} -> {stamp}")
                )
            appointment.updated_at = moment
    move_id = answer.get(lifecycle.move_field)
    before, now = appointment.record["status"], answer.get("status")
    if appointment.move_id is not None:
        if move_id != appointment.move_id:
            findings.append(_d14(f"move_id changed to {move_id}"))
    elif lifecycle.move_created_on in (before, now):
        if isinstance(move_id, int):
            appointment.move_id = move_id
        else:
            findings.append(_d14(f"no move_id in {now}"))
    elif move_id is not None and _may_have_been_paid(model, before, now):
        if isinstance(move_id, int):
            appointment.move_id = move_id
        else:
            findings.append(_d14(f"move_id {move_id!r} is no id"))
    elif move_id is not None:
        findings.append(_d14(f"move_id {move_id} before {lifecycle.move_created_on}"))
    return findings


_WRITES = ("PUT", "PATCH")


def _d14(message: str) -> Finding:
    return Finding(("D14",), f"D14: {message}", "updatedat" if "updatedat" in message else None)


def _finding(
    model: Model,
    appointment: Appointment,
    chosen: Expectation,
    step: str,
    body: Mapping[str, Any],
    mismatch: Mismatch,
) -> Finding:
    refused = appointment.refused
    if (
        refused is not None
        and mismatch.name in refused.body
        and mismatch.name not in body
        and mismatch.got == refused.body[mismatch.name]
    ):
        return Finding(
            refused.decisions,
            f"{mismatch}: the refused {refused.step} changed it (nothing changes, "
            f"{'/'.join(refused.decisions)})",
            mismatch.name,
        )
    decision = model.blame(mismatch, chosen.decisions, appointment.record)
    return Finding((decision,), f"{step} ({chosen.why}) answered {mismatch}", mismatch.name)


def _closest(
    model: Model, expectations: Sequence[Expectation], answer: Mapping[str, Any]
) -> tuple[Expectation, dict[str, Any], list[Mismatch]]:
    """The first expected record the answer matches, its status up to the server's own later
    steps; else the first one, with the members the answer got wrong."""
    status = answer.get("status")
    candidates = [(e, e.record) for e in expectations if e.record is not None]
    first: tuple[Expectation, dict[str, Any], list[Mismatch]] | None = None
    for expectation, record in candidates:
        wrong = model.differences({**record, "status": status}, answer)
        if status not in model.drift(record["status"]):
            wrong.insert(0, Mismatch("status", record["status"], status))
        if not wrong:
            return expectation, record, []
        first = first or (expectation, record, wrong)
    assert first is not None  # the caller passes at least one expectation with a record
    return first


def _seen(record: Mapping[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """The record as the server now holds it: each member as the answer gives it."""
    return {name: answer.get(name, value) for name, value in record.items()}


def _drifted(expectations: Sequence[Expectation]) -> str:
    """How a message names the states the server's own steps may have taken it to."""
    if len(expectations) == 1:
        return ""
    return "; or, after the server's own steps, " + "; ".join(e.why for e in expectations[1:])


def _may_have_been_paid(model: Model, before: str, now: Any) -> bool:
    """Whether the server's own steps may have passed the state that creates the move (D14)."""
    lifecycle = model.lifecycle
    paid = lifecycle.move_created_on
    return (
        model.advances
        and paid in lifecycle.reachable(before)
        and now in lifecycle.reachable(paid, by="internal")
    )
