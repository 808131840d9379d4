"""The example training, queued from its config, steered through the reporter."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from jobs_helpers import wait_for

PROJECT = "forgather-examples/tiny_char_lm"


@pytest.mark.timeout(240)
async def test_example_training_reports_and_obeys_save_stop(api: Any) -> None:
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "training",
            "project_dir": PROJECT,
            "config": "train.yaml",
            "dynamic_args": {"max_steps": 5000},
            "name": "char lm",
        },
    )
    assert status == 201, job
    assert job["requested_gpus"] == 0  # the config asks for none on CPU
    await wait_for(api, job["id"], {"running"}, timeout=60)
    # Wait until the trainer has reported some progress (it needs torch to import first).
    trainer: dict[str, Any] = {}
    for _ in range(600):
        _, trainer = await api("jobs", job["id"], "status")
        if trainer.get("has_reporter") and (trainer.get("step") or 0) >= 20:
            break
        await asyncio.sleep(0.1)
    assert trainer["has_reporter"], trainer
    assert trainer["max_steps"] == 5000
    assert trainer["loss"] is not None
    status, command = await api("jobs", job["id"], "control", "save-stop", method="POST")
    assert status == 200, command
    done = await wait_for(api, job["id"], {"done", "failed"}, timeout=60)
    assert done["status"] == "done", done
    _, trainer = await api("jobs", job["id"], "status")
    assert trainer["step"] < 5000  # stopped early, on request
    assert trainer["last_checkpoint"]["path"].endswith(f"checkpoint-{trainer['step']}")
    _, series = await api("jobs", job["id"], "metrics", params={"names": "loss"})
    assert len(series["series"]["loss"]) >= 2
    _, log = await api("jobs", job["id"], "tty")
    assert "stopped at step" in log
