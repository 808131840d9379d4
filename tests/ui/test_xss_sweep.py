"""XSS sweep: hostile names, argv, log lines, metric names and project files on every
Lab surface that shows them, in Chromium; no payload may run anywhere.

Each surface is checked twice: the payload's text is visible (the data really
reached it, the test does not pass because nothing rendered) and the traps of
``pages_xss`` saw no script, dialog, popup or live handler.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi, JobsPanel
from .pages_projects import ProjectsSection
from .pages_xss import (
    DETAILS,
    IMG,
    JS_URL,
    MD_LINK,
    OSC8,
    OSC_TITLE,
    SCRIPT,
    SVG,
    TEXTAREA,
    XssWatch,
)

pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]

# Job names: one payload each, with a plain tag so a locator can tell them apart.
HOLDER = f"{IMG} holder"
REPORTER = f"{SCRIPT} metrics"
WAITING = f"{TEXTAREA} waiting"
LINKY = f"{JS_URL} {DETAILS}"
STAGE = f"{SVG} stage"
METRIC_A = f"{IMG}loss"
METRIC_B = f"{TEXTAREA}lr"
CHECKPOINT = f"/tmp/{SCRIPT}/ckpt"

# Prints every payload (ANSI colour, an OSC 8 link, an OSC 0 title), reports a stage
# when the test says so, then waits for GO.
LOG_SCRIPT = """
import pathlib, sys, time
from forgather_lab import reporter
rep = reporter.connect()
for line in {lines!r}:
    print(line, flush=True)
print('\\x1b[31m' + {img!r} + '\\x1b[0m', flush=True)
print({osc8!r} + ' ' + {title!r} + 'osc-done', flush=True)
go = pathlib.Path(sys.argv[1])
staged = go.with_suffix('.stage')
while not staged.exists():
    time.sleep(0.1)
rep.stage({stage!r})  # once the Lab is open: the stage travels as a live event
rep.flush()
while not go.exists():
    time.sleep(0.1)
"""

# Reports metrics named with payloads, a checkpoint path and an eval, then waits for GO.
METRICS_SCRIPT = """
import pathlib, sys, time
from forgather_lab import reporter
rep = reporter.connect()
for step in range(1, 21):
    rep.report(step, 40, **{{{a!r}: 2.0 / step, {b!r}: 1e-3 * step}})
rep.checkpoint({ckpt!r}, 20)
rep.eval_result(20, **{{{a!r}: 0.5}})
rep.flush()
print('metrics-sent', flush=True)
go = pathlib.Path(sys.argv[1])
while not go.exists():
    time.sleep(0.1)
"""

LINES = [IMG, SVG, SCRIPT, JS_URL, TEXTAREA, DETAILS, MD_LINK]

PROJECT = f"{IMG} project"
CONFIG = "<img src=x onerror=window.__xss=2>.yaml"
GRAPH = "graph.yaml"
TEMPLATE = "<svg onload=window.__xss=3>.yaml"
README = f"""\
# {SVG} readme title

[x](javascript:window.__xss=1) and <a href="javascript:window.__xss=1">js-anchor</a>

{DETAILS}<summary>hostile-summary</summary>inside the details</details>

<img src="x" onerror="window.__xss=(window.__xss||0)+1">

{SCRIPT}

<iframe srcdoc="<script>parent.__xss=1</script>"></iframe>

![pic](x" onerror="window.__xss=1)

{TEXTAREA}

xss-readme-marker
"""


@dataclass
class Hostile:
    go: Path
    jobs: dict[str, str]  # name -> id
    project: Path


def _q(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML string


def _config(name: str, description: str) -> str:
    return textwrap.dedent(
        f"""\
        meta:
          config_name: {_q(name)}
          config_description: {_q(description)}
          config_class: {_q("type." + SVG)}

        dynamic_args:
          steps: {{type: int, default: 3, help: {_q(TEXTAREA)}}}
          label: {{type: str, default: {_q(SCRIPT)}, help: {_q(IMG)}}}

        job:
          script: run.py
          args:
            steps: {{{{ steps }}}}
          gpus: 0
          output_dir: output_models/xss
        """
    )


def _write_project(root: Path) -> Path:
    project = root / "forgather-examples" / "xss_project"
    (project / "configs").mkdir(parents=True, exist_ok=True)
    (project / "templates").mkdir(exist_ok=True)
    (project / "meta.yaml").write_text(
        f"name: {_q(PROJECT)}\n"
        f"description: {_q(SCRIPT + ' ' + JS_URL)}\n"
        "config_prefix: configs\n"
        f"default_config: {_q(CONFIG)}\n"
        "template_paths:\n  - templates\n"
    )
    (project / "README.md").write_text(README)
    (project / "run.py").write_text("print('hi')\n")
    (project / "configs" / CONFIG).write_text(_config(f"{DETAILS} cfg", f"{SCRIPT} desc"))
    (project / "templates" / TEMPLATE).write_text(_config(f"{SVG} tpl", f"{IMG} tpl"))
    (project / "configs" / GRAPH).write_text(f'-- extends "{TEMPLATE}"\n')
    return project


@pytest.fixture(scope="module")
def hostile(lab_server: LabServer) -> Iterator[Hostile]:
    api = ForgatherApi(lab_server)
    go = lab_server.root_dir / "xss-go"
    go.unlink(missing_ok=True)
    go.with_suffix(".stage").unlink(missing_ok=True)
    project = _write_project(lab_server.root_dir)
    log_script = LOG_SCRIPT.format(stage=STAGE, lines=LINES, img=IMG, osc8=OSC8, title=OSC_TITLE)
    metrics_script = METRICS_SCRIPT.format(a=METRIC_A, b=METRIC_B, ckpt=CHECKPOINT)
    py = sys.executable
    jobs = {
        HOLDER: api.enqueue([py, "-u", "-c", log_script, str(go), IMG], name=HOLDER, gpus=1),
        REPORTER: api.enqueue([py, "-u", "-c", metrics_script, str(go)], name=REPORTER),
        # More GPUs than are free while HOLDER runs: it stays in the queue.
        WAITING: api.enqueue([py, "-c", "pass", TEXTAREA], name=WAITING, gpus=4),
        LINKY: api.enqueue([py, "-c", "pass", JS_URL, DETAILS], name=LINKY),
    }
    # No name: the default name is made from argv, payloads included.
    unnamed = api.enqueue([py, "-c", "pass", SVG, SCRIPT], name="")
    ids = {name: job["id"] for name, job in jobs.items()}
    ids[unnamed["name"]] = unnamed["id"]
    api.call(
        "POST",
        "services",
        {
            "type": "command",
            "name": "xss-service",
            "enabled": False,
            "args": {"argv": [py, "-c", "pass", IMG, JS_URL]},
        },
    )
    try:
        yield Hostile(go=go, jobs=ids, project=project)
    finally:
        go.touch()
        for job_id in ids.values():
            job = api.call("GET", f"jobs/{job_id}")
            if job["status"] == "queued":
                api.call("DELETE", f"queue/{job_id}")
        api.call("DELETE", "services/command/xss-service")


def test_the_traps_catch_a_payload_that_runs(page: Any) -> None:
    """The control: the sweep's checks fail where a payload does reach the DOM."""
    watch = XssWatch(page)
    page.goto("about:blank")
    page.evaluate("html => { document.body.innerHTML = html; }", IMG + DETAILS + "x</details>")
    page.wait_for_function("() => window.__xss >= 1")
    with pytest.raises(AssertionError, match="script ran"):
        watch.assert_clean("control")
    page.evaluate("() => { window.__xssHits.length = 0; confirm('navigate?'); }")
    with pytest.raises(AssertionError, match="confirm"):
        watch.assert_clean("control")


def _open(page: Any, lab_server: LabServer) -> tuple[JobsPanel, XssWatch]:
    watch = XssWatch(page)
    ForgatherApi(lab_server).set_theme("JupyterLab Light")
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    panel = JobsPanel(lab)
    panel.open_from_sidebar()
    panel.gpus.get_by_role("button", name="GPU 0: disable").wait_for()
    watch.assert_clean("Lab start")
    return panel, watch


def test_jobs_queue_gpus_services_and_job_views_run_no_payload(
    page: Any, lab_server: LabServer, hostile: Hostile
) -> None:
    api = ForgatherApi(lab_server)
    panel, watch = _open(page, lab_server)
    lab = panel.lab

    # The panel: jobs list (names, stage as progress text), queue, GPU holder, services.
    panel.wait_for_status(HOLDER, "running")
    panel.wait_for_status(REPORTER, "running")
    panel.wait_for_status(LINKY, "done")
    panel.queued_item(WAITING).wait_for()
    hostile.go.with_suffix(".stage").touch()
    panel.job_card(HOLDER).get_by_text(STAGE).wait_for()
    unnamed = next(n for n in hostile.jobs if n.startswith("python") or SVG in n)
    assert SVG in unnamed, unnamed
    panel.jobs.get_by_text(SVG).first.wait_for()
    panel.gpus.get_by_role("button", name=HOLDER).first.wait_for()
    services = panel.root.get_by_role("region", name="Services", exact=True)
    row = services.locator('[data-service="command/xss-service"]')
    row.wait_for()
    # Service names are pattern-checked (no markup can reach them); its hostile argv is
    # stored, and the row must render with it all the same.
    row.get_by_text("command/xss-service").wait_for()
    status_item = page.locator(".jp-forgather-status-item")
    status_item.wait_for()
    assert "busy" in status_item.inner_text()
    watch.assert_clean("panel")
    lab.screenshot("xss-panel")

    # The job view: title, log drawn by xterm (ANSI, OSC 8 and OSC 0 included).
    view = panel.open_job(HOLDER)
    for text in (SVG, SCRIPT, JS_URL, TEXTAREA, DETAILS, MD_LINK, "osc-done"):
        view.wait_for_log_text(text)
    view.log.locator(".xterm-rows").get_by_text("click-me").first.click()
    page.mouse.move(10, 10)
    watch.assert_clean("job view log")
    lab.screenshot("xss-job-log")

    # The metrics chart and its legend, named by the payloads.
    view = panel.open_job(REPORTER)
    view.wait_for_log_text("metrics-sent")
    chart = view.root.get_by_role("img", name="Metrics of job " + hostile.jobs[REPORTER])
    chart.locator("canvas").first.wait_for()
    chart.get_by_text(METRIC_A).first.wait_for()
    watch.assert_clean("job view metrics")
    lab.screenshot("xss-job-metrics")

    # The end of both jobs: the notifications carry the names.
    hostile.go.touch()
    page.locator(".Toastify").get_by_text(REPORTER).first.wait_for()
    panel.wait_for_status(HOLDER, "done")
    watch.assert_clean("job end notifications")
    lab.screenshot("xss-notifications")
    assert api.call("GET", f"jobs/{hostile.jobs[REPORTER]}")["status"] == "done"


def test_projects_tree_config_view_readme_and_overrides_run_no_payload(
    page: Any, lab_server: LabServer, hostile: Hostile
) -> None:
    watch = XssWatch(page)
    projects = ProjectsSection(JupyterLabPage(page, lab_server))
    projects.open()
    projects.expand_project(PROJECT)
    row = projects.config_row(CONFIG)
    row.wait_for()
    projects.tree.get_by_text(PROJECT).first.wait_for()
    watch.assert_clean("projects tree")
    projects.lab.screenshot("xss-projects-tree")

    row.click()
    view = projects.config_view
    view.get_by_text(f"{DETAILS} cfg").first.wait_for()
    view.get_by_text(f"{SCRIPT} desc").first.wait_for()
    view.get_by_test_id("forgather-rendered-yaml").get_by_text("steps: 3").wait_for()
    watch.assert_clean("config view")

    view.get_by_role("tab", name="Info").click()
    md = view.locator(".jp-forgather-markdown")
    md.get_by_text("xss-readme-marker").wait_for()
    md.get_by_text("hostile-summary").wait_for()
    md.get_by_text("js-anchor").wait_for()
    md.get_by_text("readme title").wait_for()
    watch.assert_clean("README")
    projects.lab.screenshot("xss-readme")

    projects.context_menu(row, "Edit Overrides…")
    dialog = projects.dialog
    dialog.get_by_text(TEXTAREA).first.wait_for()
    dialog.get_by_text(IMG).first.wait_for()
    assert dialog.get_by_label(re.compile(r"^label\b")).input_value() == SCRIPT
    watch.assert_clean("overrides dialog")
    projects.lab.screenshot("xss-overrides")
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="detached")

    graph = projects.config_row(GRAPH)
    graph.click()
    view = projects.config_view.filter(has_text=f"{SVG} tpl")
    view.get_by_role("tab", name="Templates").click()
    view.get_by_role("button", name=TEMPLATE).first.wait_for()
    # The mermaid graph, labelled by the names: Lab draws it as an <img> of an SVG
    # document, where no script runs (mermaid's sanitizer also drops the markup).
    view.locator(".jp-RenderedMermaid img").wait_for()
    watch.assert_clean("templates graph")
    projects.lab.screenshot("xss-templates")


def test_notebook_widgets_run_no_payload(
    page: Any, lab_server: LabServer, hostile: Hostile
) -> None:
    hostile.go.touch()
    hostile.go.with_suffix(".stage").touch()
    holder = hostile.jobs[HOLDER]
    cell = (
        "from forgather_lab.widgets import JobsTable, JobView\n"
        # A short table: the suite's other jobs must not push the JobView below
        # the fold, where the notebook does not lay its output out (no log rows).
        "display(JobsTable(limit=10))\n"
        f"display(JobView({holder!r}))"
    )
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "source": cell, "outputs": []}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (lab_server.root_dir / "xss.ipynb").write_text(json.dumps(nb))
    watch = XssWatch(page)
    lab = JupyterLabPage(page, lab_server)
    lab.run_notebook("xss.ipynb")
    table = page.locator(".forgather-widget.fg-jobs")
    table.get_by_text(HOLDER).first.wait_for(timeout=60_000)
    table.get_by_text(LINKY).first.wait_for()
    job = page.locator(".forgather-widget.fg-job")
    job.get_by_text(HOLDER).first.wait_for()
    job.first.scroll_into_view_if_needed()
    job.locator(".fg-log .xterm-rows").get_by_text(TEXTAREA).first.wait_for()
    watch.assert_clean("notebook widgets")
    lab.screenshot("xss-notebook")
