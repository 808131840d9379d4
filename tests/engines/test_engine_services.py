"""A TensorBoard job on the real one-node Slurm, reached through the same-origin proxy.

The job listens on the node's address (``engine_bind_host``, here ``node``),
the server reaches it at the node Slurm allocated (the node's name, not what
the job wrote), and the proxies allow loopback and the engine's nodes only:
an upstream anywhere else is refused with a message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from inference_helpers import build_in_subprocess, wait_ready
from jobs_helpers import wait_for

from forgather_lab.errors import Forbidden
from forgather_lab.events import EventBus
from forgather_lab.executors.nodes import NodeAllowList, first_node
from forgather_lab.inference.endpoint import Announcement
from forgather_lab.inference.supervisor import EndpointSupervisor
from forgather_lab.proxy.inference import check_base
from forgather_lab.runtime import Runtime
from forgather_lab.store import Database

from .slurm_cluster import SlurmCluster

OUTSIDE = "10.255.255.1"  # not loopback, not a node of the engine


@pytest.fixture
def forgather_config(slurm: SlurmCluster, state_dir: Path) -> dict[str, Any]:
    # Depends on ``slurm``: SLURM_CONF is set before the runtime's executor asks sinfo.
    return {
        "state_dir": str(state_dir),
        "executor": "slurm",
        "engine_poll_interval": 0.2,
        "seed_examples": False,
        "kill_timeout": 3.0,
    }


@pytest.mark.timeout(90)
async def test_a_tensorboard_job_on_slurm_answers_through_the_proxy(
    slurm: SlurmCluster, api: Any, jp_serverapp: Any, tmp_path: Path
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
        row = await wait_ready(api, job_id, within=70)
        # The upstream is the node Slurm runs the job on, at the port the job bound.
        assert row["base_url"].startswith(f"http://{slurm.host}:"), row
        assert row["base_url"].endswith(f"/forgather/api/tb/{job_id}")
        status, record = await api("jobs", job_id)
        assert record["executor"] == "slurm"
        assert record["node"] == slurm.host
        assert record["external_id"]
        env = (runtime.executor.job_dir(job_id) / "slurm.env").read_bytes().split(b"\0")
        assert b"FORGATHER_LAB_BIND_HOST=node" in env

        status, board = await api("tb", job_id, "data", "environment")
        assert status == 200, board
        assert board["data_location"] == str(logdir)

        # The allow-list: the engine's node (and what it resolves to), nothing else.
        assert runtime.executor.serves_from(slurm.host)
        assert runtime.executor.serves_from(slurm.host.upper() + ".")
        assert not runtime.executor.serves_from(OUTSIDE)
        assert not runtime.executor.serves_from("example.org")
        allowed = check_base(f"http://{slurm.host}:8000/v1/", True, runtime.executor.serves_from)
        assert allowed == f"http://{slurm.host}:8000/v1"
        with pytest.raises(Forbidden, match="nor a node of the job engine"):
            check_base(f"http://{OUTSIDE}:8000/v1", True, runtime.executor.serves_from)

        # Through the server: an upstream that is neither loopback nor an engine node.
        status, body = await api("inference", "models", params={"base": f"http://{OUTSIDE}:9/v1"})
        assert status == 403, body
        assert OUTSIDE in body["message"]
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"}, timeout=30)
    status, body = await api("tb", job_id, "data", "environment")
    assert status == 409


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_in_subprocess(tmp_path_factory.mktemp("models") / "tiny-gpt2")


@pytest.mark.timeout(90)
async def test_an_inference_job_on_slurm_answers_through_the_proxy(
    slurm: SlurmCluster, api: Any, tiny_model: Path
) -> None:
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "inference", "job_params": {"model_path": str(tiny_model)}},
    )
    assert status == 201, job
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id, within=70)
        base = row["base_url"]
        assert base.startswith(f"http://{slurm.host}:"), row  # the node, not loopback
        # The lock lets our own job's origin through (recorded at its engine node) ...
        status, models = await api("inference", "models", params={"base": base})
        assert status == 200, models
        assert models["data"][0]["id"] == "tiny-gpt2"
        body = {"prompt": "Hi", "max_tokens": 4, "temperature": 0}
        status, done = await api(
            "inference", "completions", method="POST", json_body=body, params={"base": base}
        )
        assert status == 200, done
        assert done["usage"]["completion_tokens"] >= 1
        # ... and nothing at another port of that node that is not one of our jobs.
        other = base.rsplit(":", 1)[0] + ":9/v1"
        status, refused = await api("inference", "models", params={"base": other})
        assert status == 403, refused
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"}, timeout=30)


def test_a_local_job_is_reached_on_loopback_only(tmp_path: Path) -> None:
    # No executor (or a local one): what the job announced, and only if it is loopback.
    db = Database(tmp_path / "state.sqlite")  # never opened: placing reads nothing
    supervisor = EndpointSupervisor(db, EventBus(), lambda job_id: tmp_path / job_id)
    here = Announcement("http://127.0.0.1:6006/x", "http://127.0.0.1:6006/x/health")
    assert supervisor.place("j1", here) == here
    with pytest.raises(Forbidden, match="neither a loopback address nor a node"):
        supervisor.place("j1", Announcement(f"http://{OUTSIDE}:6006/x"))
    assert not supervisor.upstream_allowed("example.org")


def test_node_lists_and_the_allow_list() -> None:
    assert first_node("gpu[01-04,07],cpu1") == "gpu01"
    assert first_node("a1,b[1-2]") == "a1"
    assert first_node("") is None
    nodes = NodeAllowList(extra=["10.0.0.7", "[fd00::1]"])
    nodes.refresh(["localhost"])
    assert "localhost" in nodes
    assert "127.0.0.1" in nodes  # what the name resolves to on the server
    assert "10.0.0.7" in nodes
    assert "fd00::1" in nodes
    assert "10.0.0.8" not in nodes
    assert "localhost.example.org" not in nodes  # names a user gives are never resolved
