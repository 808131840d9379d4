"""Page objects for the quickstart walk: Run… a config, watch it, serve a checkpoint, chat.

Each step is what docs/quickstart.md tells a newcomer to do; the screenshots it
shows are taken here (``shoot``).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Any

import httpx

from .pages import JupyterLabPage
from .pages_jobs import JobsPanel, JobView
from .pages_projects import ProjectsApi, ProjectsSection

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "images"


def docs_mode() -> bool:
    """``FORGATHER_DOCS_SCREENSHOTS=1``: walk the quickstart exactly (the config's
    defaults, a full run) and refresh docs/images/ with what it shows."""
    return os.environ.get("FORGATHER_DOCS_SCREENSHOTS") == "1"


def shoot(lab: JupyterLabPage, name: str) -> Path:
    """A screenshot in test-artifacts/ui/; also into docs/images/ in ``docs_mode``
    (so an ordinary test run does not rewrite committed files)."""
    dismiss_news(lab)
    path = lab.screenshot(f"quickstart-{name}")
    if docs_mode():
        DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS_IMAGES / path.name)
    return path


def dismiss_news(lab: JupyterLabPage, wait_ms: int = 0) -> None:
    """Answer JupyterLab's own "notified about official Jupyter news?" toast, so it
    does not sit in every picture (not while a dialog holds the page)."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    toast = lab.page.locator(".Toastify__toast").filter(has_text="official Jupyter news")
    if wait_ms:
        try:
            toast.wait_for(timeout=wait_ms)
        except PlaywrightTimeout:
            return
    if toast.count() and not lab.page.locator(".jp-Dialog").count():
        toast.get_by_role("button", name="No", exact=True).click()
        toast.wait_for(state="detached")


class RunForm:
    """The "Run <config>" dialog generated from a config's dynamic_args."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.root = lab.page.locator(".jp-Dialog")
        self.root.wait_for(state="visible")

    def set(self, arg: str, value: object) -> None:
        self.root.get_by_label(arg, exact=True).fill(str(value))

    def scroll_to_top(self) -> None:
        """Show the first fields (the form scrolls to the one last filled)."""
        self.root.locator(".jp-Dialog-body").evaluate("body => { body.scrollTop = 0; }")

    def submit(self) -> None:
        self.root.get_by_role("button", name="Queue", exact=True).click()
        self.root.wait_for(state="detached")


class Quickstart:
    """The Forgather panel, from the tiny Llama's config to a chat with its checkpoint."""

    PROJECT = "Tiny Llama"

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.projects = ProjectsSection(lab)
        self.jobs = JobsPanel(lab)

    def open(self) -> None:
        self.lab.open()
        self.jobs.open_from_sidebar()
        dismiss_news(self.lab, wait_ms=10_000)

    def run_config(self, config: str = "train.yaml") -> RunForm:
        self.projects.expand_project(self.PROJECT)
        row = self.projects.config_row(config)
        row.get_by_text("Tiny Llama").wait_for()  # its metadata loaded
        row.click(button="right")
        self.page.get_by_role("menuitem", name="Run…").click()
        return RunForm(self.lab)

    def watch(self, name: str) -> JobView:
        self.jobs.wait_for_status(name, "running", timeout=60_000)
        return self.jobs.open_job(name)

    def loss_curve(self, view: JobView) -> Any:
        return view.root.get_by_role("img", name=re.compile("^Metrics of job")).locator("canvas")

    def last_checkpoint(self, config: str) -> str:
        """The name of the config's newest checkpoint, as the server lists them."""
        api = ProjectsApi(self.lab.server)
        output_dir = api.output_dir(api.project_dir(self.PROJECT), config)
        listed = api.call("GET", "model/checkpoints", params={"output_dir": output_dir})
        return str(listed.json()["checkpoints"][-1]["name"])

    def checkpoint_row(self, config: str, name: str) -> Any:
        """The checkpoint's row under the config's outputs (opened as needed), once it
        is known to be a Hugging Face save (``data-hf``)."""
        row = self.projects.config_row(config)
        if row.get_attribute("aria-expanded") != "true":
            row.click()
        group = self.projects.output_group("Checkpoints")
        if group.get_attribute("aria-expanded") != "true":
            group.click()
        item = self.projects.output_row(name)
        item.and_(self.page.locator('[data-hf="true"]')).wait_for()
        return item

    def open_menu(self, row: Any) -> Any:
        row.click(button="right")
        menu = self.page.locator(".lm-Menu")
        menu.wait_for()
        return menu

    @property
    def chat(self) -> Any:
        return self.page.locator("#forgather-chat")

    def kill(self, job_id: str) -> None:
        """End a job through the REST API (a loaded server may take a while to answer)."""
        server = self.lab.server
        httpx.post(
            f"{server.url}/forgather/api/jobs/{job_id}/control/kill",
            headers={"Authorization": f"token {server.token}"},
            timeout=60,
        )

    def send(self, text: str) -> None:
        self.chat.get_by_label("Message").fill(text)
        self.chat.get_by_role("button", name="Send").click()

    def reply(self) -> Any:
        return self.chat.locator('.jp-forgather-chat-turn[data-role="assistant"]').last
