"""The Evaluate panel in Chromium: a finished eval run of the example, as a results table.

The tiny char LM is trained for a few steps and evaluated (real jobs, on
the CPU); "Show Evaluation Results" opens the table of what the eval job
wrote (``evaluations/<name>/results.json``).
"""

from __future__ import annotations

import time

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi
from .pages_services import EvaluatePanel

pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]

PROJECT = "forgather-examples/tiny_char_lm"


def _run(api: ForgatherApi, job_type: str, config: str, args: dict) -> dict:
    job = api.call(
        "POST",
        "queue",
        {"job_type": job_type, "project_dir": PROJECT, "config": config, "dynamic_args": args},
    )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        job = api.call("GET", f"jobs/{job['id']}")
        if job["status"] in ("done", "failed", "aborted", "cancelled"):
            break
        time.sleep(0.5)
    assert job["status"] == "done", job
    return job


def test_evaluate_panel_shows_results(page: object, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    api.set_scheduler(True)
    _run(api, "training", "train.yaml", {"max_steps": 30})
    ev = _run(api, "eval", "eval.yaml", {"sample_chars": 40})
    assert ev["job_type"] == "eval"
    out = ev["params"]["job"]["output_dir"]
    evaluations = api.call("GET", f"model/evaluations?output_dir={out}")["evaluations"]
    assert evaluations
    assert evaluations[0]["results"]["eval_loss"] > 0

    lab = JupyterLabPage(page, lab_server)
    lab.open()
    lab.run_command("Show Evaluation Results")
    panel = EvaluatePanel(lab)
    panel.table.wait_for(timeout=30_000)
    columns = panel.columns()
    assert columns[:3] == ["evaluation", "when", "checkpoint"]
    assert {"step", "eval_loss", "perplexity"} <= set(columns)
    name = evaluations[0]["name"]
    shown = float(panel.value(name, "eval_loss"))
    assert abs(shown - evaluations[0]["results"]["eval_loss"]) < 1e-3
    # The generated sample is text, not a cell: it is under the table.
    panel.root.get_by_text("sample", exact=True).first.click()
    assert evaluations[0]["results"]["sample"][:10] in panel.root.inner_text()
    lab.screenshot("evaluate-panel")
