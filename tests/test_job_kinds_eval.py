"""Config classes decide the job kind, and training / eval take a GPU by default.

A real server (4 simulated GPUs) over a small project whose configs have
different classes; the jobs are real processes (a stdlib script).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import wait_for
from projects_tree import write

from forgather_lab.projects.job import default_gpus, job_type_of

pytestmark = pytest.mark.timeout(60)

SCRIPT = """\
import json, sys
print("args", json.dumps(sys.argv[1:]))
"""


def _config(config_class: str, job_extra: str = "") -> str:
    meta = f"meta: {{config_name: x, config_class: {config_class}}}\n" if config_class else ""
    return (
        meta
        + "dynamic_args:\n  steps: {type: int, default: 3, help: steps}\n"
        + "job:\n  script: run.py\n  args: {steps: '{{ steps }}'}\n"
        + job_extra
    )


@pytest.fixture
def project(jp_root_dir: Path) -> Path:
    root = Path(jp_root_dir).resolve() / "proj"
    write(root / "meta.yaml", "name: Kinds\ndefault_config: train.yaml\n")
    write(root / "run.py", SCRIPT)
    configs = {
        "train.yaml": _config("type.training_script"),
        "eval.yaml": _config("type.eval"),
        "model.yaml": _config("type.model"),
        "plain.yaml": _config(""),
        "cpu.yaml": _config("type.training_script", "  gpus: 0\n"),
        "nproc_cpu.yaml": _config("type.training_script", "  nproc_per_node: cpu\n"),
        "two.yaml": _config("type.training_script", "  nproc_per_node: 2\n"),
    }
    for name, text in configs.items():
        write(root / "configs" / name, text)
    return root


@pytest.fixture
def forgather_config(state_dir: Path, project: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "search_roots": ["."],
        "seed_examples": False,
        # Nothing is dispatched unless a test says so: the queued record is what counts.
        "scheduler_enabled": False,
    }


async def _queue(api: Any, job_type: str, config: str, **extra: Any) -> tuple[int, Any]:
    body = {"job_type": job_type, "project_dir": "proj", "config": config, **extra}
    return await api("queue", method="POST", json_body=body)


async def test_meta_says_what_run_queues(api: Any) -> None:
    expected = {
        "train.yaml": ("training", None),
        "eval.yaml": ("eval", None),
        "plain.yaml": ("training", None),
        "model.yaml": (None, "type.model"),
    }
    for config, (job_type, refusal) in expected.items():
        status, meta = await api("config", "meta", params={"project_dir": "proj", "config": config})
        assert status == 200, meta
        assert meta["job_type"] == job_type, config
        if refusal is None:
            assert meta["not_runnable"] is None
        else:
            assert refusal in meta["not_runnable"]
            assert "Overrides" in meta["not_runnable"]


async def test_eval_config_queues_an_eval_job(api: Any) -> None:
    status, job = await _queue(api, "eval", "eval.yaml", requested_gpus=0)
    assert status == 201, job
    assert job["job_type"] == "eval"
    assert job["params"]["job"]["config_class"] == "type.eval"
    # Queued as training instead: refused, saying which kind it is.
    status, body = await _queue(api, "training", "eval.yaml")
    assert status == 400
    assert "evaluation config" in body["message"]
    assert "'eval'" in body["message"]
    # And a training config is not an eval job.
    status, body = await _queue(api, "eval", "train.yaml")
    assert status == 400
    assert "'training'" in body["message"]


async def test_other_classes_are_not_run(api: Any) -> None:
    _, before = await api("queue")
    for job_type in ("training", "eval"):
        status, body = await _queue(api, job_type, "model.yaml")
        assert status == 400, body
        assert "type.model" in body["message"]
        assert "Overrides" in body["message"]
    _, after = await api("queue")
    assert after == before  # a refused run queues nothing


async def test_default_gpus_follow_the_seed_rule(api: Any) -> None:
    cases = {
        "train.yaml": 1,  # silent: at least one GPU, the server has four
        "plain.yaml": 1,
        "cpu.yaml": 0,  # the config says 0
        "nproc_cpu.yaml": 0,  # runs on the CPU
        "two.yaml": 2,  # two workers, one GPU each
    }
    for config, gpus in cases.items():
        status, job = await _queue(api, "training", config)
        assert status == 201, job
        assert job["requested_gpus"] == gpus, config
    status, job = await _queue(api, "eval", "eval.yaml")
    assert job["requested_gpus"] == 1
    # An explicit request wins over every default.
    status, job = await _queue(api, "training", "train.yaml", requested_gpus=3)
    assert job["requested_gpus"] == 3
    status, out = await api("config", "output-dir", params={"project_dir": "proj"})
    assert out["gpus"] is None  # the config does not say
    assert out["job"]["gpus"] is None


async def test_eval_job_runs_to_done(api: Any) -> None:
    status, done = await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    assert status == 200, done
    status, job = await _queue(api, "eval", "eval.yaml", dynamic_args={"steps": 7})
    assert status == 201, job
    ended = await wait_for(api, job["id"], {"done", "failed"}, timeout=30)
    assert ended["status"] == "done", ended
    assert len(ended["gpus"]) == 1  # the default GPU, placed
    status, log = await api("jobs", job["id"], "tty")
    assert 'args ["--steps", "7"]' in log


def test_default_gpus_without_gpus_and_job_types() -> None:
    assert default_gpus(None, 1, usable=0, multi_process=True) == 0
    assert default_gpus(None, "gpu", usable=4, multi_process=True) == 1
    assert default_gpus(None, 8, usable=4, multi_process=True) == 4
    assert default_gpus(None, 8, usable=4, multi_process=False) == 1
    assert default_gpus(2, "cpu", usable=4, multi_process=True) == 2
    assert job_type_of("type.training_script.causal_lm") == "training"
    assert job_type_of("type.evaluation") == "eval"
    assert job_type_of("type.evalx") is None
    assert job_type_of("type.dataset") is None
