"""Fair sharing on a real hub-mode server: the queue limit, the GPU limit, the order.

Users are the test IdentityProvider's (``identity_helpers``): alice and bob.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config
from jobs_helpers import command, wait_for

SLEEP = "import time; time.sleep(60)"


@pytest.fixture
def forgather_config(state_dir: Any, request: pytest.FixtureRequest) -> dict[str, Any]:
    extra = getattr(request, "param", {})
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "user_gpu_limit": 1,
        "user_queue_limit": 2,
        **extra,
    }


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return hub_server_config(forgather_config)


@pytest.fixture
def api(api: Any) -> Any:
    """conftest's ``api``, as alice unless ``headers`` say who."""

    async def call(*parts: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return await api(*parts, headers=headers or auth("alice"), **kw)

    return call


async def pause(api: Any) -> None:
    status, _ = await api(
        "queue", "scheduler", method="POST", json_body={"enabled": False}, headers=auth("admin")
    )
    assert status == 200


async def kill_all(api: Any) -> None:
    _, listing = await api("jobs")
    for job in listing["jobs"]:
        if job["status"] in ("running", "starting"):
            await api(
                "jobs", job["id"], "control", "force-kill", method="POST", headers=auth("admin")
            )


async def test_the_queue_limit_is_per_user_and_a_429_queues_nothing(api: Any) -> None:
    await pause(api)
    for _ in range(2):
        status, job = await api("queue", method="POST", json_body=command("pass"))
        assert status == 201, job
    status, reply = await api("queue", method="POST", json_body=command("pass"))
    assert status == 429, reply
    assert reply["reason"] == "user_queue_limit"
    assert "alice has 2 of 2 queued jobs" in reply["message"]
    # Bob has his own allowance, and a batch over it is refused whole.
    status, reply = await api(
        "queue",
        "batch",
        method="POST",
        json_body={"jobs": [command("pass")] * 3},
        headers=auth("bob"),
    )
    assert status == 429, reply
    status, sweep = await api(
        "queue",
        "batch",
        method="POST",
        json_body={"jobs": [command("pass")] * 2},
        headers=auth("bob"),
    )
    assert status == 201, sweep
    _, queue = await api("queue")
    owners = sorted(j["owner"] for j in queue["jobs"])
    assert owners == ["alice", "alice", "bob", "bob"]


async def test_the_gpu_limit_holds_a_users_next_job_with_a_reason(api: Any) -> None:
    first = (await api("queue", method="POST", json_body=command(SLEEP, gpus=1)))[1]
    second = (await api("queue", method="POST", json_body=command(SLEEP, gpus=1)))[1]
    await wait_for(api, first["id"], {"running"}, timeout=30)
    bobs = (
        await api("queue", method="POST", json_body=command(SLEEP, gpus=1), headers=auth("bob"))
    )[1]
    await wait_for(api, bobs["id"], {"running"}, timeout=30)
    deadline = time.monotonic() + 10
    waiting: dict[str, Any] = {}
    while time.monotonic() < deadline:
        waiting = (await api("jobs", second["id"]))[1]
        if "user_gpu_limit" in (waiting.get("pending_reason") or ""):
            break
        await asyncio.sleep(0.05)
    assert waiting["status"] == "queued"
    assert waiting["pending_reason"] == (
        "alice holds 1 of the 1 GPUs a user may hold (user_gpu_limit)"
    )
    # When alice's first ends, her second starts.
    await api("jobs", first["id"], "control", "force-kill", method="POST")
    await wait_for(api, second["id"], {"running"}, timeout=30)
    await kill_all(api)


@pytest.mark.parametrize(
    "forgather_config",
    [{"simulated_gpus": 1, "user_gpu_limit": 0, "user_queue_limit": 0}],
    indirect=True,
)
async def test_one_users_second_job_waits_behind_another_users_first(api: Any) -> None:
    await pause(api)
    a1 = (await api("queue", method="POST", json_body=command(SLEEP, gpus=1)))[1]
    a2 = (await api("queue", method="POST", json_body=command(SLEEP, gpus=1)))[1]
    b1 = (await api("queue", method="POST", json_body=command(SLEEP, gpus=1), headers=auth("bob")))[
        1
    ]
    deadline = time.monotonic() + 10
    positions: dict[str, int | None] = {}
    while time.monotonic() < deadline:
        _, queue = await api("queue", headers=auth("bob"))
        positions = {j["id"]: j["position"] for j in queue["jobs"]}
        if None not in positions.values() and len(positions) == 3:
            break
        await asyncio.sleep(0.05)
    assert positions == {a1["id"]: 1, b1["id"]: 2, a2["id"]: 3}
    # Resumed: alice's first runs; bob's is next, before alice's second.
    status, _ = await api(
        "queue", "scheduler", method="POST", json_body={"enabled": True}, headers=auth("admin")
    )
    assert status == 200
    await wait_for(api, a1["id"], {"running"}, timeout=30)
    await api("jobs", a1["id"], "control", "force-kill", method="POST")
    await wait_for(api, b1["id"], {"running"}, timeout=30)
    assert (await api("jobs", a2["id"]))[1]["status"] == "queued"
    await kill_all(api)
