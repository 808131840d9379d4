"""The scheduling commands of ``forgather-lab``, run as a user would, against a real server:
``queue`` (position, pending reason), ``queue priority`` / ``queue top``, the scheduling
options of ``enqueue``, ``sweep`` and ``history``."""

from __future__ import annotations

import sys

import conftest_server
import pytest
from conftest_server import LiveServer, wait_for
from test_cli import cli, js, ok

live_server = conftest_server.live_server  # the session's server subprocess


def _cells(line: str) -> list[str]:
    """A rich table row's cells (rich draws │ between columns)."""
    return [c.strip() for c in line.split("│") if c.strip()]


def _sleeper(server: LiveServer, name: str, *extra: str) -> str:
    job = js(
        server,
        "enqueue",
        "--name",
        name,
        *extra,
        "--",
        sys.executable,
        "-c",
        "import time; time.sleep(60)",
    )
    return str(job["id"])  # type: ignore[index]


@pytest.fixture
def paused(live_server: LiveServer):  # type: ignore[no-untyped-def]
    """The scheduler paused for the test (queued jobs stay queued), then resumed."""
    ok(live_server, "sched", "pause")
    ids: list[str] = []
    try:
        yield ids
    finally:
        for job_id in ids:
            cli(live_server, "sched", "cancel", job_id)
        ok(live_server, "sched", "resume")


def test_queue_lists_position_and_reason_and_reorders(live_server: LiveServer, paused) -> None:  # type: ignore[no-untyped-def]
    a = _sleeper(live_server, "cli-a", "--gpus", "1")
    b = _sleeper(live_server, "cli-b", "--gpus", "1")
    c = _sleeper(live_server, "cli-c", "--gpus", "1")
    paused += [a, b, c]
    table = ok(live_server, "queue")
    assert "waiting because" in table
    assert "scheduler paused" in table
    rows = [_cells(line) for line in table.splitlines() if "cli-" in line]
    assert [r[1] for r in rows] == [a, b, c]
    assert [r[0] for r in rows] == ["1", "2", "3"]

    assert "priority 7" in ok(live_server, "queue", "priority", c, "7")
    order = [j["id"] for j in js(live_server, "queue")]  # type: ignore[union-attr]
    assert order[:3] == [c, a, b]

    top = js(live_server, "queue", "top", b)
    assert top["priority"] == 8  # type: ignore[index]
    records = js(live_server, "queue")
    assert [j["id"] for j in records][:3] == [b, c, a]  # type: ignore[union-attr]
    assert [j["position"] for j in records][:3] == [1, 2, 3]  # type: ignore[union-attr]
    assert "already at the top" in ok(live_server, "queue", "top", b)


def test_enqueue_with_scheduling_options(live_server: LiveServer, paused) -> None:  # type: ignore[no-untyped-def]
    first = _sleeper(live_server, "cli-first")
    second = _sleeper(
        live_server,
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
    )
    paused += [second, first]
    job = js(live_server, "job", "status", second)["job"]  # type: ignore[index]
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
    paused += [j["id"] for j in js(live_server, "queue") if j["group"] and j["group"] in line]  # type: ignore[union-attr]


def test_history_lists_every_transition(live_server: LiveServer) -> None:
    job = js(live_server, "enqueue", "--name", "cli-hist", "--", sys.executable, "-c", "pass")
    job_id = str(job["id"])  # type: ignore[index]
    wait_for(lambda: js(live_server, "job", "status", job_id)["job"]["status"] == "done")  # type: ignore[index]
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
