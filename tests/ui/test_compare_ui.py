"""Comparing and re-running finished runs, in a real JupyterLab and a real Chromium."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import JobView
from .pages_runs import RunsApi, RunsPanel

pytestmark = pytest.mark.ui

RUNS = {"cmp-fast": 0.1, "cmp-slow": 0.02}


@pytest.fixture(scope="module")
def finished_runs(lab_server: LabServer) -> dict[str, str]:
    """Two finished trainer runs that differ in --lr (and so in their loss curves)."""
    api = RunsApi(lab_server)
    ids = {name: api.train(name, lr)["id"] for name, lr in RUNS.items()}
    deadline = time.monotonic() + 90
    while any(api.job(i)["status"] not in {"done", "failed"} for i in ids.values()):
        assert time.monotonic() < deadline, "the trainer runs did not finish"
        time.sleep(0.3)
    assert all(api.job(i)["status"] == "done" for i in ids.values())
    return ids


def _open(page: Any, lab_server: LabServer, theme: str = "JupyterLab Light") -> RunsPanel:
    RunsApi(lab_server).set_theme(theme)
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    light = "false" if "Dark" in theme else "true"
    page.wait_for_selector(f'body[data-jp-theme-light="{light}"]', state="attached")
    panel = RunsPanel(lab)
    panel.open_from_sidebar()
    return panel


def test_select_two_runs_and_compare_them(
    page: Any, lab_server: LabServer, finished_runs: dict[str, str]
) -> None:
    panel = _open(page, lab_server)
    for name in RUNS:
        panel.wait_for_status(name, "done")
        panel.select(name)
    view = panel.compare(2)

    view.wait_for_curves(2)
    assert sorted(view.legend_labels()) == sorted(
        f"{name} ({finished_runs[name]})" for name in RUNS
    )
    assert view.chart.get_attribute("data-key") == "loss"
    # The one thing they were made differently with is highlighted; what they share is not.
    lr_row = view.param_row("command --lr")
    assert lr_row.get_attribute("data-differs") == "true"
    assert "jp-forgather-differs" in (lr_row.get_attribute("class") or "")
    assert set(view.differing()) == {"command", "command --lr"}
    assert view.param_row("priority").get_attribute("data-differs") == "false"
    assert view.summary.locator('tr[data-metric="loss"]').is_visible()
    assert view.summary.locator('tr[data-metric="lr"]').is_visible()
    panel.lab.screenshot("compare-two-runs-light")

    # Log scale and smoothing redraw the same two curves.
    view.control("Log scale").check()
    view.control("Smoothing").fill("0.8")
    view.wait_for_curves(2)
    panel.lab.screenshot("compare-log-smoothed-light")


def test_compare_reads_well_in_the_dark_theme(
    page: Any, lab_server: LabServer, finished_runs: dict[str, str]
) -> None:
    panel = _open(page, lab_server, theme="JupyterLab Dark")
    for name in RUNS:
        panel.wait_for_status(name, "done")
        panel.select(name)
    view = panel.compare(2)
    view.wait_for_curves(2)
    view.control("Metric").select_option("lr")
    view.root.locator('.jp-forgather-compare-chart[data-key="lr"]').wait_for()
    panel.lab.screenshot("compare-two-runs-dark")


def test_rerun_from_the_job_menu_is_prefilled_and_opens_the_new_job(
    page: Any, lab_server: LabServer, finished_runs: dict[str, str]
) -> None:
    api = RunsApi(lab_server)
    panel = _open(page, lab_server)
    panel.wait_for_status("cmp-fast", "done")
    dialog = panel.rerun_from_menu("cmp-fast")
    assert dialog.field("Name").input_value() == "cmp-fast"
    assert dialog.field("Priority").input_value() == "0"
    assert dialog.field("GPUs").input_value() == "0"
    dialog.field("Name").fill("cmp-fast-again")
    dialog.field("Priority").fill("3")
    panel.lab.screenshot("rerun-dialog-light")
    dialog.submit()

    JobView(panel.lab, "cmp-fast-again").root.wait_for(state="visible")
    (again,) = api.by_name("cmp-fast-again")
    assert again["rerun_of"] == finished_runs["cmp-fast"]
    assert again["priority"] == 3
    assert again["params"]["argv"][-2:] == ["--lr", "0.1"]
    panel.wait_for_status("cmp-fast-again", "done")
