"""The suite's fixtures and report hooks: decisions, exchanges, reproductions, summary table."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from contract_tests import outcomes, scope
from contract_tests.delivery import pace_figures
from contract_tests.exchanges import Api, Exchange, new_history
from contract_tests.report import Tally, decision_line, reproduction
from contract_tests.run import this_run
from contract_tests.target import Target, TargetError
from spec import Spec, load
from spec.sources import decision_entries

HISTORY = pytest.StashKey[Any]()
TALLY = pytest.StashKey[Tally]()
TARGET = pytest.StashKey[Target]()
SKIPPED = pytest.StashKey[list[str]]()
# What a test judges, carried on its reports: from a worker process to the one that sums them.
_JUDGES = "hopdrive_contract"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "contract(*operations, check, decisions): what a test judges, for the report and table",
    )
    config.addinivalue_line(
        "markers", "generated: runs many generated examples, so it is started last"
    )
    # Each decision a mark of its own: `-m D11` runs the checks that pin D11.
    for name in sorted(decision_entries()):
        config.addinivalue_line("markers", f"{name}: the checks that pin {name} (DECISIONS.md)")
    config.stash[TALLY] = Tally.empty()
    config.stash[SKIPPED] = []
    config.pluginmanager.register(_Outcomes(config), "hopdrive-contract-outcomes")
    # Before any worker starts, so that every process of the run shares it.
    this_run()
    try:
        config.stash[TARGET] = Target.from_env()
    except TargetError as error:
        raise pytest.UsageError(str(error)) from None


# Before pytest's own `-m` selection, which the decisions' marks must already be there for.
@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each check marked with the decisions it pins; cheap, decisive checks first, the long
    generated ones last.

    Each example-based check pins decisions with a few requests and no shrinking, so a broken
    server fails one within seconds; the generated checks follow, and as workers take one test
    at a time, none is left with more than one of them to finish alone.
    """
    for item in items:
        marker = item.get_closest_marker("contract")
        for decision in marker.kwargs.get("decisions", ()) if marker else ():
            item.add_marker(decision)
    items.sort(key=_cost)


def _cost(item: pytest.Item) -> int:
    if item.get_closest_marker("generated"):
        return len(_FIRST)
    module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    return _FIRST.index(module) if module in _FIRST else len(_FIRST) - 1


# The example-based modules, the fewest requests per check first.
_FIRST = ("test_security.py", "test_appointments.py", "test_moves.py", "test_members.py")


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
    if target.other_token is None:
        scope.unavailable("tenants", "no second dealer's token (HOPDRIVE_OTHER_TOKEN)")
    yield from _api(target, target.other_token, history)


@pytest.fixture
def other_customer_id(target: Target) -> int:
    """A customer_id only the other dealer holds."""
    if target.other_customer_id is None:
        scope.unavailable(
            "tenants", "no customer_id of a second dealer (HOPDRIVE_OTHER_CUSTOMER_ID)"
        )
    return target.other_customer_id


@pytest.fixture
def anonymous(target: Target, history: Any) -> Iterator[Api]:
    """A client that sends no Authorization header."""
    yield from _api(target, None, history)


@pytest.fixture
def test_control(target: Target) -> None:
    """Skip unless the server declared the D15 test-control endpoint."""
    if not target.test_control:
        scope.unavailable("test-control", scope.NO_TEST_CONTROL)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    marker = item.get_closest_marker("contract")
    if marker is not None:
        judged = {
            "operations": marker.args,
            "check": marker.kwargs["check"],
            "decisions": tuple(marker.kwargs.get("decisions", ())),
        }
        setattr(report, _JUDGES, judged)
    if report.when == "teardown" and this_run().stopped() is not None:
        # The run stopped (the network, a rate limit): no further test is started.
        item.session.shouldstop = str(this_run().stopped())
    if report.failed and report.when == "call":
        decisions = marker.kwargs.get("decisions", ()) if marker else ()
        if decisions:
            report.sections.append((outcomes.DECISION, decision_line(decisions)))
        exchanges: list[Exchange] = list(item.stash.get(HISTORY, ()))
        if exchanges:
            shown = "\n\n".join(exchange.describe() for exchange in exchanges)
            report.sections.append((outcomes.EXCHANGES, shown))
        seed = item.config.getoption("hypothesis_seed", None)
        target = item.config.stash[TARGET]
        report.sections.append(
            (
                outcomes.REPRODUCE,
                reproduction(exchanges, target, item.nodeid, str(seed) if seed else None),
            )
        )
    return report


class _Outcomes:
    """Counts each outcome once, in the process that reports the run (xdist's controller)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.record = outcomes.Outcomes()

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        reason = None
        if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
            reason = str(report.longrepr[2])
            self.config.stash[SKIPPED].append(reason)
        judged = getattr(report, _JUDGES, None)
        if judged is not None and (report.when == "call" or report.outcome == "skipped"):
            outcome = report.outcome if report.outcome in ("passed", "skipped") else "failed"
            self.config.stash[TALLY].add(judged["operations"], judged["check"], outcome)
            self.record.test(report.nodeid, judged["decisions"], outcome, reason)
        if report.failed:
            self.record.failure(report.nodeid, dict(report.sections), report.longreprtext)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        # The controller alone holds every worker's reports.
        if not hasattr(self.config, "workerinput"):
            operations = [op.operation_id for op in load().operations.values()]
            self.record.write(this_run(), self.config.stash[TALLY], operations)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    operations = [op.operation_id for op in load().operations.values()]
    terminalreporter.section("contract summary: operations x checks")
    terminalreporter.write_line(config.stash[TALLY].table(operations))
    run = this_run()
    figures = pace_figures(run)
    terminalreporter.write_line(
        f"run {run.id}: {figures.requests} requests, {figures.rate_limited} answered 429 "
        f"(D24, waited out: {figures.waited:.1f} s in all)"
    )
    skipped: list[str] = config.stash[SKIPPED]
    for line in scope.summary(skipped):
        terminalreporter.write_line(f"not checked: {line}")
    seed = config.getoption("hypothesis_seed", None)
    if seed is not None:
        terminalreporter.write_line(
            f"hypothesis seed: {seed} (re-run with --hypothesis-seed={seed})"
        )
