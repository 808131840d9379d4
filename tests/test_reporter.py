"""The reporter inside real job processes: progress, metrics, commands, acknowledgements."""

from __future__ import annotations

import asyncio
import time
from typing import Any

from jobs_helpers import command, wait_for

# A training loop that reports every step and obeys save / stop.
TRAINER = """
import sys, time
from forgather_lab import reporter
rep = reporter.connect()
print("enabled", rep.enabled, flush=True)
rep.stage("Training")
step, total = 0, 100000
while step < total:
    step += 1
    for cmd in rep.report(step, total, loss=1.0 / step, learning_rate=0.001, grad_norm=2.0):
        print("command", cmd, "at", step, flush=True)
        if cmd in ("save", "stop", "save-stop"):
            rep.checkpoint(f"/tmp/ckpt-{step}", step)
            print("saved", step, flush=True)
        if cmd in ("stop", "save-stop", "abort"):
            rep.stage("Stopped")
            rep.close()
            sys.exit(0)
    time.sleep(0.005)
"""


async def wait_status(
    api: Any,
    job_id: str,
    predicate: Any,
    timeout: float = 20.0,
) -> Any:
    """Poll ``GET /jobs/{id}/status`` until ``predicate(status)``."""
    deadline = time.monotonic() + timeout
    body: Any = None
    while time.monotonic() < deadline:
        code, body = await api("jobs", job_id, "status")
        assert code == 200, body
        if predicate(body):
            return body
        await asyncio.sleep(0.1)
    raise AssertionError(f"status never matched: {body}")


async def test_reporter_receives_save_then_stop_and_acts(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command(TRAINER, name="reporting"))
    job_id = job["id"]
    status = await wait_status(api, job_id, lambda s: s["has_reporter"] and (s["step"] or 0) > 5)
    assert status["max_steps"] == 100000
    assert status["loss"] is not None
    assert status["lr"] == 0.001  # learning_rate is an alias of lr
    assert status["grad_norm"] == 2.0
    assert status["stage"] == "Training"
    assert 0 < status["progress"] < 100

    code, save = await api("jobs", job_id, "control", "save", method="POST")
    assert code == 200, save
    assert save["command"] == "save"
    assert save["acknowledged_at"] is None
    status = await wait_status(api, job_id, lambda s: s["last_checkpoint"] is not None)
    assert status["last_checkpoint"]["path"].startswith("/tmp/ckpt-")
    acked = await wait_status(api, job_id, lambda s: s["commands"][0]["acknowledged_at"])
    first = acked["commands"][0]
    assert first["delivered_at"] is not None
    assert first["created_at"] <= first["delivered_at"] <= first["acknowledged_at"]

    code, stop = await api("jobs", job_id, "control", "stop", method="POST")
    assert code == 200, stop
    done = await wait_for(api, job_id, {"done", "failed"})
    assert done["status"] == "done", done
    _, log = await api("jobs", job_id, "tty")
    assert "enabled True" in log
    assert "command save" in log
    assert "command stop" in log
    assert log.count("saved") == 2  # stop saves before stopping
    final = await wait_status(api, job_id, lambda s: s["stage"] == "Stopped")
    assert [c["command"] for c in final["commands"]] == ["stop", "save"]
    assert all(c["acknowledged_at"] for c in final["commands"])
    code, body = await api("jobs", job_id, "metrics", params={"names": "loss,learning_rate"})
    assert code == 200
    loss = body["series"]["loss"]
    assert len(loss) >= 5
    assert loss[0][0] == 1
    assert loss[0][1] == 1.0
    assert [s for s, _ in loss] == sorted(s for s, _ in loss)


async def test_control_without_reporter_is_409_and_kill_still_works(api: Any) -> None:
    _, job = await api(
        "queue",
        method="POST",
        json_body=command("import time; print('hi', flush=True); time.sleep(30)"),
    )
    await wait_for(api, job["id"], {"running"})
    for action in ("save", "stop", "save-stop", "abort"):
        code, body = await api("jobs", job["id"], "control", action, method="POST")
        assert code == 409, body
        assert "no reporter" in body["message"]
    code, status = await api("jobs", job["id"], "status")
    assert code == 200
    assert status["has_reporter"] is False
    assert status["step"] is None
    code, body = await api("jobs", job["id"], "control", "kill", method="POST")
    assert code == 200, body
    assert body["job"]["status"] == "aborted"


async def test_control_bad_input(api: Any) -> None:
    code, body = await api("jobs", "nosuchjob", "control", "save", method="POST")
    assert code == 404, body
    _, job = await api("queue", method="POST", json_body=command("pass"))
    await wait_for(api, job["id"], {"done"})
    code, body = await api("jobs", job["id"], "control", "explode", method="POST")
    assert code == 400
    assert "save" in body["message"]
    code, body = await api("jobs", job["id"], "control", "save", method="POST")
    assert code == 409
    assert "not running" in body["message"]
    code, body = await api("jobs", "nosuchjob", "status")
    assert code == 404


async def test_reporter_outside_a_job_does_nothing() -> None:
    from forgather_lab import reporter

    rep = reporter.connect(env={})
    assert rep.enabled is False
    assert rep.report(1, 10, loss=1.0) == []
    rep.checkpoint("/x", 1)
    rep.stage("Training")
    rep.eval_result(loss=1.0)
    assert rep.flush() is True
    rep.close()


async def test_reporter_survives_a_server_that_is_away(tmp_path: Any) -> None:
    """Nothing listens: report() stays fast, never raises, drops the oldest and counts."""
    import socket

    from forgather_lab.reporter import Reporter

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    rep = Reporter("x", f"http://127.0.0.1:{port}/", "t", interval=0.05, max_buffer=100)
    try:
        start = time.perf_counter()
        for i in range(10_000):
            assert rep.report(i, 10_000, loss=float(i), bad="not a number") == []
        assert time.perf_counter() - start < 2.0
        await asyncio.sleep(0.3)
        assert rep.dropped >= 9_800
        assert rep.flush(timeout=0.5) is False
    finally:
        rep.close(timeout=2)
