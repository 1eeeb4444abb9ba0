"""The suite's fixtures and report hooks: decisions, exchanges, reproductions, summary table."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from contract_tests.exchanges import Api, Exchange, new_history
from contract_tests.report import Tally, decision_line, reproduction
from contract_tests.target import Target, TargetError
from spec import Spec, load

HISTORY = pytest.StashKey[Any]()
TALLY = pytest.StashKey[Tally]()
TARGET = pytest.StashKey[Target]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contract(*operations, check, decisions): what a test judges, for the report and table",
    )
    config.stash[TALLY] = Tally.empty()
    try:
        config.stash[TARGET] = Target.from_env()
    except TargetError as error:
        raise pytest.UsageError(str(error)) from None


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The server under test."""
    return pytestconfig.stash[TARGET]


@pytest.fixture(scope="session")
def spec() -> Spec:
    """The contract."""
    return load()


@pytest.fixture
def history(request: pytest.FixtureRequest) -> Any:
    """The last exchanges of this test, shown when it fails."""
    kept = new_history()
    request.node.stash[HISTORY] = kept
    return kept


def _api(target: Target, token: str | None, history: Any) -> Iterator[Api]:
    api = Api(target, token, history)
    try:
        yield api
    finally:
        api.close()


@pytest.fixture
def api(target: Target, history: Any) -> Iterator[Api]:
    """A client with HOPDRIVE_TOKEN."""
    yield from _api(target, target.token, history)


@pytest.fixture
def other(target: Target, history: Any) -> Iterator[Api]:
    """A client with HOPDRIVE_OTHER_TOKEN, another dealer."""
    yield from _api(target, target.other_token, history)


@pytest.fixture
def anonymous(target: Target, history: Any) -> Iterator[Api]:
    """A client that sends no Authorization header."""
    yield from _api(target, None, history)


@pytest.fixture
def test_control(target: Target) -> None:
    """Skip unless the server declared the D15 test-control endpoint."""
    if not target.test_control:
        pytest.skip(
            "needs an internal transition; the server declared none (HOPDRIVE_TEST_CONTROL)"
        )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    marker = item.get_closest_marker("contract")
    if (report.when == "call" or report.outcome == "skipped") and marker is not None:
        outcome = report.outcome if report.outcome in ("passed", "skipped") else "failed"
        item.config.stash[TALLY].add(marker.args, marker.kwargs["check"], outcome)
    if report.failed and report.when == "call":
        decisions = marker.kwargs.get("decisions", ()) if marker else ()
        if decisions:
            report.sections.append(("contract decision", decision_line(decisions)))
        exchanges: list[Exchange] = list(item.stash.get(HISTORY, ()))
        if exchanges:
            shown = "\n\n".join(exchange.describe() for exchange in exchanges)
            report.sections.append(("last exchanges (oldest first)", shown))
        seed = item.config.getoption("hypothesis_seed", None)
        target = item.config.stash[TARGET]
        report.sections.append(
            ("reproduce", reproduction(exchanges, target, item.nodeid, str(seed) if seed else None))
        )
    return report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    operations = [op.operation_id for op in load().operations.values()]
    terminalreporter.section("contract summary: operations x checks")
    terminalreporter.write_line(config.stash[TALLY].table(operations))
    seed = config.getoption("hypothesis_seed", None)
    if seed is not None:
        terminalreporter.write_line(
            f"hypothesis seed: {seed} (re-run with --hypothesis-seed={seed})"
        )
