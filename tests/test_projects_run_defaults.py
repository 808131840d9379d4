"""``GET /config/output-dir``'s ``default_gpus``: what the Run form starts at is what is reserved.

A real server (4 simulated GPUs, the scheduler off) over a project whose
configs declare GPUs and workers differently: for each config the default the
endpoint reports equals the ``requested_gpus`` of the job queued without a GPU
count; a config that does not run has none.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from projects_tree import write

pytestmark = pytest.mark.timeout(60)


def _config(config_class: str, job_extra: str = "") -> str:
    return (
        f"meta: {{config_name: x, config_class: {config_class}}}\n"
        + "job:\n  script: run.py\n"
        + job_extra
    )


CONFIGS = {
    # config: (its text, the job type Run queues)
    "train.yaml": (_config("type.training_script"), "training"),
    "two.yaml": (_config("type.training_script", "  nproc_per_node: 2\n"), "training"),
    "six.yaml": (_config("type.training_script", "  nproc_per_node: 6\n"), "training"),
    "cpu.yaml": (_config("type.training_script", "  gpus: 0\n"), "training"),
    "nproc_cpu.yaml": (_config("type.training_script", "  nproc_per_node: cpu\n"), "training"),
    "three.yaml": (_config("type.training_script", "  gpus: 3\n"), "training"),
    "eval.yaml": (_config("type.eval", "  nproc_per_node: 2\n"), "eval"),
}


@pytest.fixture
def project(jp_root_dir: Path) -> Path:
    root = Path(jp_root_dir).resolve() / "proj"
    write(root / "meta.yaml", "name: Defaults\ndefault_config: train.yaml\n")
    write(root / "run.py", "print('ran')\n")
    for name, (text, _) in CONFIGS.items():
        write(root / "configs" / name, text)
    write(root / "configs" / "model.yaml", _config("type.model"))
    write(root / "configs" / "notes.yaml", "meta: {config_name: notes}\n")
    return root


@pytest.fixture
def forgather_config(state_dir: Path, project: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "search_roots": ["."],
        "seed_examples": False,
        "scheduler_enabled": False,  # the queued record is what counts
    }


async def _output_dir(api: Any, config: str) -> dict[str, Any]:
    params = {"project_dir": "proj", "config": config}
    status, body = await api("config", "output-dir", params=params)
    assert status == 200, body
    return dict(body)


async def test_default_gpus_is_what_a_run_reserves(api: Any) -> None:
    expected = {
        "train.yaml": 1,
        "two.yaml": 2,
        "six.yaml": 4,  # as many as there are
        "cpu.yaml": 0,
        "nproc_cpu.yaml": 0,
        "three.yaml": 3,
        "eval.yaml": 1,  # one process evaluates
    }
    for config, (_, job_type) in CONFIGS.items():
        out = await _output_dir(api, config)
        assert out["default_gpus"] == expected[config], config
        body = {"job_type": job_type, "project_dir": "proj", "config": config}
        status, job = await api("queue", method="POST", json_body=body)
        assert status == 201, job
        assert job["requested_gpus"] == out["default_gpus"], config


async def test_configs_that_do_not_run_have_no_default(api: Any) -> None:
    model = await _output_dir(api, "model.yaml")
    assert model["default_gpus"] is None
    assert model["nproc_per_node"] == 1  # it has a job block; it is just not run
    notes = await _output_dir(api, "notes.yaml")
    assert notes["default_gpus"] is None
    assert notes["job"] is None
