"""A multi-node job is its owner's: only they or an admin cancel it (hub mode, real server).

The bundle is planted in this node's store, with one rank that is a real job of
alice's on this node, so the cancel goes all the way to a running process.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config
from jobs_helpers import command, wait_for

from forgather_lab.cluster.bundles import BundleStore
from forgather_lab.models.cluster_jobs import (
    DescribeClusterJob,
    DescribeClusterRank,
    DescribeRendezvous,
)

BUNDLE = "cj-0123456789ab"


@pytest.fixture
def jp_server_config(state_dir: Path) -> dict[str, Any]:
    return hub_server_config(
        {"state_dir": str(state_dir), "gpu_backend": "simulated", "simulated_gpus": 2}
    )


@pytest.fixture
def api(api: Any) -> Any:
    """conftest's ``api``, as alice unless ``headers`` say who (``wait_for`` polls as her)."""

    async def call(*parts: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return await api(*parts, headers=headers or auth("alice"), **kw)

    return call


def plant(state_dir: Path, node_id: str, job_id: str) -> None:
    """alice's bundle of one rank: ``job_id`` on this node."""
    BundleStore(state_dir).put(
        DescribeClusterJob(
            id=BUNDLE,
            name="two-node run",
            project_dir="/nowhere",
            config="train.yaml",
            dynamic_args={},
            created=time.time(),
            owner="alice",
            nnodes=1,
            rdzv=DescribeRendezvous(node_id=node_id, host="127.0.0.1", port=29400),
            status="running",
            ranks=[
                DescribeClusterRank(
                    rank=0, node_id=node_id, job_id=job_id, gpus=0, iface="lo", status="running"
                )
            ],
        )
    )


async def test_only_the_owner_or_an_admin_cancels_a_multi_node_job(
    api: Any, state_dir: Path
) -> None:
    body = command("import time; time.sleep(60)", name="rank 0")
    status, job = await api("queue", method="POST", json_body=body)
    assert status == 201, job
    await wait_for(api, job["id"], {"running"})
    _, cluster = await api("cluster")
    plant(state_dir, cluster["self"], job["id"])

    status, reply = await api(
        "cluster", "jobs", BUNDLE, "cancel", method="POST", headers=auth("bob")
    )
    assert status == 403, reply
    assert reply["reason"] == "not_owner"
    assert "alice" in reply["message"]
    _, still = await api("jobs", job["id"], headers=auth("bob"))
    assert still["status"] == "running"  # bob's refusal touched nothing

    status, listed = await api("cluster", "jobs", headers=auth("bob"))
    assert status == 200
    assert [b["id"] for b in listed["jobs"]] == [BUNDLE]

    status, reply = await api("cluster", "jobs", BUNDLE, "cancel", method="POST")
    assert status == 200, reply
    await wait_for(api, job["id"], {"aborted", "cancelled"})
