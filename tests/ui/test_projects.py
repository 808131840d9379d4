"""Browse the example workspace in the sidebar and open a config view, in Chromium."""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage

pytestmark = pytest.mark.ui


def test_browse_examples_and_open_a_config_view(page: Any, lab_server: LabServer) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    tree = panel.root.get_by_test_id("forgather-projects-tree")
    tree.get_by_test_id("forgather-workspace-Forgather examples").click()
    tree.get_by_test_id("forgather-project-Tiny char LM").click()
    # Config rows load their metadata lazily: the pretty name appears next to the file.
    train = tree.get_by_test_id("forgather-config-train.yaml")
    train.get_by_text("Tiny char LM").wait_for()
    train.click()
    view = page.get_by_test_id("forgather-config-view")
    rendered = view.get_by_test_id("forgather-rendered-yaml")
    rendered.get_by_text("config_class: type.training_script").wait_for()
    assert "script: train.py" in rendered.inner_text()
    # The config's row opened its outputs (none yet: counts of zero).
    tree.get_by_text("Checkpoints").wait_for()
    lab.screenshot("projects-config-rendered")
    view.get_by_role("tab", name="Templates").click()
    view.locator(".jp-forgather-markdown img, .jp-forgather-markdown svg").first.wait_for()
    assert view.get_by_role("button", name="base/training_script.yaml").count() >= 1
    page.wait_for_timeout(500)  # let mermaid finish laying out before the picture
    lab.screenshot("projects-config-templates")
    view.get_by_role("tab", name="Info").click()
    view.locator(".jp-forgather-markdown h1").get_by_text("Tiny char LM").wait_for()
    lab.screenshot("projects-config-info")
    # Right-click on a config offers the project actions from JupyterLab's context menu.
    train.click(button="right")
    menu = page.locator(".lm-Menu")
    menu.get_by_text("Duplicate Config…").wait_for()
    assert menu.get_by_text("Delete Permanently…").count() == 1
    page.keyboard.press("Escape")
    # Leave the saved layout as we found it for the next test.
    lab.run_command("Close All Tabs")
