"""The Compare view's wall-time axis, in a real JupyterLab and a real Chromium."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_runs import RunsPanel
from .pages_runs_time import TimedCompareView, TimedRunsApi

pytestmark = pytest.mark.ui

RUNS = {"wt-fast": 0.1, "wt-slow": 0.02}
STEPS = 40


@pytest.fixture(scope="module")
def timed_runs(lab_server: LabServer) -> dict[str, str]:
    """Two finished runs that reported for about two seconds each, one after the other."""
    api = TimedRunsApi(lab_server)
    ids = {}
    for name, lr in RUNS.items():
        ids[name] = api.train_slowly(name, lr)["id"]
        deadline = time.monotonic() + 90
        while api.job(ids[name])["status"] not in {"done", "failed"}:
            assert time.monotonic() < deadline, "the trainer run did not finish"
            time.sleep(0.3)
        assert api.job(ids[name])["status"] == "done"
    return ids


def test_toggling_wall_time_redraws_against_the_time_since_each_runs_start(
    page: object, lab_server: LabServer, timed_runs: dict[str, str]
) -> None:
    TimedRunsApi(lab_server).set_theme("JupyterLab Light")
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    panel = RunsPanel(lab)
    panel.open_from_sidebar()
    for name in RUNS:
        panel.wait_for_status(name, "done")
        panel.select(name)
    panel.compare(2)
    view = TimedCompareView(lab)
    view.root.wait_for(state="visible")
    view.wait_for_curves(2)
    view.wait_for_axis("step")
    assert view.x_label() == "step"
    view.wait_for_points(lambda n: n == STEPS)  # both runs share the steps 1..40
    lab.screenshot("compare-step-axis-light")

    view.choose_axis("Wall time")
    view.wait_for_axis("time")
    view.wait_for_curves(2)
    assert view.x_label() == "wall time since the run's start"
    # Each run's points at their own elapsed times: no longer the 40 shared steps.
    view.wait_for_points(lambda n: n > STEPS)
    ticks = view.chart.locator(".u-legend .u-series").first.inner_text()
    assert "wall time" in ticks
    lab.screenshot("compare-wall-time-light")

    view.choose_axis("Step")
    view.wait_for_axis("step")
    assert view.x_label() == "step"
    view.wait_for_points(lambda n: n == STEPS)


@pytest.mark.timeout(300)
def test_the_compare_widget_starts_on_the_axis_the_kernel_gave_and_toggles(
    page: Any, lab_server: LabServer, timed_runs: dict[str, str]
) -> None:
    ids = list(timed_runs.values())
    code = ["from forgather_lab.widgets import Compare", f"Compare({ids!r}, axis='time')"]
    cells: list[dict[str, Any]] = [
        {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": c}
        for c in code
    ]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}
    (lab_server.root_dir / "compare_time_widget.ipynb").write_text(json.dumps(nb))
    lab = JupyterLabPage(page, lab_server)
    lab.run_notebook("compare_time_widget.ipynb")

    widget = page.locator(".forgather-widget.fg-compare")
    timed = widget.locator('.fg-compare-plot[data-axis="time"][data-curves="2"]')
    timed.locator("canvas").wait_for(state="attached", timeout=90_000)
    picker = widget.get_by_role("combobox", name="X axis")
    assert picker.input_value() == "time"
    widget.scroll_into_view_if_needed()
    lab.screenshot("compare-widget-wall-time")
    picker.select_option("step")
    widget.locator('.fg-compare-plot[data-axis="step"]').wait_for(timeout=30_000)
