"""Restart with running jobs, beyond tests/test_restart.py.

That file shows re-attach, exits while the server was down and a kill on a
re-attached job. Here: every control on re-attached jobs (force-kill, cancel
through the queue, a live WebSocket follow that ends with the job), an exit
noticed without being the parent, GPUs released, and a second ``kill -9``
that changes nothing that was settled.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx
import pytest
from server_process import TOKEN, ServerProcess
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

TICKER = (
    "import time\nfor i in range(3000):\n    print(f'tick {i}', flush=True)\n    time.sleep(0.05)"
)


def command(code: str, **extra: object) -> dict[str, object]:
    return {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", code]}, **extra}


async def follow_then_force_kill(server: ServerProcess, job_id: str) -> tuple[list[str], dict]:
    """Follow a re-attached job, force-kill it once live lines flow; read to the close."""
    url = server.url.replace("http", "ws", 1) + f"/forgather/api/jobs/{job_id}/tty?follow=1"
    conn = await websocket_connect(
        HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=10)
    )
    frames: list[str] = []
    result: dict = {}
    async with httpx.AsyncClient(headers={"Authorization": f"token {TOKEN}"}) as http:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            msg = await asyncio.wait_for(conn.read_message(), 10)
            if msg is None:
                break
            frames.append(str(msg))
            if not result and sum(f.count("tick") for f in frames) > 5:
                reply = await http.post(
                    f"{server.url}/forgather/api/jobs/{job_id}/control/force-kill", timeout=30
                )
                result = reply.json()
    return frames, result


@pytest.mark.timeout(240)
def test_controls_and_follow_work_on_reattached_jobs(server: ServerProcess, tmp_path: Path) -> None:
    server.start()
    a = server.post("queue", json=command(TICKER, requested_gpus=1, name="a")).json()
    b = server.post("queue", json=command(TICKER, name="b")).json()
    # `c` exits (code 3) when told to, after the restart, however slow the start is.
    go = tmp_path / "go"
    waiter = (
        f"import os, sys, time\nwhile not os.path.exists({str(go)!r}): time.sleep(0.05)\n"
        "sys.exit(3)"
    )
    c = server.post("queue", json=command(waiter, name="c")).json()
    for job in (a, b, c):
        server.wait_job(job["id"], {"running"})
    server.kill9()
    server.start()
    assert {server.get("jobs", j["id"]).json()["status"] for j in (a, b, c)} == {"running"}

    # Follow a re-attached job live, force-kill it, and the socket closes at its end.
    frames, result = asyncio.run(follow_then_force_kill(server, a["id"]))
    assert result["signal"] == "SIGKILL"
    assert result["job"]["status"] == "aborted"
    assert "tick" in "".join(frames)
    gpus = server.get("gpus").json()["gpus"]
    assert all(g["reserved_by"] != a["id"] for g in gpus)

    # Cancel through the queue aborts a re-attached running job.
    cancelled = server.request("DELETE", "queue", b["id"])
    assert cancelled.status_code == 200, cancelled.text
    assert server.wait_job(b["id"], {"aborted", "failed", "done"})["status"] == "aborted"

    # An exit after the restart is noticed although the server is not the parent.
    go.touch()
    ended = server.wait_job(c["id"], {"done", "failed"}, timeout=30)
    assert (ended["status"], ended["exit_code"]) == ("failed", 3)
    assert "code 3" in ended["error"]

    # A second kill -9 changes nothing that was settled; the queue still works.
    settled = {j["id"]: server.get("jobs", j["id"]).json() for j in (a, b, c)}
    server.kill9()
    server.start()
    for job_id, before in settled.items():
        after = server.get("jobs", job_id).json()
        assert (after["status"], after["exit_code"], after["error"]) == (
            before["status"],
            before["exit_code"],
            before["error"],
        )
    again = server.post("queue", json=command("print('again')", requested_gpus=1)).json()
    assert server.wait_job(again["id"], {"done", "failed"})["status"] == "done"
