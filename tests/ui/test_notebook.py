"""The walkthrough notebook in a real JupyterLab: run it all, see the widgets come alive.

The kernel is started by the Lab server, so this is also the proof that
``Client()`` finds "its" server with no configuration at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import LabServer
from .pages import JupyterLabPage

pytestmark = pytest.mark.ui

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "walkthrough.ipynb"


@pytest.mark.timeout(400)
def test_walkthrough_runs_and_widgets_render(page: Any, lab_server: LabServer) -> None:
    shutil.copy(NOTEBOOK, lab_server.root_dir / "walkthrough.ipynb")
    lab = JupyterLabPage(page, lab_server)
    page.goto(f"{lab_server.url}/lab/tree/walkthrough.ipynb?token={lab_server.token}&reset")
    page.wait_for_selector("#jp-main-dock-panel", state="visible")
    page.locator(".jp-Notebook").first.wait_for(state="visible")
    # A fresh Lab asks which kernel to start; the notebook's own (Python 3) is preselected.
    accept = page.locator(".jp-Dialog .jp-mod-accept")
    try:
        accept.wait_for(timeout=20_000)
        accept.click()
    except PlaywrightTimeout:
        pass  # started without asking
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
        timeout=60_000
    )
    lab.run_command("Run All Cells")

    gpus = page.locator(".forgather-widget.fg-gpus .fg-gpu")
    gpus.nth(3).wait_for(timeout=60_000)
    assert gpus.count() == 4
    gpus.first.scroll_into_view_if_needed()
    assert "simulated" in (page.locator(".forgather-widget.fg-gpus").text_content() or "")
    lab.screenshot("notebook-gpu-dashboard")

    rows = page.locator(".forgather-widget.fg-jobs tr[data-job]")
    rows.first.wait_for(timeout=60_000)
    job_view = page.locator(".forgather-widget.fg-job")
    job_view.locator(".fg-log").get_by_text("step 1/400").wait_for(timeout=60_000)
    # the chart fills in from the reported loss
    job_view.locator("polyline").wait_for(timeout=60_000)
    job_view.scroll_into_view_if_needed()
    lab.screenshot("notebook-job-view")

    # the last cell finishes: every cell ran, and the last one printed the jobs table
    last = page.locator(".jp-Cell").last
    last.get_by_text("tiny char LM").first.wait_for(timeout=300_000)
    assert (
        page.locator(
            ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        ).count()
        == 0
    )
    assert (
        page.locator(".jp-RenderedText[data-mime-type='application/vnd.jupyter.error']").count()
        == 0
    )
    page.locator(".forgather-widget.fg-job").get_by_text("done").first.wait_for(timeout=30_000)
    page.locator(".forgather-widget.fg-jobs").scroll_into_view_if_needed()
    lab.screenshot("notebook-walkthrough")
