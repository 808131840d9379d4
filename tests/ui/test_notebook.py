"""The walkthrough notebook in a real JupyterLab: run it all, see the widgets come alive.

The kernel is started by the Lab server, so this is also the proof that
``Client()`` finds "its" server with no configuration at all.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import LabServer
from .pages import JupyterLabPage

pytestmark = pytest.mark.ui

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "walkthrough.ipynb"


def _show(locator: Any) -> None:
    """Scroll to ``locator`` for a screenshot; Lab's windowed notebook may re-attach
    cells while it scrolls, so try again rather than fail on a moving target."""
    for _ in range(5):
        try:
            locator.scroll_into_view_if_needed(timeout=5_000)
            return
        except PlaywrightError:
            locator.page.wait_for_timeout(300)


def _wait_for_log_text(view: Any, text: str | re.Pattern[str], timeout_s: float = 90) -> None:
    """Wait until the job view's log shows ``text``. xterm.js (as in Lab's terminal)
    draws only while it is on screen, and only its last rows, so keep the view
    scrolled into sight and look for what the tail shows."""
    deadline = time.monotonic() + timeout_s
    while True:
        _show(view)
        try:
            view.locator(".fg-log .xterm-rows").get_by_text(text).first.wait_for(timeout=5_000)
            return
        except PlaywrightTimeout:
            if time.monotonic() > deadline:
                raise


@pytest.mark.timeout(400)
def test_walkthrough_runs_and_widgets_render(page: Any, lab_server: LabServer) -> None:
    shutil.copy(NOTEBOOK, lab_server.root_dir / "walkthrough.ipynb")
    lab = JupyterLabPage(page, lab_server)
    lab.run_notebook("walkthrough.ipynb")

    gpus = page.locator(".forgather-widget.fg-gpus .fg-gpu")
    gpus.nth(3).wait_for(timeout=60_000)
    assert gpus.count() == 4
    _show(gpus.first)
    assert "simulated" in (page.locator(".forgather-widget.fg-gpus").text_content() or "")
    lab.screenshot("notebook-gpu-dashboard")

    rows = page.locator(".forgather-widget.fg-jobs tr[data-job]")
    rows.first.wait_for(state="attached", timeout=60_000)
    job_view = page.locator(".forgather-widget.fg-job")
    _wait_for_log_text(job_view, re.compile(r"step \d+/400"))
    # the chart (uPlot, as in the Lab's job view) fills in from the reported loss;
    # "attached", not "visible": Lab hides cells scrolled out of view (content-visibility)
    job_view.locator(".fg-plot:not([data-steps='0']) .uplot canvas").wait_for(
        state="attached", timeout=60_000
    )
    _show(job_view)
    lab.screenshot("notebook-job-view")

    # the last cell finishes: every cell ran, and the last one printed the jobs table
    last = page.locator(".jp-Cell").last
    last.get_by_text("tiny char LM").first.wait_for(state="attached", timeout=300_000)
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
    job_view.get_by_text("done").first.wait_for(state="attached", timeout=30_000)
    _show(page.locator(".forgather-widget.fg-jobs"))
    lab.screenshot("notebook-walkthrough")
