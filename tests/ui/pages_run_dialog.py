"""Page objects for a config's Run… action: who gets it, and what its dialog shows and stores.

``RunDialogProject`` writes a small project into the seeded example root (a
two-worker training config, an eval config and a ``type.model`` one) and
removes it again; ``RunDialogApi`` sets the scene and reads back what the UI
did, with timeouts that hold on a loaded machine.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import httpx

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_projects import ProjectsSection

T = TypeVar("T")

PROJECT = "UI run dialog"
DIRNAME = "ui_run_dialog"

_ARGS = """\
dynamic_args:
  steps: {type: int, default: 3, help: "Steps"}
  lr: {type: float, default: 0.1, help: "Learning rate"}
"""
CONFIGS = {
    # No job.gpus: it takes GPUs by default (as many as its workers, when there are).
    "train.yaml": "meta: {config_name: Two workers, config_class: type.training_script}\n"
    + _ARGS
    + "job:\n  script: run.py\n  args: {steps: '{{ steps }}', lr: '{{ lr }}'}\n"
    + "  nproc_per_node: 2\n",
    "eval.yaml": "meta: {config_name: Evaluate it, config_class: type.eval}\n"
    + _ARGS
    + "job:\n  script: run.py\n  args: {steps: '{{ steps }}'}\n",
    "model.yaml": "meta: {config_name: Just a model, config_class: type.model}\n"
    + _ARGS
    + "job:\n  script: run.py\n",
}


def wait_until(what: str, probe: Callable[[], T | None], within: float = 60) -> T:
    """``probe()`` again until it gives something truthy (that value), or fail saying ``what``."""
    deadline = time.monotonic() + within
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {within}s (last: {value!r})")
        time.sleep(0.25)


class RunDialogProject:
    """The test's project on disk, inside the Lab server's example workspace."""

    def __init__(self, server: LabServer) -> None:
        self.root: Path = server.root_dir / "forgather-examples" / DIRNAME

    def write(self) -> None:
        (self.root / "configs").mkdir(parents=True, exist_ok=True)
        (self.root / "meta.yaml").write_text(f"name: {PROJECT}\ndefault_config: train.yaml\n")
        (self.root / "run.py").write_text("print('ran')\n")
        for name, text in CONFIGS.items():
            (self.root / "configs" / name).write_text(text)

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class LabApi:
    """The Lab server's REST API, for setting the scene and reading back what the UI did."""

    def __init__(self, server: LabServer) -> None:
        self.server = server

    def response(self, method: str, endpoint: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.server.url}/forgather/api/{endpoint}",
            headers={"Authorization": f"token {self.server.token}"},
            timeout=60,  # a loaded server answers late, not wrongly
            **kwargs,
        )

    def call(self, method: str, endpoint: str, **kwargs: Any) -> Any:
        """The JSON answer; an HTTP error raises."""
        r = self.response(method, endpoint, **kwargs)
        r.raise_for_status()
        return r.json() if r.content else None


class RunDialogApi(LabApi):
    """What the Run dialog stores and queues."""

    def ref(self, config: str) -> dict[str, str]:
        return {"project_dir": str(RunDialogProject(self.server).root), "config": config}

    def overrides(self, config: str) -> dict[str, Any]:
        return dict(self.call("GET", "config/overrides", params=self.ref(config))["values"])

    def clear_overrides(self, config: str) -> None:
        self.call("DELETE", "config/overrides", params=self.ref(config))

    def set_scheduler(self, enabled: bool) -> None:
        self.call("POST", "queue/scheduler", json={"enabled": enabled})

    def queue(self) -> list[dict[str, Any]]:
        return list(self.call("GET", "queue")["jobs"])

    def end(self, job_ids: list[str]) -> None:
        """Cancel queued jobs and forget them."""
        for job_id in job_ids:
            self.call("DELETE", f"queue/{job_id}")
            self.call("DELETE", f"jobs/{job_id}")


class RunConfigDialog:
    """The "Run <config>" dialog: dynamic args, GPUs with the config's default, nproc note."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.root = lab.page.locator(".jp-Dialog")
        self.form = self.root.locator("form.jp-forgather-form")
        self.form.wait_for(state="visible")

    @property
    def gpus(self) -> Any:
        return self.form.get_by_label("GPUs", exact=True)

    @property
    def nproc(self) -> Any:
        """The note under GPUs: the config's nproc_per_node and the default GPU count."""
        return self.form.locator(".jp-forgather-nproc")

    @property
    def mismatch(self) -> Any:
        """The warning when the GPUs asked for do not match the config's workers."""
        return self.form.locator(".jp-forgather-nproc-mismatch")

    def arg(self, name: str) -> Any:
        return self.form.get_by_label(name, exact=True)

    def submit(self) -> None:
        self.root.get_by_role("button", name="Queue", exact=True).click()
        self.root.wait_for(state="detached")

    def cancel(self) -> None:
        self.root.get_by_role("button", name="Cancel", exact=True).click()
        self.root.wait_for(state="detached")


class RunActions:
    """Run… from the Projects tree's context menu, and the config view's button."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.projects = ProjectsSection(lab)

    def open(self) -> None:
        self.projects.open()
        self.projects.expand_project(PROJECT)

    def row(self, config: str) -> Any:
        """The config's row once its metadata loaded (it then says what Run queues)."""
        row = self.projects.config_row(config)
        row.and_(self.page.locator("[data-job-type]")).wait_for()
        return row

    def menu_items(self, config: str) -> list[str]:
        """The labels of the config row's context menu that a user sees (left open).

        Lumino renders an item whose command is not visible with ``lm-mod-hidden``.
        """
        self.row(config).click(button="right")
        menu = self.page.locator(".lm-Menu")
        menu.get_by_role("menuitem").first.wait_for()
        shown = menu.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel")
        return [t.strip() for t in shown.all_inner_texts()]

    def close_menu(self) -> None:
        self.page.keyboard.press("Escape")
        self.page.locator(".lm-Menu").wait_for(state="detached")

    def run(self, config: str) -> RunConfigDialog:
        self.row(config).click(button="right")
        self.page.locator(".lm-Menu").get_by_role("menuitem", name="Run…").click()
        return RunConfigDialog(self.lab)

    @property
    def config_view(self) -> Any:
        """The config view in front (one tab per config; the others stay in the page)."""
        return self.projects.config_view.filter(visible=True)

    def view_run_button(self) -> Any:
        return self.config_view.get_by_role("button", name="Run…")
