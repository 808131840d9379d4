"""The Forgather panel in a real JupyterLab, in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage

pytestmark = pytest.mark.ui


def test_sidebar_panel_reports_a_healthy_server(page: Any, lab_server: LabServer) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    panel.health_status.get_by_text("healthy").wait_for()
    assert "simulated" in panel.gpu_backend.inner_text()
    assert "4 GPUs" in panel.gpu_backend.inner_text()
    shot = lab.screenshot("panel-light")
    assert shot.stat().st_size > 10_000


def test_palette_opens_the_panel_in_the_dark_theme(page: Any, lab_server: LabServer) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open(theme="JupyterLab Dark")
    page.wait_for_selector('body[data-jp-theme-light="false"]', state="attached")
    panel = ForgatherPanel(lab)
    panel.open_from_palette()
    panel.health_status.get_by_text("healthy").wait_for()
    lab.screenshot("panel-dark")
