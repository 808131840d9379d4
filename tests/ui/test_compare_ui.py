"""Comparing and re-running finished runs, in a real JupyterLab and a real Chromium."""

from __future__ import annotations

import time
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import JobView
from .pages_projects import ProjectsApi, ProjectsSection
from .pages_runs import RunsApi, RunsPanel, RunsTab

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


def test_a_configs_runs_table_sorts_filters_compares_and_reruns(
    page: Any, lab_server: LabServer
) -> None:
    api = RunsApi(lab_server)
    project = ProjectsApi(lab_server).project_dir("Hello script")
    ids = {}
    for steps in (3, 4):
        body = {
            "job_type": "training",
            "project_dir": project,
            "config": "count_words.yaml",
            "dynamic_args": {"steps": steps, "delay": 0.01},
            "name": f"rt-steps-{steps}",
        }
        ids[steps] = api.call("POST", "queue", body)["id"]
    deadline = time.monotonic() + 90
    while any(api.job(i)["status"] not in {"done", "failed"} for i in ids.values()):
        assert time.monotonic() < deadline, "the config runs did not finish"
        time.sleep(0.3)

    projects = ProjectsSection(JupyterLabPage(page, lab_server))
    projects.open()
    projects.expand_project("Hello script")
    projects.config_row("count_words.yaml").click()
    runs = RunsTab(projects.lab, projects.config_view)
    runs.row("rt-steps-3").wait_for()
    runs.filter("rt-steps")
    runs.sort_by("Name")
    assert runs.names() == ["rt-steps-3", "rt-steps-4"]
    runs.sort_by("Name")
    assert runs.names() == ["rt-steps-4", "rt-steps-3"]
    runs.filter("steps=3")
    assert runs.names() == ["rt-steps-3"]
    runs.filter("rt-steps")
    runs.select("rt-steps-3")
    runs.select("rt-steps-4")
    projects.lab.screenshot("runs-table-light")

    view = runs.compare(2)
    view.params.wait_for()
    assert view.param_row("dynamic_args.steps").get_attribute("data-differs") == "true"
    assert view.param_row("dynamic_args.delay").get_attribute("data-differs") == "false"
    assert view.param_row("config").get_attribute("data-differs") == "false"

    # Re-run… from a row: its dynamic args pre-filled; the change reaches the new job.
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="count_words.yaml").click()
    dialog = runs.rerun("rt-steps-3")
    assert dialog.field("steps").input_value() == "3"
    assert dialog.field("delay").input_value() == "0.01"
    dialog.field("steps").fill("5")
    dialog.field("Name").fill("rt-steps-5")
    dialog.submit()
    JobView(projects.lab, "rt-steps-5").root.wait_for(state="visible")
    (again,) = api.by_name("rt-steps-5")
    assert again["rerun_of"] == ids[3]
    assert again["params"]["dynamic_args"] == {"steps": 5, "delay": 0.01}


@pytest.mark.timeout(300)
def test_the_compare_widget_draws_the_runs_in_a_notebook(
    page: Any, lab_server: LabServer, finished_runs: dict[str, str]
) -> None:
    import nbformat

    ids = list(finished_runs.values())
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("from forgather_lab.widgets import Compare"),
        nbformat.v4.new_code_cell(f"Compare({ids!r}, smoothing=0.5)"),
    ]
    nbformat.write(nb, str(lab_server.root_dir / "compare_widget.ipynb"))
    lab = JupyterLabPage(page, lab_server)
    lab.run_notebook("compare_widget.ipynb")

    widget = page.locator(".forgather-widget.fg-compare")
    plot = widget.locator('.fg-compare-plot[data-curves="2"]')
    plot.locator("canvas").wait_for(state="attached", timeout=90_000)
    assert widget.locator('tr.fg-differs[data-param="command --lr"]').count() == 1
    widget.scroll_into_view_if_needed()
    lab.screenshot("compare-widget-notebook")
