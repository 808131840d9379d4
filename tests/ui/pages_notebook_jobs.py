"""Page objects of notebook jobs: the file browser's "Queue on GPU…" and its dialog."""

from __future__ import annotations

from typing import Any

from .pages import JupyterLabPage


class FileBrowser:
    """JupyterLab's file browser, as a user clicks it."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page

    def show(self) -> None:
        """Open the file browser's sidebar (a click on its tab when shown would close it)."""
        tab = self.page.locator('.jp-SideBar .lm-TabBar-tab[data-id="filebrowser"]')
        tab.wait_for()
        if "lm-mod-current" not in (tab.get_attribute("class") or ""):
            tab.click()
        self.page.locator(".jp-DirListing-content").wait_for(state="visible")

    def item(self, name: str) -> Any:
        return self.page.locator(f'.jp-DirListing-item[title^="Name: {name}"]')

    def context_menu(self, name: str, entry: str) -> None:
        """Right-click ``name`` and choose ``entry`` from the menu."""
        item = self.item(name)
        item.wait_for(state="visible")
        item.click()
        item.click(button="right")
        self.page.locator(".lm-Menu-item", has_text=entry).first.click()


class QueueNotebookDialog:
    """The "Queue … on GPU" dialog: the notebook's parameters, output, GPUs, priority."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page
        self.root = self.page.locator(".jp-Dialog")
        self.root.locator(".jp-forgather-notebook-job-form").wait_for(state="visible")

    def parameter(self, name: str) -> Any:
        return self.root.get_by_label(name, exact=True)

    def set_parameter(self, name: str, value: str) -> None:
        self.parameter(name).fill(value)

    def set_placement(self, gpus: int, priority: int) -> None:
        self.root.get_by_label("GPUs", exact=True).fill(str(gpus))
        self.root.get_by_label("Priority", exact=True).fill(str(priority))

    def submit(self) -> None:
        self.root.get_by_role("button", name="Queue").click()
        self.root.wait_for(state="detached")


class Notifications:
    """JupyterLab's toasts."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page

    def toast(self, text: str) -> Any:
        return self.page.locator(".Toastify__toast", has_text=text)

    def open_from(self, text: str, timeout: float = 90_000) -> None:
        toast = self.toast(text)
        toast.wait_for(timeout=timeout)
        toast.get_by_role("button", name="Open").click()
