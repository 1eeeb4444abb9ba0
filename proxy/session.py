"""What one run of the proxy saw: each exchange judged on both sides, logged, archived, counted.

On exit the counts become a summary per operation, and the traffic the same coverage report
the suite writes for its own runs (contract_tests.coverage).
"""

from __future__ import annotations

import json
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from contract_tests import coverage, traffic
from contract_tests.coverage import Reach, TestRecord
from contract_tests.pages import coverage_page
from proxy.answers import judge_answer
from proxy.behaviour import Behaviour
from proxy.exchange import Exchange
from proxy.har import Har
from proxy.requests import RequestVerdict
from proxy.violations import Log, Violation
from spec import Spec

# The row of requests that matched no operation of the spec.
NO_OPERATION = "(no operation)"


@dataclass
class Tally:
    """What one operation's exchanges came to."""

    exchanges: int = 0
    client: int = 0
    server: int = 0
    unjudged: int = 0
    broken: set[str] = field(default_factory=set)

    def row(self) -> dict[str, Any]:
        """The tally as the report holds it."""
        return {
            "exchanges": self.exchanges,
            "client_violations": self.client,
            "server_violations": self.server,
            "not_judged": self.unjudged,
            "decisions_broken": sorted(self.broken, key=_decision_order),
        }


class Session:
    """The proxy's findings, in the order the answers came."""

    def __init__(
        self, spec: Spec, upstream: str, behaviour: Behaviour, log: Log, har: Har | None
    ) -> None:
        self.spec = spec
        self.upstream = upstream
        self.behaviour = behaviour
        self.log = log
        self.har = har
        self.started = datetime.now(UTC)
        self.tallies: dict[str, Tally] = {}
        self._tokens: set[str] = set()
        self._logged: list[traffic.Logged] = []
        self._checks: dict[str, TestRecord] = {}
        self._lock = threading.Lock()
        self.failures: list[str] = []

    def failed(self, exchange: Exchange, error: Exception) -> None:
        """Note an exchange the proxy could not judge for a fault of its own, and say so."""
        line = f"could not judge exchange {exchange.number}: {type(error).__name__}: {error}"
        with self._lock:
            self.failures.append(line)
        print(f"hopdrive-proxy: error: {line}", file=sys.stderr, flush=True)

    def record(self, verdict: RequestVerdict, exchange: Exchange) -> list[Violation]:
        """Judge the answer and the behaviour of one exchange whose request was judged, and keep
        all it showed; the violations found, the request's included."""
        with self._lock:
            credentials = (exchange.request_header("authorization") or "").partition(" ")[2]
            if credentials.strip():
                self._tokens.add(credentials.strip())
            server = judge_answer(self.spec, verdict, exchange)
            judgement = self.behaviour.judge(verdict, exchange)
            violations = [*verdict.violations, *server, *judgement.violations]
            for violation in violations:
                self.log.write(violation, exchange, self._tokens)
            if self.har is not None:
                self.har.add(exchange, self._tokens)
            operation = verdict.operation
            name = NO_OPERATION if operation is None else operation.operation_id
            tally = self.tallies.setdefault(name, Tally())
            tally.exchanges += 1
            tally.client += sum(v.side == "client" for v in violations)
            tally.server += sum(v.side == "server" for v in violations)
            tally.unjudged += judgement.unjudged is not None
            tally.broken.update(v.decision for v in violations)
            self._cover(name, verdict, exchange, judgement.decisions, violations)
            return violations

    def _cover(
        self,
        name: str,
        verdict: RequestVerdict,
        exchange: Exchange,
        decisions: tuple[str, ...],
        violations: list[Violation],
    ) -> None:
        """Keep the exchange as coverage reads it, under the check of the decisions it was
        judged by: the proxy's counterpart of a test of the suite."""
        operation = verdict.operation
        status = None if operation is None else operation.responses.get(str(exchange.status))
        judged = {*decisions, *(v.decision for v in violations if _is_decision(v.decision))}
        judged.update(s for s in (status.sources if status else ()) if _is_decision(s))
        if operation is not None:
            judged.add(_SURFACE)
        ordered = tuple(sorted(judged, key=_decision_order))
        check = f"proxy: {name} ({', '.join(ordered)})"
        failed = bool(violations) or self._checks.get(check, _PASSED).outcome == "failed"
        self._checks[check] = TestRecord(ordered, "failed" if failed else "passed")
        self._logged.append(
            traffic.logged_as(
                check,
                exchange.method,
                exchange.route or exchange.path,
                exchange.status,
                exchange.request_body,
                exchange.response_body,
            )
        )

    def coverage(self) -> dict[str, Any]:
        """The coverage document of the traffic, as the suite's runs write theirs."""
        with self._lock:
            seen_control = any(
                not op.public
                for op in self.spec.operations.values()
                if op.operation_id in self.tallies
            )
            measured = coverage.measure(
                self.spec,
                self._logged,
                Reach(test_control=seen_control, other_customer=False),
                self._checks,
            )
            return {
                "run": {
                    "id": f"proxy-{self.started:%Y%m%dT%H%M%SZ}",
                    "base_url": self.upstream,
                    "profile": "a client's traffic, through hopdrive-proxy",
                    "seed": "none: the traffic was the client's",
                    "workers": 1,
                    "test_control": seen_control,
                },
                **measured,
            }

    def report(self) -> dict[str, Any]:
        """The report `--report` writes: the rows per operation, and the traffic's coverage."""
        with self._lock:
            rows = {name: tally.row() for name, tally in sorted(self.tallies.items())}
        return {
            "operations": rows,
            "totals": _totals(rows),
            "not_judged_for_faults_of_the_proxy": list(self.failures),
            "coverage": self.coverage(),
        }

    def summary(self, report: dict[str, Any], where: Path | None = None) -> Iterator[str]:
        """The lines printed on exit: a row per operation, the totals, the coverage (its
        items not covered beyond the first few are in the report at `where`)."""
        header = ("operation", "exchanges", "client", "server", "not judged", "decisions broken")
        rows = [
            (
                name,
                str(row["exchanges"]),
                str(row["client_violations"]),
                str(row["server_violations"]),
                str(row["not_judged"]),
                _broken(row["decisions_broken"]),
            )
            for name, row in report["operations"].items()
        ]
        widths = [max(len(line[i]) for line in (header, *rows)) for i in range(len(header))]
        for line in (header, *rows):
            yield "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True))
        totals = report["totals"]
        yield (
            f"{totals['exchanges']} exchanges: {totals['client_violations']} client violations, "
            f"{totals['server_violations']} server violations, "
            f"{totals['not_judged']} not judged (not enough seen)"
        )
        shown = str(where) if where is not None else "--report FILE keeps them"
        yield from coverage.summary(report["coverage"], limit=5, where=shown)

    def write_report(self, path: Path) -> dict[str, Any]:
        """Write the report as JSON at `path` and its coverage page beside it; the report."""
        report = self.report()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
        path.with_suffix(".html").write_text(coverage_page(report["coverage"]), encoding="utf-8")
        return report


_PASSED = TestRecord((), "passed")
# D1: the base URL and the paths, which every exchange that reached an operation kept.
_SURFACE = "D1"


def _is_decision(source: str) -> bool:
    """Whether a source is an entry of DECISIONS.md (`D11`, `S3`) rather than a page's words."""
    return source[:1] in ("D", "S") and source[1:].isdigit()


def _broken(sources: list[str]) -> str:
    """The decisions broken, and how many rules of the vendor's pages besides, for a row."""
    decisions = [s for s in sources if _is_decision(s)]
    pages = len(sources) - len(decisions)
    shown = ", ".join(decisions) + (f" (+{pages} page rules)" if pages else "")
    return shown.strip() or "-"


def _totals(rows: dict[str, dict[str, Any]]) -> dict[str, int]:
    names = ("exchanges", "client_violations", "server_violations", "not_judged")
    return {name: sum(int(row[name]) for row in rows.values()) for name in names}


def _decision_order(name: str) -> tuple[str, int, str]:
    """D2 before D10: decisions by their number, anything else after, by name."""
    digits = name[1:]
    return (name[:1], int(digits), "") if digits.isdigit() else ("~", 0, name)
