"""A TensorBoard job on a real Ray head, reached through the same-origin proxy.

What tests/engines/test_engine_services.py checks on Slurm, on Ray: the job
listens on the node's address, the server reaches it at the node Ray ran the
job's driver on, and the proxy allows that node and nothing else.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inference_helpers import wait_ready
from jobs_helpers import wait_for

from forgather_lab.runtime import Runtime

from .ray_cluster import RayHead

OUTSIDE = "10.255.255.1"  # not loopback, not a node of the engine


@pytest.fixture
def forgather_config(ray_head: RayHead, state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "executor": "ray",
        "ray_address": ray_head.address,
        "engine_poll_interval": 0.3,
        "seed_examples": False,
        "kill_timeout": 3.0,
    }


@pytest.mark.timeout(240)  # the Ray head starts first (module fixture)
async def test_a_tensorboard_job_on_ray_answers_through_the_proxy(
    api: Any, jp_serverapp: Any, tmp_path: Path
) -> None:
    pytest.importorskip("tensorboard")
    runtime: Runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    logdir = tmp_path / "runs"
    logdir.mkdir()
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "tensorboard", "job_params": {"logdir": str(logdir)}},
    )
    assert status == 201, job
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id, within=120)
        status, record = await api("jobs", job_id)
        assert record["executor"] == "ray"
        assert record["node"]
        # The upstream is the node Ray ran the job on, never loopback by assumption.
        assert row["base_url"].startswith(f"http://{record['node']}:"), (row, record)
        assert runtime.executor.serves_from(record["node"])
        assert not runtime.executor.serves_from(OUTSIDE)

        status, board = await api("tb", job_id, "data", "environment")
        assert status == 200, board
        assert board["data_location"] == str(logdir)
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"}, timeout=60)
