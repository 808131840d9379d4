"""Queue, jobs and GPUs in a real JupyterLab, in a real Chromium: each test a user story."""

from __future__ import annotations

import re
import shlex
import sys
import time
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import CommandJobDialog, ForgatherApi, JobsPanel
from .pages_projects import ProjectsApi

pytestmark = pytest.mark.ui

PY = shlex.quote(sys.executable)

# Prints progress the way trainers do: a `\r` bar redrawn in place, a `step i/n` line now and then.
PROGRESS_SCRIPT = (
    "import sys, time\n"
    "n = {n}\n"
    "for i in range(1, n + 1):\n"
    "    if i % 10 == 1:\n"
    "        print(f'\\nstep {{i}}/{{n}} loss={{1.0 / i:.3f}}', flush=True)\n"
    "    done = 30 * i // n\n"
    '    sys.stdout.write(f\'\\r[{{"#" * done}}{{" " * (30 - done)}}] {{i}}/{{n}}\')\n'
    "    sys.stdout.flush()\n"
    "    time.sleep({delay})\n"
    "print('\\nforgather-finished', flush=True)\n"
)


def _open(page: Any, lab_server: LabServer, theme: str = "JupyterLab Light") -> JobsPanel:
    ForgatherApi(lab_server).set_theme(theme)
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    light = "false" if "Dark" in theme else "true"
    page.wait_for_selector(f'body[data-jp-theme-light="{light}"]', state="attached")
    panel = JobsPanel(lab)
    panel.open_from_sidebar()
    panel.gpus.get_by_role("button", name="GPU 0: disable").wait_for()
    return panel


def test_enqueue_from_the_palette_and_watch_the_job_finish(
    page: Any, lab_server: LabServer
) -> None:
    panel = _open(page, lab_server)
    panel.lab.run_command("Forgather: New Command Job")
    dialog = CommandJobDialog(panel.lab)
    dialog.fill(f"{PY} -c \"print('hello from the palette')\"", gpus=1, name="palette-job")
    dialog.submit()

    panel.wait_for_status("palette-job", "done")
    view = panel.open_job("palette-job")
    view.wait_for_log_text("hello from the palette")
    assert view.status("done").is_visible()
    panel.lab.screenshot("jobs-done-light")


def test_queue_a_python_file_from_the_file_browser(page: Any, lab_server: LabServer) -> None:
    (lab_server.root_dir / "work").mkdir(exist_ok=True)
    (lab_server.root_dir / "work" / "hello_fb.py").write_text(
        "import os\nprint('cwd is', os.path.basename(os.getcwd()))\n"
    )
    panel = _open(page, lab_server)
    page.locator('.jp-SideBar [data-id="filebrowser"]').click()
    page.locator(".jp-DirListing-item", has_text="work").dblclick()
    item = page.locator('.jp-DirListing-item[data-file-type="python"]', has_text="hello_fb.py")
    item.click(button="right")
    page.get_by_role("menuitem", name="Queue as Forgather job").click()

    dialog = CommandJobDialog(panel.lab)
    assert dialog.command.input_value() == "python hello_fb.py"
    assert dialog.root.get_by_label("Working directory").input_value() == "work"
    panel.lab.screenshot("queue-file-dialog-light")
    dialog.command.fill(f"{PY} hello_fb.py")  # the interpreter of this test run
    dialog.submit()

    panel.open_from_sidebar()
    panel.wait_for_status("hello_fb.py", "done")
    panel.open_job("hello_fb.py").wait_for_log_text("cwd is work")


def test_a_running_job_streams_its_log_and_can_be_killed(page: Any, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    script = PROGRESS_SCRIPT.format(n=400, delay=0.1)
    api.enqueue([sys.executable, "-u", "-c", script], name="long-run", gpus=2)
    panel = _open(page, lab_server, theme="JupyterLab Dark")
    card = panel.wait_for_status("long-run", "running")
    card.get_by_role("progressbar").wait_for()
    view = panel.open_job("long-run")
    view.wait_for_log_text(re.compile(r"step \d+/400"))
    # The GPUs it holds say so, with the PID attributed to the job.
    panel.gpus.get_by_role("button", name="long-run").first.wait_for()
    time.sleep(1.5)  # a few more lines and \r redraws
    panel.lab.screenshot("job-view-running-dark")

    view.control("Kill").click()
    view.status("running").wait_for(state="detached", timeout=30_000)
    job = next(j for j in api.call("GET", "jobs")["jobs"] if j["name"] == "long-run")
    assert job["status"] in {"failed", "aborted"}


def test_clicking_a_gpu_card_disables_and_enables_it(page: Any, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    panel = _open(page, lab_server)
    panel.gpu_toggle(3).click()
    panel.gpus.get_by_role("button", name="GPU 3: enable").wait_for()
    assert api.gpu(3)["disabled"] is True
    assert panel.gpu_toggle(3).get_attribute("aria-pressed") == "true"
    panel.lab.screenshot("gpus-disabled-light")

    panel.gpu_toggle(3).click()
    panel.gpus.get_by_role("button", name="GPU 3: disable").wait_for()
    assert api.gpu(3)["disabled"] is False


def test_pause_and_resume_the_scheduler(page: Any, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    panel = _open(page, lab_server, theme="JupyterLab Dark")
    panel.scheduler_button("Pause scheduler").click()
    panel.queue.get_by_test_id("forgather-scheduler-paused").wait_for()
    try:
        api.enqueue([sys.executable, "-c", "print('waited')"], name="waiting-job", priority=5)
        panel.queued_item("waiting-job").wait_for()
        time.sleep(1.0)
        assert panel.queued_item("waiting-job").is_visible()  # nothing dispatches
        panel.lab.screenshot("queue-paused-dark")
        panel.scheduler_button("Resume scheduler").click()
        panel.queued_item("waiting-job").wait_for(state="detached")
        panel.wait_for_status("waiting-job", "done")
    finally:
        api.set_scheduler(True)


# A trainer that uses the reporter: loss and lr every step, honours stop.
REPORTER_SCRIPT = (
    "import math, time\n"
    "from forgather_lab import reporter\n"
    "rep = reporter.connect()\n"
    "n = 600\n"
    "for step in range(1, n + 1):\n"
    "    cmds = rep.report(step, n, loss=2.0 * math.exp(-step / 80) + 0.1, lr=1e-3)\n"
    "    if step % 20 == 0:\n"
    "        print(f'step {step}/{n}', flush=True)\n"
    "    if 'stop' in cmds:\n"
    "        print('stopping on request', flush=True)\n"
    "        break\n"
    "    time.sleep(0.05)\n"
    "rep.close()\n"
)


def test_job_view_charts_reported_metrics_and_stops_on_request(
    page: Any, lab_server: LabServer
) -> None:
    api = ForgatherApi(lab_server)
    api.enqueue([sys.executable, "-u", "-c", REPORTER_SCRIPT], name="reporting-run", gpus=1)
    panel = _open(page, lab_server)
    panel.wait_for_status("reporting-run", "running")
    view = panel.open_job("reporting-run")
    chart = view.root.get_by_role("img", name=re.compile("^Metrics of job"))
    chart.locator("canvas").wait_for()
    view.root.get_by_role("progressbar").and_(view.root.locator("[aria-valuenow]")).wait_for()
    time.sleep(2.0)  # the curve grows
    panel.lab.screenshot("job-view-metrics-light")

    view.control("Stop").click()
    view.wait_for_log_text("stopping on request")
    view.status("done").wait_for(timeout=30_000)


def test_run_a_config_from_the_projects_tree(page: Any, lab_server: LabServer) -> None:
    ProjectsApi(lab_server).clear_overrides("Hello script", "count_words.yaml")
    panel = _open(page, lab_server)
    tree = panel.root.get_by_test_id("forgather-projects-tree")
    tree.get_by_test_id("forgather-workspace-Forgather examples").click()
    tree.get_by_test_id("forgather-project-Hello script").click()
    tree.get_by_test_id("forgather-config-count_words.yaml").click(button="right")
    page.get_by_role("menuitem", name="Run…").click()

    form = CommandJobDialog(panel.lab)
    steps = form.root.get_by_label("steps", exact=True)
    assert steps.input_value() == "20"  # the config's default
    form.fill_fields({"steps": "5", "delay": "0.05", "Name": "words-from-form"})
    panel.lab.screenshot("run-config-form-light")
    form.submit()

    panel.wait_for_status("words-from-form", "done")
    view = panel.open_job("words-from-form")
    view.wait_for_log_text(re.compile(r"5/5|step 5"))


def test_gpu_context_menu_sets_a_minimum_priority(page: Any, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    panel = _open(page, lab_server)
    try:
        panel.gpu_toggle(2).click(button="right")
        page.get_by_role("menuitem", name="Set Minimum Priority…").click()
        dialog = page.locator(".jp-Dialog")
        dialog.locator("input").fill("7")
        dialog.get_by_role("button", name="Set", exact=True).click()
        panel.gpus.get_by_text("priority ≥ 7").wait_for()
        assert api.gpu(2)["min_priority"] == 7
        # The keyboard path to the same menu: the card's actions button.
        panel.gpus.get_by_role("button", name="Actions for GPU 2").click()
        page.get_by_role("menuitem", name="Kill Processes on GPU…").wait_for()
        page.keyboard.press("Escape")
    finally:
        api.call("POST", "gpus/2/policy", {"min_priority": 0})
