"""The queue, scheduler and GPU endpoints over HTTP: shapes, ordering, bad input."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for, wait_until

SLEEP = "import time; time.sleep(30)"


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        ({"job_type": "nonsense", "job_params": {"argv": ["true"]}}, "Unknown job_type"),
        (
            {"job_type": "command", "job_params": {"argv": ["true"]}, "requested_gpus": -1},
            "requested_gpus",
        ),
        (
            {"job_type": "command", "job_params": {"argv": ["true"]}, "requested_gpus": 5},
            "4 usable GPUs",
        ),
        ({"job_type": "command", "job_params": {}}, "argv"),
        ({"job_type": "command", "job_params": {"argv": []}}, "argv"),
        ({"job_type": "command", "job_params": {"argv": "echo hi"}}, "argv"),
        ({"job_type": "command", "job_params": {"argv": ["true"]}, "priority": "high"}, "priority"),
        (
            {"job_type": "command", "job_params": {"argv": ["true"]}, "requested_gpus": True},
            "requested_gpus",
        ),
        (
            {"job_type": "command", "job_params": {"argv": ["true"], "cwd": "/no/such/dir"}},
            "not a directory",
        ),
        ({"job_type": "command", "job_params": {"argv": ["true"]}, "surprise": 1}, "surprise"),
        ({"job_type": "training"}, "project_dir"),
        ({}, "job_type"),
    ],
)
async def test_bad_jobs_are_400_with_a_message_and_change_nothing(
    api: Any, body: dict[str, Any], needle: str
) -> None:
    status, reply = await api("queue", method="POST", json_body=body)
    assert status == 400, reply
    assert needle in reply["message"]
    _, jobs = await api("jobs")
    assert jobs["jobs"] == []


@pytest.mark.parametrize("raw", [b"{not json", b"[1, 2]", b"\xff\xfe"])
async def test_malformed_bodies_are_400(api: Any, raw: bytes) -> None:
    status, reply = await api("queue", method="POST", raw_body=raw)
    assert status == 400
    assert reply["message"]


@pytest.mark.parametrize(
    ("parts", "method"),
    [
        (("jobs", "nope"), "GET"),
        (("jobs", "nope"), "DELETE"),
        (("queue", "nope"), "DELETE"),
        (("jobs", "nope", "control", "kill"), "POST"),
        (("jobs", "nope", "tty"), "GET"),
        (("gpus", "9", "policy"), "POST"),
        (("gpus", "9", "kill"), "POST"),
    ],
)
async def test_unknown_ids_are_404(api: Any, parts: tuple[str, ...], method: str) -> None:
    body = {"confirmed": True} if parts[-1] == "kill" and parts[0] == "gpus" else None
    status, reply = await api(*parts, method=method, json_body=body)
    assert status == 404, reply
    assert reply["message"]


async def test_unknown_control_is_400(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command("print(1)"))
    status, reply = await api("jobs", job["id"], "control", "explode", method="POST")
    assert status == 400
    assert "explode" in reply["message"]


async def test_priority_order_and_fifo_through_http(api: Any) -> None:
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    ids = {}
    for name, prio in [("a", 0), ("b", 5), ("c", 0), ("d", 5)]:
        _, job = await api(
            "queue", method="POST", json_body=command(SLEEP, gpus=1, priority=prio, name=name)
        )
        ids[name] = job["id"]
    _, queue = await api("queue")
    assert [j["name"] for j in queue["jobs"]] == ["b", "d", "a", "c"]
    # Two cards only: the two priority-5 jobs get them, the rest wait.
    await api("gpus", "2", "policy", method="POST", json_body={"disabled": True})
    await api("gpus", "3", "policy", method="POST", json_body={"disabled": True})
    _status, sched = await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    assert sched["enabled"] is True
    b = await wait_for(api, ids["b"], {"running"})
    d = await wait_for(api, ids["d"], {"running"})
    assert sorted(b["gpus"] + d["gpus"]) == [0, 1]
    _, queue = await api("queue")
    assert [j["name"] for j in queue["jobs"]] == ["a", "c"]
    # A job ending frees its card and the next in line starts on it, at once.
    await api("jobs", ids["b"], "control", "force-kill", method="POST")
    a = await wait_for(api, ids["a"], {"running"}, timeout=5)
    assert a["gpus"] == b["gpus"]
    for job_id in (ids["d"], ids["a"]):
        await api("jobs", job_id, "control", "force-kill", method="POST")
    await api("queue", ids["c"], method="DELETE")


async def test_gate_and_skip_dont_block_through_http(api: Any) -> None:
    await api("gpus", "0", "policy", method="POST", json_body={"min_priority": 10})
    for i in (1, 2):
        await api("gpus", str(i), "policy", method="POST", json_body={"disabled": True})
    _, big = await api("queue", method="POST", json_body=command(SLEEP, gpus=3, priority=20))
    _, low = await api("queue", method="POST", json_body=command(SLEEP, gpus=1, priority=0))
    _, vip = await api("queue", method="POST", json_body=command(SLEEP, gpus=1, priority=10))
    vip_job = await wait_for(api, vip["id"], {"running"})
    low_job = await wait_for(api, low["id"], {"running"})
    assert vip_job["gpus"] == [0]  # best fit: the gated card
    assert low_job["gpus"] == [3]  # the ungated one stays for low priority
    _, still = await api("jobs", big["id"])
    assert still["status"] == "queued"  # skipped, and it did not block the others
    for job in (vip, low):
        await api("jobs", job["id"], "control", "force-kill", method="POST")
    await api("queue", big["id"], method="DELETE")


async def test_gpus_payload_policy_and_attribution(api: Any) -> None:
    status, body = await api("gpus")
    assert status == 200
    assert body["simulated"] is True
    assert len(body["gpus"]) == 4
    card = body["gpus"][0]
    for field in (
        "index",
        "name",
        "memory_total",
        "memory_used",
        "utilization",
        "temperature",
        "power",
        "processes",
        "excluded",
        "disabled",
        "min_priority",
        "simulated",
    ):
        assert field in card
    assert card["simulated"] is True
    status, pol = await api("gpus", "1", "policy", method="POST", json_body={"min_priority": 3})
    assert pol == {"disabled": False, "min_priority": 3}
    status, pol = await api("gpus", "1", "policy", method="POST", json_body={"disabled": True})
    assert pol == {"disabled": True, "min_priority": 3}  # unset fields left alone
    status, policies = await api("gpus", "policy")
    assert policies["policies"]["1"] == {"disabled": True, "min_priority": 3}
    status, reply = await api("gpus", "1", "policy", method="POST", json_body={"min_priority": "x"})
    assert status == 400
    _, job = await api("queue", method="POST", json_body=command(SLEEP, gpus=1))
    running = await wait_for(api, job["id"], {"running"})
    _, body = await api("gpus")
    card = body["gpus"][running["gpus"][0]]
    assert card["reserved_by"] == job["id"]
    assert [p["job_id"] for p in card["processes"]] == [job["id"]]
    status, reply = await api(
        "gpus", str(running["gpus"][0]), "kill", method="POST", json_body={"confirmed": False}
    )
    assert status == 400
    status, reply = await api(
        "gpus", str(running["gpus"][0]), "kill", method="POST", json_body={"confirmed": True}
    )
    assert status == 200
    assert reply["killed"] == [running["pid"]]
    failed = await wait_for(api, job["id"], {"failed", "aborted"})
    assert failed["status"] == "failed"


async def test_scheduler_pause_holds_jobs(api: Any) -> None:
    status, sched = await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    assert sched == {"enabled": False, "queued": 0, "running": 0}
    _, job = await api("queue", method="POST", json_body=command("print(1)"))
    await asyncio.sleep(0.3)
    assert (await api("jobs", job["id"]))[1]["status"] == "queued"
    _, sched = await api("queue", "scheduler")
    assert sched["queued"] == 1
    await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    await wait_for(api, job["id"], {"done"})
    status, _reply = await api("queue", "scheduler", method="POST", json_body={"enabled": "yes"})
    assert status == 400


async def test_tty_tail_is_capped(api: Any) -> None:
    _, job = await api(
        "queue",
        method="POST",
        json_body=command("import sys\nfor i in range(20000): print(f'line {i:05d}')"),
    )
    await wait_for(api, job["id"], {"done"})
    status, text = await api("jobs", job["id"], "tty", params={"max_bytes": 1000})
    assert status == 200
    assert len(text) <= 1000
    assert text.startswith("line ")  # cut at a line start
    assert text.rstrip().endswith("line 19999")


async def test_tty_follow_websocket_streams_until_the_end(
    jp_ws_fetch: Any, jp_serverapp: Any, api: Any
) -> None:
    code = (
        "import time\nfor i in range(30):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.02)"
    )
    _, job = await api("queue", method="POST", json_body=command(code))
    await wait_for(api, job["id"], {"running", "done"})
    # Browsers authenticate sockets with ?token= (no headers): that must work too.
    token = jp_serverapp.identity_provider.token
    ws = await jp_ws_fetch(
        "forgather", "api", "jobs", job["id"], "tty", params={"follow": "1", "token": token}
    )
    received = []
    while True:
        msg = await ws.read_message()
        if msg is None:
            break
        received.append(msg)
    text = "".join(received)
    assert all(f"tick {i}\n" in text for i in range(30)), text
    ws.close()


async def test_gpu_stream_pushes_snapshots(jp_ws_fetch: Any, api: Any) -> None:
    ws = await jp_ws_fetch("forgather", "api", "gpus", "stream")
    first = json.loads(await ws.read_message())
    assert len(first["gpus"]) == 4
    await api("gpus", "2", "policy", method="POST", json_body={"disabled": True})
    second = json.loads(await asyncio.wait_for(ws.read_message(), 3))
    assert second["gpus"][2]["disabled"] is True
    ws.close()
    status, _reply = await api("gpus", "stream")
    assert status == 400


async def test_lists_are_events_driven(api: Any, jp_serverapp: Any) -> None:
    """The dispatcher wakes on enqueue; it does not wait for its 30 s safety tick."""
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    assert runtime.dispatcher.tick >= 30
    _, job = await api("queue", method="POST", json_body=command("print(1)"))
    await wait_for(api, job["id"], {"done"}, timeout=5)

    async def idle() -> bool:
        return not runtime.running_job_ids()

    await wait_until(idle)


async def test_jupyterlab_cache_buster_is_not_a_parameter(api: Any) -> None:
    # JupyterLab's ServerConnection appends "&<timestamp>" to GET requests.
    status, body = await api("jobs", params={"limit": 5, "1732570000000": ""})
    assert status == 200, body
    status, body = await api("jobs", params={"limit": 5, "_xsrf": "y", "no_track_activity": "1"})
    assert status == 200, body  # Jupyter's credentials, not our parameters
    status, body = await api("jobs", params={"limit": 5, "bogus": "1"})
    assert status == 400
    assert "bogus" in body["message"]


async def test_training_job_from_the_example_config(api: Any) -> None:
    _, tree = await api("projects")
    projects = [p for ws in tree["workspaces"] for p in ws["projects"]]
    hello = next(p for p in projects if p["path"].endswith("hello_script"))
    status, job = await api(
        "queue", method="POST", json_body={"job_type": "training", "project_dir": hello["path"]}
    )
    assert status == 201, job
    assert job["params"]["job"]["script"].endswith(".py")
    done = await wait_for(api, job["id"], {"done", "failed"}, timeout=60)
    assert done["status"] == "done", done
    _, text = await api("jobs", job["id"], "tty")
    assert "step" in text
    status, body = await api(
        "queue",
        method="POST",
        json_body={"job_type": "training", "project_dir": hello["path"], "config": "no-such.yaml"},
    )
    assert status in {400, 404}
    assert body["message"]


async def test_cwd_under_home_may_be_written_with_a_tilde(api: Any) -> None:
    home = Path.home()
    status, job = await api("queue", method="POST", json_body=command("print(1)", cwd="~"))
    assert status == 201, job
    assert job["params"]["cwd"] == str(home)
