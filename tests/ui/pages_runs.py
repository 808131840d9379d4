"""Page objects for comparing and re-running runs: the Jobs list's selection, the Compare view."""

from __future__ import annotations

import re
import sys
from typing import Any

from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi, JobsPanel

# A trainer that reports loss (scaled by --lr, so runs differ) and lr through the reporter.
TRAINER = """\
import argparse, math
from forgather_lab import reporter
p = argparse.ArgumentParser()
p.add_argument("--lr", type=float, required=True)
p.add_argument("--steps", type=int, default=60)
a = p.parse_args()
with reporter.connect() as rep:
    for step in range(1, a.steps + 1):
        rep.report(step, a.steps, loss=2.0 * math.exp(-step * a.lr) + 0.1, lr=a.lr)
print("trained", flush=True)
"""


class RunsApi(ForgatherApi):
    """The REST API, for setting the scene of a comparison."""

    def train(self, name: str, lr: float) -> dict:
        """Queue the reporting trainer (written under the Lab's root) with ``--lr``."""
        script = self.server.root_dir / "train_compare.py"
        if not script.exists():
            script.write_text(TRAINER)
        body = {
            "job_type": "command",
            "job_params": {
                "argv": [sys.executable, "train_compare.py", "--lr", str(lr)],
                "cwd": str(self.server.root_dir),
            },
            "requested_gpus": 0,
            "priority": 0,
            "name": name,
        }
        return self.call("POST", "queue", body)

    def job(self, job_id: str) -> dict:
        return self.call("GET", f"jobs/{job_id}")

    def by_name(self, name: str) -> list[dict]:
        return [j for j in self.call("GET", "jobs?limit=200")["jobs"] if j["name"] == name]


class RunsPanel(JobsPanel):
    """The Jobs section, with its check boxes and Compare."""

    def select(self, name: str) -> None:
        self.job_card(name).get_by_role("checkbox", name=f"Select {name}").check()

    def compare(self, count: int) -> CompareView:
        self.jobs.get_by_role("button", name=f"Compare ({count})").click()
        view = CompareView(self.lab)
        view.root.wait_for(state="visible")
        return view

    def rerun_from_menu(self, name: str) -> RerunDialog:
        self.job_card(name).get_by_role("button", name=f"Actions for {name}").click()
        self.page.get_by_role("menuitem", name="Re-run…").click()
        return RerunDialog(self.lab)


class CompareView:
    """A Compare tab in the main area."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = self.page.locator(".jp-forgather-compare:visible")

    @property
    def chart(self) -> Any:
        return self.root.get_by_role("img", name=re.compile(r"^Curves of"))

    def wait_for_curves(self, count: int, timeout: float = 30_000) -> None:
        self.chart.locator("canvas").wait_for(timeout=timeout)
        self.root.locator(f'.jp-forgather-compare-chart[data-curves="{count}"]').wait_for(
            timeout=timeout
        )

    def legend_labels(self) -> list[str]:
        """The run names in uPlot's legend (its first entry is the x axis)."""
        labels = self.chart.locator(".u-legend .u-series .u-label").all_inner_texts()
        return labels[1:]

    @property
    def params(self) -> Any:
        return self.root.get_by_role("table", name="Parameters")

    def param_row(self, key: str) -> Any:
        return self.params.locator(f'tr[data-param="{key}"]')

    def differing(self) -> list[str]:
        rows = self.params.locator('tr[data-differs="true"]')
        return [rows.nth(i).get_attribute("data-param") or "" for i in range(rows.count())]

    @property
    def summary(self) -> Any:
        return self.root.get_by_role("table", name="Metric summary")

    def control(self, label: str) -> Any:
        return self.root.get_by_role("toolbar", name="Chart").get_by_label(label)


class RerunDialog:
    """The "Re-run…" dialog."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page
        self.root = self.page.locator(".jp-Dialog")
        self.root.wait_for(state="visible")

    def field(self, label: str) -> Any:
        return self.root.get_by_label(label, exact=True)

    def submit(self) -> None:
        self.root.get_by_role("button", name="Queue", exact=True).click()
        self.root.wait_for(state="detached")


class RunsTab:
    """The Runs tab of a config view."""

    def __init__(self, lab: JupyterLabPage, config_view: Any) -> None:
        self.lab = lab
        self.page = lab.page
        config_view.get_by_role("tab", name="Runs").click()
        self.root = config_view.get_by_test_id("forgather-runs-table")
        self.root.wait_for(state="visible")

    @property
    def table(self) -> Any:
        return self.root.get_by_role("table", name="Runs")

    def row(self, name: str) -> Any:
        return self.table.get_by_role("row", name=name, exact=True)

    def names(self) -> list[str]:
        return self.table.locator("tbody tr").evaluate_all(
            "rows => rows.map(r => r.getAttribute('aria-label'))"
        )

    def filter(self, text: str) -> None:
        self.root.get_by_role("searchbox", name="Filter runs").fill(text)

    def sort_by(self, column: str) -> None:
        self.table.get_by_role("button", name=re.compile(rf"^{re.escape(column)}( [▴▾])?$")).click()

    def select(self, name: str) -> None:
        self.row(name).get_by_role("checkbox", name=f"Select {name}").check()

    def compare(self, count: int) -> CompareView:
        self.root.get_by_role("button", name=f"Compare ({count})").click()
        view = CompareView(self.lab)
        view.root.wait_for(state="visible")
        return view

    def rerun(self, name: str) -> RerunDialog:
        self.row(name).get_by_role("button", name="Re-run…").click()
        return RerunDialog(self.lab)
