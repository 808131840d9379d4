"""The scheduling commands of ``forgather-lab``, run as a user would, against a real server:
``queue`` (position, pending reason), ``queue priority`` / ``queue top``, the scheduling
options of ``enqueue``, ``sweep`` and ``history``."""

from __future__ import annotations

import json
import sys
import urllib.request
from typing import Any

import pytest
from conftest_server import LiveServer, wait_for
from test_cli import cli, js, ok


def _cells(line: str) -> list[str]:
    """A rich table row's cells (rich draws │ between columns)."""
    return [c.strip() for c in line.split("│") if c.strip()]


def _rest(server: LiveServer, method: str, path: str, body: Any = None) -> Any:
    """Set the scene or clean up over REST (a CLI call costs a Python start-up)."""
    req = urllib.request.Request(
        f"{server.url}forgather/api/{path}",
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Authorization": f"token {server.token}"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        text = resp.read().decode()
    return json.loads(text) if text else None


def _sleeper(server: LiveServer, name: str, gpus: int = 1) -> str:
    argv = [sys.executable, "-c", "import time; time.sleep(60)"]
    body = {"job_type": "command", "job_params": {"argv": argv}, "name": name}
    return str(_rest(server, "POST", "queue", {**body, "requested_gpus": gpus})["id"])


@pytest.fixture
def paused(live_server: LiveServer):  # type: ignore[no-untyped-def]
    """The scheduler paused for the test (queued jobs stay queued), then resumed."""
    _rest(live_server, "POST", "queue/scheduler", {"enabled": False})
    ids: list[str] = []
    try:
        yield ids
    finally:
        for job_id in ids:
            _rest(live_server, "DELETE", f"queue/{job_id}")
        _rest(live_server, "POST", "queue/scheduler", {"enabled": True})


def test_queue_lists_position_and_reason_and_reorders(live_server: LiveServer, paused) -> None:  # type: ignore[no-untyped-def]
    a, b, c = (_sleeper(live_server, name) for name in ("cli-a", "cli-b", "cli-c"))
    paused += [a, b, c]
    table = ok(live_server, "queue")
    assert "waiting because" in table
    assert "scheduler paused" in table
    rows = [_cells(line) for line in table.splitlines() if "cli-" in line]
    assert [r[1] for r in rows] == [a, b, c]
    assert [r[0] for r in rows] == ["1", "2", "3"]

    assert "priority 7" in ok(live_server, "queue", "priority", c, "7")
    order = [j["id"] for j in _rest(live_server, "GET", "queue")["jobs"]]
    assert order[:3] == [c, a, b]

    top = js(live_server, "queue", "top", b)
    assert top["priority"] == 8  # type: ignore[index]
    records = js(live_server, "queue")
    assert [j["id"] for j in records][:3] == [b, c, a]  # type: ignore[union-attr]
    assert [j["position"] for j in records][:3] == [1, 2, 3]  # type: ignore[union-attr]
    assert "already at the top" in ok(live_server, "queue", "top", b)


def test_enqueue_with_scheduling_options(live_server: LiveServer, paused) -> None:  # type: ignore[no-untyped-def]
    first = _sleeper(live_server, "cli-first", gpus=0)
    second = js(
        live_server,
        "enqueue",
        "--name",
        "cli-second",
        "--depends-on",
        first,
        "--time-limit",
        "1h30m",
        "--gpu-memory",
        "2048",
        "--gpus",
        "1",
        "--preemptible",
        "--max-retries",
        "2",
        "--",
        "true",
    )
    paused += [second["id"], first]  # type: ignore[index]
    job = _rest(live_server, "GET", f"jobs/{second['id']}")  # type: ignore[index]
    assert job["depends_on"] == [first]
    assert job["time_limit"] == 5400
    assert job["gpu_memory"] == 2048
    assert job["preemptible"] is True
    assert job["max_retries"] == 2
    assert job["attempt"] == 1

    r = cli(live_server, "enqueue", "--depends-on", "nosuchjob", "--", "true")
    assert r.returncode == 1
    assert r.stderr.startswith("forgather-lab: error: 400")
    assert "nosuchjob" in r.stderr


def test_sweep_queues_one_job_per_point_sharing_a_group(live_server: LiveServer, paused) -> None:  # type: ignore[no-untyped-def]
    out = js(
        live_server,
        "sweep",
        "--project",
        "forgather-examples/hello_script",
        "--config",
        "count_words.yaml",
        "--arg",
        "delay=0",
        "--grid",
        "steps=2,3",
        "--grid",
        "delay=0,0.01",
        "--time-limit",
        "120",
    )
    jobs = out["jobs"] if isinstance(out, dict) else out
    paused += [j["id"] for j in jobs]
    assert len(jobs) == 4
    assert len({j["group"] for j in jobs}) == 1
    assert jobs[0]["group"]
    points = {
        (j["params"]["dynamic_args"]["steps"], j["params"]["dynamic_args"]["delay"]) for j in jobs
    }
    assert points == {(2, 0), (2, 0.01), (3, 0), (3, 0.01)}
    assert {j["time_limit"] for j in jobs} == {120}

    line = ok(
        live_server,
        "sweep",
        "--project",
        "forgather-examples/hello_script",
        "--config",
        "count_words.yaml",
        "--grid",
        "steps=4,5",
    )
    assert line.startswith("2 jobs queued (group ")
    queued = _rest(live_server, "GET", "queue")["jobs"]
    paused += [j["id"] for j in queued if j["group"] and j["group"] in line]


def test_history_lists_every_transition(live_server: LiveServer) -> None:
    job_id = _rest(
        live_server,
        "POST",
        "queue",
        {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", "pass"]}},
    )["id"]
    wait_for(lambda: _rest(live_server, "GET", f"jobs/{job_id}")["status"] == "done")
    history = js(live_server, "history", job_id)
    statuses = [t["status"] for t in history["transitions"]]  # type: ignore[index]
    assert statuses[0] == "queued"
    assert statuses[-1] == "done"
    table = ok(live_server, "history", job_id)
    assert f"history of {job_id}" in table
    assert "done" in table


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["enqueue", "--time-limit", "soon", "--", "ls"], "duration like 30m"),
        (["enqueue", "--time-limit", "0", "--", "ls"], "must be > 0"),
        (["enqueue", "--gpu-memory", "0", "--", "ls"], "expected a number >= 1"),
        (["enqueue", "--max-retries", "-1", "--", "ls"], "expected a number >= 0"),
        (["sweep", "--project", "p", "--config", "c"], "--grid"),
        (["sweep", "--project", "p", "--config", "c", "--grid", "steps"], "not KEY=VALUE"),
        (["sweep", "--project", "p", "--config", "c", "--grid", "steps="], "has no values"),
        (["queue", "priority", "abc"], "required"),
        (["queue", "priority", "abc", "high"], "invalid int"),
        (["history"], "required"),
    ],
)
def test_bad_scheduling_arguments_exit_2(args: list[str], message: str) -> None:
    r = cli(None, *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
