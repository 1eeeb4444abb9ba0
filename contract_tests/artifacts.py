"""The pages a run leaves for people and tools: coverage.json and .html, and report.html."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from contract_tests import coverage, outcomes, traffic
from contract_tests.pace import Figures
from contract_tests.pages import coverage_page, report_page
from contract_tests.run import Run
from contract_tests.target import Target
from spec import load


@dataclass(frozen=True)
class Where:
    """Where a run's pages go."""

    coverage: Path  # coverage.json; coverage.html beside it
    report: Path

    @property
    def coverage_html(self) -> Path:
        """The coverage page, beside its JSON."""
        return self.coverage.with_suffix(".html")


def write(
    run: Run,
    target: Target,
    settings: Mapping[str, Any],
    figures: Figures,
    where: Where,
) -> dict[str, Any]:
    """Measure the run's coverage from its traffic and write the three files; the coverage."""
    ended = outcomes.read(run)
    reach = coverage.Reach(
        test_control=target.test_control, other_customer=target.other_customer_id is not None
    )
    about = {
        "id": run.id,
        "base_url": target.base_url,
        "profile": str(settings["profile"]),
        "seed": str(settings["hypothesis_seed"]),
        "workers": int(settings["workers"]),
        "test_control": target.test_control,
    }
    measured = {
        "run": about,
        **coverage.measure(load(), traffic.exchanges(run), reach, outcomes.records(ended)),
    }
    report = {
        "run": {
            **about,
            "started": str(settings["started"]),
            "duration_s": float(settings["duration_s"]),
            "settings": {name: str(value) for name, value in settings.items()},
        },
        "counts": ended.get("counts", {"passed": 0, "failed": 0, "skipped": 0}),
        "table": ended.get("table", {"checks": [], "rows": []}),
        "failures": ended.get("failures", []),
        "not_checked": ended.get("not_checked", []),
        "figures": {
            "requests": figures.requests,
            "rate_limited": figures.rate_limited,
            "waited": figures.waited,
        },
    }
    for path in (where.coverage, where.report):
        path.parent.mkdir(parents=True, exist_ok=True)
    where.coverage.write_text(json.dumps(measured, indent=2) + "\n", encoding="utf-8")
    where.coverage_html.write_text(coverage_page(measured), encoding="utf-8")
    where.report.write_text(report_page(report, measured), encoding="utf-8")
    return measured
