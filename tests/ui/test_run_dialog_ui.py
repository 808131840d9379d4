"""A config's Run… in Chromium: offered only where it runs, with the server's GPU default.

On the session's Lab (4 simulated GPUs), a project of three configs: a
training config of two workers that does not declare ``job.gpus``, an eval
config and a ``type.model`` one. The model config gets Overrides… but no
Run… (its config view says why); the training config's dialog starts at the
GPUs the server would give it and shows its ``nproc_per_node``, warns when
the GPUs asked for do not match, and its submit stores the values used as the
config's overrides, so the dialog opens where it was left (from the tree and
from the config view's Run… alike). The eval config's dialog starts at one
GPU. The scheduler is paused (nothing runs); what the test queued and stored
is removed at its end, so later tests see the defaults.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_quickstart import dismiss_news
from .pages_run_dialog import (
    RunActions,
    RunConfigDialog,
    RunDialogApi,
    RunDialogProject,
    wait_until,
)

pytestmark = [pytest.mark.ui, pytest.mark.timeout(240)]


def test_run_dialog_defaults_warnings_and_overrides(page: Any, lab_server: LabServer) -> None:
    project = RunDialogProject(lab_server)
    project.write()
    api = RunDialogApi(lab_server)
    api.set_scheduler(False)
    before = {j["id"] for j in api.queue()}
    lab = JupyterLabPage(page, lab_server)
    try:
        actions = RunActions(lab)
        lab.open()
        actions.open()
        dismiss_news(lab, wait_ms=5_000)

        # A type.model config: Overrides… only, no Run….
        assert actions.row("model.yaml").get_attribute("data-job-type") == "none"
        items = actions.menu_items("model.yaml")
        assert "Edit Overrides…" in items
        assert "Run…" not in items
        lab.screenshot("run-dialog-model-menu")
        actions.close_menu()
        assert "Run…" in actions.menu_items("train.yaml")  # the same menu on a training config
        actions.close_menu()

        # Its config view has Run… disabled, with the server's reason.
        actions.row("model.yaml").click()
        view_run = actions.view_run_button()
        view_run.wait_for()
        assert view_run.is_disabled()
        reason = actions.config_view.get_by_role("note")
        assert "type.model config" in reason.inner_text()
        assert "Overrides" in (view_run.get_attribute("title") or "")
        lab.screenshot("run-dialog-model-view")

        # Training, two workers, no job.gpus: the form starts at the server's default.
        dialog = actions.run("train.yaml")
        assert dialog.gpus.input_value() == "2"
        assert "nproc_per_node: 2" in dialog.nproc.inner_text()
        assert "takes 2 GPUs" in dialog.nproc.inner_text()
        assert dialog.mismatch.inner_text() == ""
        dialog.gpus.fill("0")  # a CPU run: any worker count will do
        assert dialog.mismatch.inner_text() == ""
        dialog.gpus.fill("1")
        assert "1 GPU for 2 workers" in dialog.mismatch.inner_text()
        assert dialog.mismatch.is_visible()
        dialog.arg("steps").fill("7")
        dialog.arg("lr").fill("0.05")
        lab.screenshot("run-dialog-train-mismatch")
        dialog.submit()

        # The values used are the config's overrides; the job asked for what was shown.
        stored = wait_until("overrides stored", lambda: api.overrides("train.yaml"))
        assert stored == {"steps": 7, "lr": 0.05}
        mine = wait_until(
            "the run queued", lambda: [j for j in api.queue() if j["id"] not in before]
        )
        assert [(j["job_type"], j["requested_gpus"]) for j in mine] == [("training", 1)]
        assert mine[0]["params"]["dynamic_args"] == {"steps": 7, "lr": 0.05}

        # Opened again, it starts where it was left.
        again = actions.run("train.yaml")
        assert again.arg("steps").input_value() == "7"
        assert again.arg("lr").input_value() == "0.05"
        again.cancel()

        # An eval config: one GPU by default, one worker, no warning.
        ev = actions.run("eval.yaml")
        assert ev.gpus.input_value() == "1"
        assert "nproc_per_node: 1" in ev.nproc.inner_text()
        assert ev.mismatch.inner_text() == ""
        lab.screenshot("run-dialog-eval")
        ev.cancel()

        # The training config's view: Run… is enabled and opens the same dialog.
        actions.row("train.yaml").click()
        expect(actions.config_view.locator("strong")).to_have_text("Two workers")
        view_run = actions.view_run_button()
        assert view_run.is_enabled()
        view_run.click()
        from_view = RunConfigDialog(lab)
        assert from_view.arg("steps").input_value() == "7"
        from_view.cancel()
    finally:
        api.end([j["id"] for j in api.queue() if j["id"] not in before])
        for config in ("train.yaml", "eval.yaml"):
            api.clear_overrides(config)
        api.set_scheduler(True)
        project.remove()
