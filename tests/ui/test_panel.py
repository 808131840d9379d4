"""The Forgather panel in a real JupyterLab, in a real Chromium."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage
from .pages_jobs import CommandJobDialog

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


def test_settings_schema_tunes_the_dialogs(page: Any, lab_server: LabServer) -> None:
    """The plugin's settings (Settings Editor → Forgather) reach the front end."""
    url = f"{lab_server.url}/lab/api/settings/forgather-lab:plugin"
    headers = {"Authorization": f"token {lab_server.token}"}
    schema = httpx.get(url, headers=headers, timeout=30).json()["schema"]
    assert {"defaultPriority", "logBacklogBytes", "chartMaxPoints", "gpuPollSeconds"} <= set(
        schema["properties"]
    )
    raw = json.dumps({"defaultPriority": 7})
    assert httpx.put(url, headers=headers, json={"raw": raw}, timeout=30).status_code == 204
    try:
        lab = JupyterLabPage(page, lab_server)
        lab.open()
        panel = ForgatherPanel(lab)
        panel.open_from_sidebar()
        panel.health_status.get_by_text("healthy").wait_for()
        lab.run_command("Forgather: New Command Job")
        dialog = CommandJobDialog(lab)
        assert dialog.root.get_by_label("Priority", exact=True).input_value() == "7"
        dialog.root.get_by_role("button", name="Cancel", exact=True).click()
    finally:
        httpx.put(url, headers=headers, json={"raw": "{}"}, timeout=30)
