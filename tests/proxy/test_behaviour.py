"""Behaviour judged across exchanges: a conforming client and server show nothing, a planted
fault of the mock shows as a server violation naming its decision."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from spec import Spec
from testbeds.faults import FAULTS
from tests.proxy.clients import careless, conforming


def test_conforming_client_through_the_proxy_to_the_mock_has_no_violation(
    proxied: Callable[..., Any], spec: Spec
) -> None:
    with proxied() as through:
        conforming(through.client, spec)
        assert through.violations() == []
        assert through.session.failures == []
        report = through.session.report()
    assert report["totals"]["exchanges"] == 29
    assert report["totals"]["not_judged"] == 0


# What no traffic can show: which rooftops a token holds the proxy never sees (D2), nor the moves
# made before it started (D19).
UNSEEN = {
    "every token holds every rooftop": "the proxy cannot know which rooftops a token holds",
    "duplicate_check ignored": "the moves a duplicate would match may predate the proxy",
}


@pytest.mark.parametrize("fault", sorted(set(FAULTS) - set(UNSEEN)))
def test_fault_of_the_mock_shows_as_a_server_violation_naming_its_decision(
    proxied: Callable[..., Any], spec: Spec, fault: str
) -> None:
    decision = FAULTS[fault][0]
    with proxied(fault) as through:
        conforming(through.client, spec, checked=False)
        careless(through.client, spec)
        server = through.side("server")
    named = [v for v in server if decision == v["decision"] or decision in v["sources"]]
    assert named, f"{fault}: no server violation names {decision}: {server}"
