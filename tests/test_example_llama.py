"""The tiny Llama example end to end: queued from its config, resumed, served, chatted with.

The quickstart's path in one test (the browser walk is tests/ui/test_quickstart.py):
train a few steps through the queue with the reporter, continue from the
latest checkpoint under ``FORGATHER_LAB_RESUME=1``, then serve that
``save_pretrained`` checkpoint with an inference job and chat through the proxy.
"""

from __future__ import annotations

import asyncio
import json
import os
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path
from typing import Any

import pytest
from inference_helpers import wait_ready
from jobs_helpers import wait_for

from forgather_lab.projects import ProjectsService

PROJECT = "forgather-examples/tiny_llama"

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {"state_dir": str(state_dir)}  # the examples are seeded


@pytest.fixture
def projects(jp_serverapp: Any) -> ProjectsService:
    return jp_serverapp.web_app.settings["forgather_runtime"].projects  # type: ignore[no-any-return]


async def test_tiny_llama_trains_resumes_and_chats(api: Any, projects: ProjectsService) -> None:
    pytest.importorskip("transformers")
    short = {"max_steps": 30, "save_every": 15, "max_seconds": 60}
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "training",
            "project_dir": PROJECT,
            "config": "train.yaml",
            "dynamic_args": short,
            "name": "tiny llama",
        },
    )
    assert status == 201, job
    assert job["requested_gpus"] == 0  # a CPU config
    done = await wait_for(api, job["id"], {"done", "failed", "aborted"}, timeout=90)
    assert done["status"] == "done", Path(done["log_path"]).read_text(errors="replace")[-2000:]
    log = Path(done["log_path"]).read_text(errors="replace")
    assert "step 30/30" in log
    _, trainer = await api("jobs", job["id"], "status")
    assert trainer["has_reporter"], log[-2000:]
    assert trainer["max_steps"] == 30
    # The reporter sends in rounds; its last one may lose the race with the exit
    # on a loaded machine, so only its first checkpoint report is certain.
    assert trainer["step"] >= 15, (trainer, log[-2000:])
    assert "checkpoint-" in trainer["last_checkpoint"]["path"]
    _, series = await api("jobs", job["id"], "metrics", params={"names": "loss"})
    losses = [p[1] if isinstance(p, list) else p["value"] for p in series["series"]["loss"]]
    assert len(losses) >= 10
    assert losses[-1] < losses[0]  # it learns

    spec = projects.resolve_job(PROJECT, "train.yaml", short)
    _, ckpts = await api("model", "checkpoints", params={"output_dir": str(spec.output_dir)})
    assert [c["step"] for c in ckpts["checkpoints"]] == [15, 30]
    last = Path(ckpts["checkpoints"][-1]["path"])
    for name in ("config.json", "model.safetensors", "tokenizer.json", "meta.json"):
        assert (last / name).is_file(), name
    params = json.loads((last / "config.json").read_text())
    assert params["architectures"] == ["LlamaForCausalLM"]
    assert not list(last.parent.glob(".*partial"))  # saves are renamed into place whole

    # A retried or preempted job: the same config, FORGATHER_LAB_RESUME=1.
    longer = projects.resolve_job(PROJECT, "train.yaml", {**short, "max_steps": 40})
    env = {**os.environ, "FORGATHER_LAB_RESUME": "1", "FORGATHER_LAB_ATTEMPT": "2"}
    # Not subprocess.run: the server under test shares this event loop.
    proc = await asyncio.create_subprocess_exec(
        *longer.argv(), cwd=longer.cwd, env=env, stdout=PIPE, stderr=STDOUT
    )
    out = (await asyncio.wait_for(proc.communicate(), timeout=90))[0].decode(errors="replace")
    assert proc.returncode == 0, out[-2000:]
    assert "resuming from checkpoint-30 (step 30, attempt 2)" in out
    assert "step 40/40" in out
    _, ckpts = await api("model", "checkpoints", params={"output_dir": str(spec.output_dir)})
    assert [c["step"] for c in ckpts["checkpoints"]] == [15, 30, 40]

    # Serve the newest checkpoint and chat with it through the proxy.
    served = ckpts["checkpoints"][-1]["path"]
    status, inference = await api(
        "queue",
        method="POST",
        json_body={"job_type": "inference", "job_params": {"model_path": served}},
    )
    assert status == 201, inference
    try:
        row = await wait_ready(api, inference["id"], within=90)
        status, reply = await api(
            "inference",
            "chat/completions",
            method="POST",
            params={"base": row["base_url"]},
            json_body={
                "messages": [{"role": "user", "content": "Shall I compare thee"}],
                "max_tokens": 12,
                "seed": 1,
            },
        )
        assert status == 200, reply
        text = reply["choices"][0]["message"]["content"]
        assert isinstance(text, str)
        assert text.strip()
        # The chat template puts the user's words at the start of a poem (after <eos>).
        assert reply["usage"]["prompt_tokens"] >= 2
    finally:
        await api("jobs", inference["id"], "control", "kill", method="POST")
        await wait_for(api, inference["id"], {"aborted", "failed", "done"}, timeout=30)
