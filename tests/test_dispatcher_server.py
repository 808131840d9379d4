"""The dispatcher in a real server on 4 simulated GPUs: why-pending over HTTP,
dependencies, and jobs that declare gpu_memory sharing a card."""

from __future__ import annotations

from typing import Any

from jobs_helpers import command, wait_for, wait_until

SLEEP = "import time; time.sleep(30)"


async def _queued(api: Any, job_id: str) -> dict[str, Any]:
    _, job = await api("jobs", job_id)
    return dict(job)


async def _reason_is(api: Any, job_id: str, text: str) -> None:
    async def said() -> bool:
        return bool((await _queued(api, job_id))["pending_reason"] == text)

    await wait_until(said)


async def test_paused_queue_says_why_and_where(api: Any) -> None:
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    _, low = await api("queue", method="POST", json_body=command("pass"))
    _, high = await api("queue", method="POST", json_body=command("pass", priority=5))
    await _reason_is(api, low["id"], "scheduler paused")
    await _reason_is(api, high["id"], "scheduler paused")  # planned by a later pass
    _, queue = await api("queue")
    assert [(j["id"], j["position"], j["pending_reason"]) for j in queue["jobs"]] == [
        (high["id"], 1, "scheduler paused"),
        (low["id"], 2, "scheduler paused"),
    ]
    await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    done = await wait_for(api, low["id"], {"done"})
    assert done["position"] is None
    assert done["pending_reason"] is None


async def test_reasons_dependencies_and_cancel_naming_the_dependency(api: Any) -> None:
    _, big = await api("queue", method="POST", json_body=command(SLEEP, gpus=3))
    await wait_for(api, big["id"], {"running"})
    _, two = await api("queue", method="POST", json_body=command("pass", gpus=2))
    await _reason_is(api, two["id"], "needs 2 GPUs, 1 idle")
    body = {**command("pass"), "depends_on": [big["id"]]}
    _, child = await api("queue", method="POST", json_body=body)
    await _reason_is(api, child["id"], f"waiting for job {big['id']} to finish")
    await api("queue", big["id"], method="DELETE")  # abort the running dependency
    cancelled = await wait_for(api, child["id"], {"cancelled"})
    assert f"dependency {big['id']} ended aborted" in (cancelled["error"] or "")
    await wait_for(api, two["id"], {"done"})


async def test_declared_memory_shares_a_card(api: Any) -> None:
    _, big = await api("queue", method="POST", json_body=command(SLEEP, gpus=3))
    big = await wait_for(api, big["id"], {"running"})
    packed = {**command(SLEEP, gpus=1), "gpu_memory": 10_000}
    _, a = await api("queue", method="POST", json_body=packed)
    _, b = await api("queue", method="POST", json_body=packed)
    a = await wait_for(api, a["id"], {"running"})
    b = await wait_for(api, b["id"], {"running"})
    assert a["gpus"] == b["gpus"] == sorted(set(range(4)) - set(big["gpus"]))
    _, c = await api("queue", method="POST", json_body=packed)
    # 24 GiB simulated cards: 24576 - 2 x 10000 MiB = 4.5 GiB left.
    await _reason_is(api, c["id"], "needs 9.8 GiB on one GPU, at most 4.5 GiB free")
    _, whole = await api("queue", method="POST", json_body=command("pass", gpus=1))
    await _reason_is(api, whole["id"], "needs 1 GPU, 0 idle")
    for job in (big, a, b, c, whole):
        await api("queue", job["id"], method="DELETE")
