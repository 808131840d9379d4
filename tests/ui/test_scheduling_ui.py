"""Scheduling in a real JupyterLab, in a real Chromium: why a job waits, steering the
queue, sweeps from the Run dialog, a job's history. Each test a user story."""

from __future__ import annotations

import re
import sys
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_scheduling import HistoryView, QueuePanel, RunDialog, SchedulingApi

pytestmark = pytest.mark.ui


def _open(page: Any, lab_server: LabServer, theme: str = "JupyterLab Light") -> QueuePanel:
    SchedulingApi(lab_server).set_theme(theme)
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    light = "false" if "Dark" in theme else "true"
    page.wait_for_selector(f'body[data-jp-theme-light="{light}"]', state="attached")
    panel = QueuePanel(lab)
    panel.open_from_sidebar()
    panel.gpus.get_by_role("button", name="GPU 0: disable").wait_for()
    return panel


def test_a_big_job_on_a_full_pool_says_why_it_waits(page: Any, lab_server: LabServer) -> None:
    api = SchedulingApi(lab_server)
    # Two jobs that declare memory share one card; two more take whole cards; one card stays.
    ids = [api.sleeper(f"packed-{i}", gpu_memory=2048)["id"] for i in (1, 2)]
    ids += [api.sleeper(f"whole-{i}")["id"] for i in (1, 2, 3)]
    try:
        panel = _open(page, lab_server)
        for name in ("packed-1", "packed-2", "whole-1", "whole-2", "whole-3"):
            panel.wait_for_status(name, "running")
        ids.append(api.sleeper("big-4gpu", gpus=4)["id"])
        panel.queued_item("big-4gpu").wait_for()
        reason = panel.reason("big-4gpu")
        reason.filter(has_text=re.compile(r"needs 4 GPUs, 0 idle")).wait_for()
        assert panel.position("big-4gpu") == "1"

        # The shared card lists both of its jobs, with what they declared.
        shared = {i for j in ids[:2] for i in api.job(j)["gpus"]}
        assert len(shared) == 1, "the two declaring jobs share one card"
        (index,) = shared
        jobs_on_card = panel.gpu_jobs(index)
        jobs_on_card.get_by_role("button", name="packed-1").wait_for()
        jobs_on_card.get_by_role("button", name="packed-2").wait_for()
        assert jobs_on_card.get_by_text("2.0 GiB declared").count() == 2
        # Declared (the sum of their gpu_memory) next to used (telemetry).
        card = panel.gpus.locator(f'[data-gpu-index="{index}"]')
        declared = card.locator(".jp-forgather-meter-row").filter(
            has=page.get_by_role("meter", name="Declared")
        )
        declared.get_by_text("4.0 GiB / 24.0 GiB").wait_for()
        assert card.get_by_role("meter", name="Memory").is_visible()
        panel.lab.screenshot("scheduling-pending-reason-light")
        jobs_on_card.scroll_into_view_if_needed()
        panel.lab.screenshot("scheduling-packed-gpu-light")
    finally:
        api.end(ids)


def test_change_priorities_inline_and_move_to_top(page: Any, lab_server: LabServer) -> None:
    api = SchedulingApi(lab_server)
    api.set_scheduler(False)  # nothing dispatches: the jobs stay queued to be reordered
    ids: list[str] = []
    try:
        ids = [api.sleeper(name, gpus=1)["id"] for name in ("prio-a", "prio-b", "prio-c")]
        panel = _open(page, lab_server, theme="JupyterLab Dark")
        panel.wait_for_order(["prio-a", "prio-b", "prio-c"])
        assert panel.reason("prio-a").inner_text() == "scheduler paused"

        # Inline: click the priority, type, Enter saves; the queue reorders.
        panel.type_priority("prio-c", "5", "Enter")
        panel.wait_for_order(["prio-c", "prio-a", "prio-b"])
        assert api.job(ids[2])["priority"] == 5
        assert panel.position("prio-c") == "1"

        # Escape cancels; nothing is sent.
        panel.type_priority("prio-a", "9", "Escape")
        panel.priority_button("prio-a").wait_for()
        assert api.job(ids[0])["priority"] == 0

        # A value out of bounds is refused in place, with a message.
        panel.type_priority("prio-a", "5000", "Enter")
        panel.queued_item("prio-a").get_by_role("alert").filter(has_text="-1000").wait_for()
        panel.priority_input("prio-a").press("Escape")

        # Move to top: one above the highest other queued job's priority.
        panel.move_to_top("prio-b").click()
        panel.wait_for_order(["prio-b", "prio-c", "prio-a"])
        assert api.job(ids[1])["priority"] == 6
        assert panel.move_to_top("prio-b").is_disabled()  # first already
        panel.lab.screenshot("scheduling-queue-reordered-dark")
    finally:
        api.end(ids)
        api.set_scheduler(True)


def test_run_a_sweep_from_the_run_dialog(page: Any, lab_server: LabServer) -> None:
    api = SchedulingApi(lab_server)
    api.set_scheduler(False)
    before = {j["id"] for j in api.queue()}
    try:
        panel = _open(page, lab_server)
        tree = panel.root.get_by_test_id("forgather-projects-tree")
        tree.get_by_test_id("forgather-workspace-Forgather examples").click()
        tree.get_by_test_id("forgather-project-Hello script").click()
        tree.get_by_test_id("forgather-config-count_words.yaml").click(button="right")
        page.get_by_role("menuitem", name="Run…").click()

        form = RunDialog(panel.lab)
        form.sweep("steps", "3, 4")
        form.sweep("delay", "0.01,0.02")
        form.root.get_by_label("Name", exact=True).fill("words-sweep")
        form.root.get_by_label("steps", exact=True).scroll_into_view_if_needed()
        panel.lab.screenshot("scheduling-run-sweep-args-light")
        advanced = form.advanced()
        advanced.get_by_label("Time limit").fill("10m")
        advanced.get_by_label("Max retries").fill("1")
        panel.lab.screenshot("scheduling-run-advanced-light")
        form.submit()

        page.get_by_text(re.compile(r"^4 jobs queued \(group [0-9a-zA-Z_-]+\)")).first.wait_for()
        mine = [j for j in api.queue() if j["id"] not in before]
        assert len(mine) == 4
        assert len({j["group"] for j in mine}) == 1
        assert mine[0]["group"]
        args = [j["params"]["dynamic_args"] for j in mine]
        points = {(a["steps"], a["delay"]) for a in args}
        assert points == {(3, 0.01), (3, 0.02), (4, 0.01), (4, 0.02)}
        assert {j["time_limit"] for j in mine} == {600}
        assert {j["max_retries"] for j in mine} == {1}
        chips = panel.queue.locator(f'[data-group="{mine[0]["group"]}"]')
        chips.nth(3).wait_for()
        assert chips.count() == 4
        panel.lab.screenshot("scheduling-sweep-queued-light")
    finally:
        api.end([j["id"] for j in api.queue() if j["id"] not in before])
        api.set_scheduler(True)


def test_job_view_shows_details_and_history(page: Any, lab_server: LabServer) -> None:
    api = SchedulingApi(lab_server)
    first = api.call(
        "POST",
        "queue",
        {
            "job_type": "command",
            "job_params": {"argv": [sys.executable, "-c", "print('history-first')"]},
            "name": "hist-first",
        },
    )
    second = api.call(
        "POST",
        "queue",
        {
            "job_type": "command",
            "job_params": {"argv": [sys.executable, "-c", "print('history-second')"]},
            "name": "hist-second",
            "depends_on": [first["id"]],
            "time_limit": 90,
            "max_retries": 2,
            "preemptible": True,
        },
    )
    panel = _open(page, lab_server)
    panel.wait_for_status("hist-second", "done")
    panel.open_job("hist-second")
    view = HistoryView(panel.lab, "hist-second")
    view.history.locator('tbody tr[data-status="done"]').wait_for()
    statuses = view.history_statuses()
    assert statuses[0] == "queued"
    assert statuses[-1] == "done"
    assert "running" in statuses
    details = view.details
    assert "1 min 30 s" in details.inner_text()  # the time limit
    assert "retries up to 2" in details.inner_text()
    details.get_by_role("button", name=re.compile(rf"hist-first \({first['id']}\)")).wait_for()
    panel.lab.screenshot("scheduling-job-history-light")
    assert second["depends_on"] == [first["id"]]


@pytest.mark.timeout(300)
def test_notebook_widgets_show_place_and_reason(page: Any, lab_server: LabServer) -> None:
    import nbformat

    api = SchedulingApi(lab_server)
    api.set_scheduler(False)
    ids: list[str] = []
    try:
        ids = [api.sleeper(name)["id"] for name in ("widget-a", "widget-b")]
        nb = nbformat.v4.new_notebook()
        nb.cells = [
            nbformat.v4.new_code_cell(
                "from forgather_lab.widgets import JobsTable, JobView\nJobsTable(status='queued')"
            ),
            nbformat.v4.new_code_cell(f"JobView({ids[1]!r})"),
        ]
        nbformat.write(nb, lab_server.root_dir / "scheduling_widgets.ipynb")
        lab = JupyterLabPage(page, lab_server)
        lab.run_notebook("scheduling_widgets.ipynb")

        table = page.locator(".forgather-widget.fg-jobs")
        row = table.locator(f'tr[data-job="{ids[1]}"]')
        row.wait_for(timeout=60_000)
        row.get_by_text(re.compile(r"^queued #\d+$")).wait_for()
        assert "scheduler paused" in (row.text_content() or "")
        view = page.locator(".forgather-widget.fg-job")
        view.get_by_text(re.compile(r"widget-b · queued · #\d+: scheduler paused")).wait_for()
        lab.screenshot("scheduling-notebook-widgets")
    finally:
        api.end(ids)
        api.set_scheduler(True)
