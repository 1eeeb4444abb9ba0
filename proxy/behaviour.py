"""Appointments followed through a client's traffic, each answer held to the suite's model.

The judgement is `contract_tests.follow`, the one the suite's lifecycle machine asserts: D6's
creation, D7-D10's outcome of an update, D11's frozen members, D12's locks, D13's elected type,
D14's stamps, D15's internal edges, and that a refused request changed nothing. Where the traffic
does not show enough to judge (an appointment created before the proxy started, requests on one
appointment that overlapped), the exchange is reported as not judged rather than guessed at.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from contract_tests import follow, move_answers
from contract_tests.coverage import path_id
from contract_tests.model import Appointment, Expectation, Model, Refused
from contract_tests.refusals import refusal_reasons
from proxy.exchange import Exchange
from proxy.requests import RequestVerdict
from proxy.violations import Violation
from spec import Operation, Spec

# Answers that change nothing and say nothing of the record's state (D2 comes before all, D24).
_BEFORE_STATE = frozenset({401, 403, 429})
_CREATED = 201
_FORBIDDEN = 403
# What each move operation's answer is held to, beside its schema.
_MOVES: dict[str, Callable[[Mapping[str, Any], Mapping[str, Any]], list[follow.Finding]]] = {
    "createConciergeLoanerMove": move_answers.concierge,
    "createRoundTripMove": move_answers.round_trip,
}


@dataclass(frozen=True)
class Judgement:
    """What the behaviour of one exchange showed."""

    violations: tuple[Violation, ...]
    decisions: tuple[str, ...]  # the decisions the exchange was judged by
    unjudged: str | None = None  # why it could not be judged, when it could not


@dataclass
class _Followed:
    appointment: Appointment
    token: str | None  # the credentials it was created or first seen with
    ended: datetime  # when the last exchange about it ended


class Behaviour:
    """Every appointment the traffic showed, followed from exchange to exchange."""

    def __init__(self, spec: Spec, *, advances: bool, skew: timedelta) -> None:
        self.spec = spec
        self.model = Model(spec, advances=advances)
        self.skew = skew
        self._followed: dict[int, _Followed] = {}
        lifecycle = spec.lifecycle
        self._updates = {op for edge in lifecycle.edges if edge.by == "public" for op in edge.via}
        internal = [op for op in spec.operations.values() if not op.public and "{id}" in op.path]
        self._transitions = {op.operation_id for op in internal}

    def judge(self, verdict: RequestVerdict, exchange: Exchange) -> Judgement:
        """Judge one exchange, in the order the answers came, and follow what it changed."""
        operation = verdict.operation
        if operation is None or not exchange.forwarded:
            return Judgement((), ())
        record_id = path_id(operation.path, exchange.route or "")
        if exchange.status == _FORBIDDEN and record_id in self._followed:
            return self._foreign(operation, record_id)
        if exchange.status in _BEFORE_STATE:
            return Judgement((), ())
        body = verdict.body if isinstance(verdict.body, dict) else {}
        if operation.operation_id in _MOVES:
            return self._move(operation, verdict, body, exchange)
        if operation.method == "POST" and "{id}" not in operation.path:
            return self._created(operation, verdict, body, exchange)
        if record_id is None or operation.operation_id not in self._updates | self._transitions:
            return Judgement((), ())
        return self._step(operation, verdict, body, record_id, exchange)

    def _foreign(self, operation: Operation, record_id: int) -> Judgement:
        """A 403 for an appointment that exists: D2 answers 404, as for one that does not."""
        message = (
            f"answered 403 for appointment {record_id}: an appointment of a rooftop the token "
            "does not hold is a 404, exactly like one that does not exist (D2)"
        )
        return Judgement((_violation(operation, ("D2",), message, None),), ("D2",))

    def _move(
        self,
        operation: Operation,
        verdict: RequestVerdict,
        body: dict[str, Any],
        exchange: Exchange,
    ) -> Judgement:
        answer = exchange.response_json()
        if verdict.violations or not 200 <= exchange.status < 300 or not isinstance(answer, dict):
            return Judgement((), ())
        findings = _MOVES[operation.operation_id](body, answer)
        decisions = tuple(dict.fromkeys(d for f in findings for d in f.decisions)) or ("D16",)
        violations = tuple(
            _violation(operation, f.decisions, f.message, _pointer(f.member)) for f in findings
        )
        return Judgement(violations, decisions)

    def _created(
        self,
        operation: Operation,
        verdict: RequestVerdict,
        body: dict[str, Any],
        exchange: Exchange,
    ) -> Judgement:
        answer = exchange.response_json()
        if operation.operation_id != self.model.creation or exchange.status != _CREATED:
            return Judgement((), ())
        if verdict.violations or not isinstance(answer, dict) or type(answer.get("id")) is not int:
            return Judgement((), (), "not enough seen: the creation's body or answer is invalid")
        appointment, wrong = follow.creation(self.model, body, answer)
        self._followed[appointment.id] = _Followed(appointment, _token(exchange), _ended(exchange))
        violations = tuple(_violation(operation, ("D6",), message, "/status") for message in wrong)
        return Judgement(violations, ("D6",))

    def _step(
        self,
        operation: Operation,
        verdict: RequestVerdict,
        body: dict[str, Any],
        record_id: int,
        exchange: Exchange,
    ) -> Judgement:
        followed = self._followed.get(record_id)
        answer = exchange.response_json()
        if followed is None:
            self._learn(record_id, exchange, answer)
            return Judgement((), (), f"not enough seen: appointment {record_id} was new to it")
        if exchange.started < followed.ended:
            # Which of two overlapping requests the server took first, the traffic cannot say.
            del self._followed[record_id]
            self._learn(record_id, exchange, answer)
            return Judgement((), (), f"not enough seen: requests on {record_id} overlapped")
        followed.ended = _ended(exchange)
        if _token(exchange) != followed.token:
            self._learn(record_id, exchange, answer)
            return Judgement(
                (), (), f"not enough seen: {record_id} was asked for with other credentials"
            )
        appointment = followed.appointment
        step = f"{exchange.method} {exchange.path}"
        if verdict.violations:
            # A request the contract refuses changes nothing; an answer that took it is judged as
            # the server's (proxy.answers), and what it left is learnt anew.
            if 200 <= exchange.status < 300:
                self._learn(record_id, exchange, answer)
            elif verdict.refusal is not None:
                decisions = tuple(dict.fromkeys(v.decision for v in verdict.violations))
                appointment.refused = Refused(step, body, decisions)
            return Judgement((), ())
        if exchange.status == 400 and (
            allowed := self._allowed_refusal(operation, body, answer, exchange)
        ):
            appointment.refused = Refused(step, body, allowed)
            return Judgement((), allowed)
        expectations = self._expected(operation, appointment, body, exchange)
        findings = follow.judge(
            self.model, appointment, expectations, step, body, exchange.status, answer
        )
        decisions = tuple(dict.fromkeys(d for e in expectations for d in e.decisions))
        if 200 <= exchange.status < 300:
            # Every answer with a record reports the elected type as D13 has it.
            decisions += ("D13", "D14") if operation.operation_id in self._updates else ("D13",)
        violations = tuple(
            _violation(operation, finding.decisions, finding.message, _pointer(finding.member))
            for finding in findings
        )
        return Judgement(violations, tuple(dict.fromkeys(decisions)))

    def _expected(
        self,
        operation: Operation,
        appointment: Appointment,
        body: dict[str, Any],
        exchange: Exchange,
    ) -> list[Expectation]:
        model = self.model
        if operation.operation_id in self._transitions:
            target = body.get("status")
            return follow.expected(model, appointment, lambda r: model.transition(r, str(target)))
        replace = operation.operation_id == model.replacement
        # The server's clock is not the proxy's: a time this close to now may be on either side.
        moments = (exchange.started - self.skew, _ended(exchange) + self.skew)
        return [
            expectation
            for now in moments
            for expectation in follow.expected(
                model, appointment, partial(_update, model, body, replace, now)
            )
        ]

    def _allowed_refusal(
        self, operation: Operation, body: dict[str, Any], answer: Any, exchange: Exchange
    ) -> tuple[str, ...]:
        """What lets a server refuse this schema-valid body with 400 beyond the model's own D9:
        an open question (Q<n>) or D23; () when nothing does."""
        reasons = refusal_reasons(
            self.spec, operation.method, operation.path, body, answer, exchange.started
        )
        return tuple(dict.fromkeys(r for r in reasons or () if r != "D9"))

    def _learn(self, record_id: int, exchange: Exchange, answer: Any) -> None:
        """Start following an appointment from a full answer about it, or forget it."""
        self._followed.pop(record_id, None)
        if not (200 <= exchange.status < 300 and isinstance(answer, Mapping)):
            return
        if not isinstance(answer.get("status"), str):
            return
        record = {name: answer.get(name) for name in self.model.record_fields}
        appointment = Appointment(id=record_id, record=record)
        follow.stamped(self.model, appointment, answer, written=False)
        self._followed[record_id] = _Followed(appointment, _token(exchange), _ended(exchange))


def _update(
    model: Model, body: dict[str, Any], replace: bool, now: datetime, record: dict[str, Any]
) -> Expectation:
    return model.update(record, body, replace=replace, now=now)


def _violation(
    operation: Operation, decisions: tuple[str, ...], message: str, member: str | None
) -> Violation:
    return Violation(
        side="server",
        operation=operation.operation_id,
        decision=decisions[0],
        sources=decisions,
        member=member,
        message=message,
    )


def _pointer(member: str | None) -> str | None:
    return None if member is None else f"/{member}"


def _token(exchange: Exchange) -> str | None:
    return exchange.request_header("authorization")


def _ended(exchange: Exchange) -> datetime:
    return exchange.started + timedelta(seconds=exchange.elapsed)
