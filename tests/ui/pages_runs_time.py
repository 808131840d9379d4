"""Page objects for the Compare view's wall-time axis: runs that report over a few seconds."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

from .pages_runs import CompareView, RunsApi

# Reports 40 steps over about two seconds, so the reporter sends several batches (every
# half second) and the points have different wall times.
SLOW_TRAINER = """\
import argparse, math, time
from forgather_lab import reporter
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, required=True)
a = p.parse_args()
with reporter.connect() as rep:
    for step in range(1, 41):
        rep.report(step, 40, loss=2.0 * math.exp(-step * a.lr) + 0.1)
        time.sleep(0.05)
"""


class TimedRunsApi(RunsApi):
    """The REST API, queueing the slow trainer."""

    def train_slowly(self, name: str, lr: float) -> dict[str, Any]:
        script = self.server.root_dir / "train_compare_timed.py"
        if not script.exists():
            script.write_text(SLOW_TRAINER)
        body = {
            "job_type": "command",
            "job_params": {
                "argv": [sys.executable, script.name, "--lr", str(lr)],
                "cwd": str(self.server.root_dir),
            },
            "requested_gpus": 0,
            "priority": 0,
            "name": name,
        }
        job: dict[str, Any] = self.call("POST", "queue", body)
        return job


class TimedCompareView(CompareView):
    """A Compare tab, with its x axis choice."""

    def choose_axis(self, label: str) -> None:
        self.root.get_by_role("radiogroup", name="X axis").get_by_role("radio", name=label).check()

    def wait_for_axis(self, axis: str, timeout: float = 30_000) -> None:
        self.root.locator(
            f'.jp-forgather-compare-chart[data-x-axis="{axis}"][data-axis="{axis}"]'
        ).wait_for(timeout=timeout)

    def x_label(self) -> str:
        """The x series' name in uPlot's legend (its first entry)."""
        label: str = self.chart.locator(".u-legend .u-series .u-label").first.inner_text()
        return label

    def points(self) -> int:
        """How many distinct x values the chart draws (over every run)."""
        return int(self.chart.get_attribute("data-points") or 0)

    def wait_for_points(self, wanted: Callable[[int], bool], timeout: float = 30.0) -> int:
        """Wait until the drawn x count satisfies ``wanted`` (the answer lands after a toggle)."""
        deadline = time.monotonic() + timeout
        while not wanted(n := self.points()):
            assert time.monotonic() < deadline, f"the chart kept {n} x values"
            time.sleep(0.1)
        return n
