"""Page objects: each UI test reads as a user story."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import ARTIFACTS, LabServer


class JupyterLabPage:
    """JupyterLab as a user sees it."""

    def __init__(self, page: Any, server: LabServer) -> None:
        self.page = page
        self.server = server

    def open(self, theme: str | None = None) -> None:
        self.page.goto(f"{self.server.url}/lab?token={self.server.token}&reset")
        self.page.wait_for_selector("#jp-main-dock-panel", state="visible")
        if theme:
            self.run_command(f"Use Theme: {theme}")

    def run_command(self, label: str) -> None:
        """Run a palette command by its label, with the keyboard (Enter on the match).

        The palette closes when it loses focus, and clicking the dock panel
        activates its widget a moment later (later still on a loaded machine),
        which can take the focus from a palette opened too early: wait for that
        focus, and open the palette again if it closed under us anyway.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        palette = self.page.locator(".jp-ModalCommandPalette .lm-CommandPalette-input")
        active = self.page.locator(".jp-ModalCommandPalette .lm-CommandPalette-item.lm-mod-active")
        for attempt in range(3):
            self.page.locator("#jp-main-dock-panel").click()
            self.page.wait_for_function(
                "() => !!document.activeElement?.closest('#jp-main-dock-panel')"
            )
            self.page.wait_for_timeout(200 * (attempt + 1))
            self.page.keyboard.press("Control+Shift+C")
            try:
                palette.wait_for(state="visible", timeout=10_000)
                palette.fill(label, timeout=10_000)
                active.filter(has_text=label).wait_for(timeout=10_000)
                palette.press("Enter", timeout=10_000)
                return
            except PlaywrightTimeout:
                if attempt == 2:
                    raise
                self.page.keyboard.press("Escape")

    def run_notebook(self, name: str) -> None:
        """Open ``name`` (under the Lab's root), start its kernel and run all cells."""
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        self.page.goto(f"{self.server.url}/lab/tree/{name}?token={self.server.token}&reset")
        self.page.wait_for_selector("#jp-main-dock-panel", state="visible")
        self.page.locator(".jp-Notebook").first.wait_for(state="visible")
        # A fresh Lab asks which kernel to start; the notebook's own (Python 3) is preselected.
        accept = self.page.locator(".jp-Dialog .jp-mod-accept")
        try:
            accept.wait_for(timeout=20_000)
            accept.click()
        except PlaywrightTimeout:
            pass  # started without asking
        self.page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").first.wait_for(
            timeout=60_000
        )
        self.run_command("Run All Cells")

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


class ForgatherPanel:
    """The Forgather sidebar panel."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = self.page.locator("#forgather-panel")

    def open_from_sidebar(self) -> None:
        self.page.locator('.jp-SideBar [data-id="forgather-panel"]').click()
        self.root.wait_for(state="visible")

    def open_from_palette(self) -> None:
        self.lab.run_command("Open the Forgather Panel")
        self.root.wait_for(state="visible")

    @property
    def health_status(self) -> Any:
        return self.root.get_by_test_id("forgather-health-status")

    @property
    def gpu_backend(self) -> Any:
        return self.root.get_by_test_id("forgather-gpu-backend")
