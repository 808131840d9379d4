"""Scheduling, the jobs side: new fields, PATCH, batches, sweeps, history, over real HTTP.

A real Jupyter server with simulated GPUs (24 GiB each); jobs are real
processes. Retries, dependencies and restarts are in
``test_scheduling_jobs_runs.py`` and ``test_scheduling_jobs_restart.py``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for

SLEEP = "import time; time.sleep(60)"
CARD_MIB = 24 * 1024  # a simulated card's memory


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 4,
        "max_sweep_size": 8,
    }


async def pause(api: Any) -> None:
    status, _ = await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    assert status == 200


async def hello_project(api: Any) -> str:
    _, tree = await api("projects")
    projects = [p for ws in tree["workspaces"] for p in ws["projects"]]
    return str(next(p for p in projects if p["path"].endswith("hello_script"))["path"])


async def test_the_new_fields_are_stored_and_come_back(api: Any) -> None:
    await pause(api)
    _, first = await api("queue", method="POST", json_body=command("pass"))
    body = {
        **command("pass", gpus=1),
        "depends_on": [first["id"], first["id"]],
        "time_limit": 90,
        "gpu_memory": 6000,
        "preemptible": True,
        "max_retries": 2,
    }
    status, job = await api("queue", method="POST", json_body=body)
    assert status == 201, job
    assert job["depends_on"] == [first["id"]]  # listed twice, stored once
    assert (job["time_limit"], job["gpu_memory"], job["preemptible"]) == (90, 6000, True)
    assert (job["max_retries"], job["attempt"], job["group"]) == (2, 1, None)
    assert job["queued_at"] >= job["created_at"]
    _, again = await api("jobs", job["id"])
    for field in ("depends_on", "time_limit", "gpu_memory", "preemptible", "max_retries"):
        assert again[field] == job[field], field
    status, history = await api("jobs", job["id"], "history")
    assert status == 200
    assert history["job_id"] == job["id"]
    assert [(t["status"], t["attempt"]) for t in history["transitions"]] == [("queued", 1)]


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"time_limit": 0}, "time_limit"),
        ({"time_limit": -5}, "time_limit"),
        ({"max_retries": -1}, "max_retries"),
        ({"gpu_memory": 0}, "gpu_memory"),
        ({"gpu_memory": CARD_MIB + 1, "requested_gpus": 1}, "more than any GPU"),
        ({"gpu_memory": 1000, "requested_gpus": 0}, "asks for no GPU"),
        ({"depends_on": ["nosuchjob"]}, "no job 'nosuchjob'"),
        ({"depends_on": ["bad id!"]}, "depends_on"),
        ({"preemptible": "sometimes"}, "preemptible"),
    ],
)
async def test_bad_scheduling_fields_are_400_and_create_nothing(
    api: Any, extra: dict[str, Any], needle: str
) -> None:
    body = {**command("pass"), **extra}
    status, reply = await api("queue", method="POST", json_body=body)
    assert status == 400, reply
    assert needle in reply["message"]
    _, jobs = await api("jobs")
    assert jobs["jobs"] == []


async def test_gpu_memory_up_to_a_whole_card_is_accepted(api: Any) -> None:
    await pause(api)
    status, job = await api(
        "queue", method="POST", json_body={**command("pass", gpus=1), "gpu_memory": CARD_MIB}
    )
    assert status == 201, job


async def test_a_dependency_that_already_failed_is_refused(api: Any) -> None:
    _, bad = await api("queue", method="POST", json_body=command("raise SystemExit(3)"))
    await wait_for(api, bad["id"], {"failed"})
    status, reply = await api(
        "queue", method="POST", json_body={**command("pass"), "depends_on": [bad["id"]]}
    )
    assert status == 400
    assert bad["id"] in reply["message"]
    assert "already ended failed" in reply["message"]


async def test_patch_moves_a_queued_job_to_the_front_of_a_busy_pool(api: Any) -> None:
    for index in (1, 2, 3):  # one card: whoever is first in line gets it next
        await api("gpus", str(index), "policy", method="POST", json_body={"disabled": True})
    _, blocker = await api("queue", method="POST", json_body=command(SLEEP, gpus=1))
    await wait_for(api, blocker["id"], {"running"})
    _, first = await api("queue", method="POST", json_body=command(SLEEP, gpus=1, name="first"))
    _, late = await api("queue", method="POST", json_body=command(SLEEP, gpus=1, name="late"))
    _, queue = await api("queue")
    assert [j["name"] for j in queue["jobs"]] == ["first", "late"]

    status, moved = await api(
        "queue", late["id"], method="PATCH", json_body={"priority": 5, "name": "urgent"}
    )
    assert status == 200, moved
    assert (moved["priority"], moved["name"], moved["status"]) == (5, "urgent", "queued")
    _, queue = await api("queue")
    assert [j["name"] for j in queue["jobs"]] == ["urgent", "first"]

    await api("jobs", blocker["id"], "control", "force-kill", method="POST")
    started = await wait_for(api, late["id"], {"running"})
    assert started["gpus"] == [0]
    _, still = await api("jobs", first["id"])
    assert still["status"] == "queued"
    _, history = await api("jobs", late["id"], "history")
    reasons = [t["reason"] for t in history["transitions"]]
    assert "priority 0 → 5; renamed 'late' → 'urgent'" in reasons

    # Only queued jobs can be changed; a change must change something.
    status, reply = await api("queue", late["id"], method="PATCH", json_body={"priority": 1})
    assert status == 409
    assert "running" in reply["message"]
    status, reply = await api("queue", first["id"], method="PATCH", json_body={})
    assert status == 400
    status, reply = await api("queue", first["id"], method="PATCH", json_body={"priority": 5000})
    assert status == 400
    assert "priority" in reply["message"]
    status, reply = await api("queue", "nosuchjob", method="PATCH", json_body={"priority": 1})
    assert status == 404
    for job in (late, first):
        await api("queue", job["id"], method="DELETE")


async def test_a_batch_is_all_or_nothing_and_keeps_its_order(api: Any) -> None:
    await pause(api)
    bad = [command("pass", name="a"), command("pass", name="b"), {"job_type": "nonsense"}]
    status, reply = await api("queue", "batch", method="POST", json_body={"jobs": bad})
    assert status == 400, reply
    assert reply["message"].startswith("jobs[2]: ")
    _, jobs = await api("jobs")
    assert jobs["total"] == 0
    status, reply = await api("queue", "batch", method="POST", json_body={"jobs": []})
    assert status == 400

    good = [command("pass", name=n, priority=p) for n, p in (("a", 0), ("b", 3), ("c", 1))]
    status, reply = await api("queue", "batch", method="POST", json_body={"jobs": good})
    assert status == 201, reply
    assert [j["name"] for j in reply["jobs"]] == ["a", "b", "c"]
    groups = {j["group"] for j in reply["jobs"]}
    assert len(groups) == 1
    assert None not in groups
    _, queue = await api("queue")
    assert [j["name"] for j in queue["jobs"]] == ["b", "c", "a"]


async def test_a_batch_of_one_job_repeated_gives_each_its_own_record(api: Any) -> None:
    # Equal jobs in a row are checked once and share their row's values (jobs/submit.py,
    # jobs/repository.py): each must still come back, and be kept, as its own job.
    await pause(api)
    same = command("pass", name="same")
    jobs = [same, same, command("pass", name="same", priority=4), same, command("pass"), same]
    status, reply = await api("queue", "batch", method="POST", json_body={"jobs": jobs})
    assert status == 201, reply
    got = reply["jobs"]
    assert len({j["id"] for j in got}) == 6
    assert [j["priority"] for j in got] == [0, 0, 4, 0, 0, 0]
    assert [j["name"] for j in got].count("same") == 5
    _, queue = await api("queue")
    assert [j["id"] for j in queue["jobs"]] == [
        got[2]["id"],
        *(j["id"] for j in got if j is not got[2]),
    ]
    for job in got:
        _, kept = await api("jobs", job["id"])
        assert {k: kept[k] for k in ("id", "name", "priority", "owner")} == {
            k: job[k] for k in ("id", "name", "priority", "owner")
        }


async def test_a_sweep_queues_one_job_per_grid_point(api: Any) -> None:
    await pause(api)
    project = await hello_project(api)
    base = {
        "job_type": "training",
        "project_dir": project,
        "config": "count_words.yaml",
        "dynamic_args": {"delay": 0, "steps": 7},
        "priority": 2,
        "max_retries": 1,
    }
    grid = {"steps": [2, 3], "delay": [0, 0.01]}
    status, reply = await api(
        "queue", "sweep", method="POST", json_body={"base": base, "grid": grid}
    )
    assert status == 201, reply
    jobs = reply["jobs"]
    assert len(jobs) == 4
    assert len({j["group"] for j in jobs}) == 1
    assert jobs[0]["group"]
    points = [j["params"]["dynamic_args"] for j in jobs]
    assert points == [
        {"steps": 2, "delay": 0},
        {"steps": 2, "delay": 0.01},
        {"steps": 3, "delay": 0},
        {"steps": 3, "delay": 0.01},
    ]
    assert all(j["priority"] == 2 and j["max_retries"] == 1 for j in jobs)
    assert jobs[1]["name"].endswith("[steps=2, delay=0.01]")
    # Each point's config was rendered with its own values: they reach the command line.
    for job, point in zip(jobs, points, strict=True):
        args = job["params"]["job"]["args"]
        assert args[args.index("--steps") + 1] == str(point["steps"]), args
        assert float(args[args.index("--delay") + 1]) == point["delay"], args


@pytest.mark.parametrize(
    ("grid", "needle"),
    [
        ({"steps": [1, 2, 3], "delay": [0, 0.1, 0.2]}, "9 points (3 x 3); at most 8"),
        ({"steps": []}, "lists no values"),
        ({"nonsense": [1, 2]}, "Unknown dynamic args ['nonsense']"),
        ({"steps": ["many", 2]}, "grid point 1 of 2 (steps=many)"),
    ],
)
async def test_bad_sweeps_are_400_and_create_nothing(
    api: Any, grid: dict[str, Any], needle: str
) -> None:
    project = await hello_project(api)
    base = {"job_type": "training", "project_dir": project, "config": "count_words.yaml"}
    status, reply = await api(
        "queue", "sweep", method="POST", json_body={"base": base, "grid": grid}
    )
    assert status == 400, reply
    assert needle in reply["message"]
    _, jobs = await api("jobs")
    assert jobs["total"] == 0


async def test_a_sweep_of_a_command_is_refused(api: Any) -> None:
    body = {"base": command("pass"), "grid": {"x": [1, 2]}}
    status, reply = await api("queue", "sweep", method="POST", json_body=body)
    assert status == 400
    assert "POST /queue/batch" in reply["message"]


async def test_history_of_an_unknown_job_is_404(api: Any) -> None:
    status, reply = await api("jobs", "nosuchjob", "history")
    assert status == 404
    assert "nosuchjob" in reply["message"]


async def test_history_lists_every_transition_of_a_finished_job(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command("print('hi')", gpus=1))
    done = await wait_for(api, job["id"], {"done"})
    _, history = await api("jobs", job["id"], "history")
    steps = [(t["status"], t["attempt"]) for t in history["transitions"]]
    assert steps == [("queued", 1), ("starting", 1), ("running", 1), ("done", 1)]
    reasons = [t["reason"] for t in history["transitions"]]
    assert reasons[:3] == ["submitted", f"on GPU {done['gpus'][0]}", f"pid {done['pid']}"]
    times = [t["at"] for t in history["transitions"]]
    assert times == sorted(times)


async def test_a_cancelled_job_says_so_in_its_history(api: Any) -> None:
    await pause(api)
    _, job = await api("queue", method="POST", json_body=command("pass"))
    status, cancelled = await api("queue", job["id"], method="DELETE")
    assert (status, cancelled["status"]) == (200, "cancelled")
    last = (await api("jobs", job["id"], "history"))[1]["transitions"][-1]
    assert (last["status"], last["reason"]) == ("cancelled", "cancelled by request")


async def test_deleting_a_done_dependency_lets_its_dependents_start(api: Any) -> None:
    _, first = await api("queue", method="POST", json_body=command("pass"))
    await wait_for(api, first["id"], {"done"})
    await pause(api)
    body = {**command("pass"), "depends_on": [first["id"]]}
    _, second = await api("queue", method="POST", json_body=body)
    status, _ = await api("jobs", first["id"], method="DELETE")
    assert status == 204
    _, still = await api("jobs", second["id"])
    assert still["depends_on"] == []  # satisfied: it ended done before it went
    await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    await wait_for(api, second["id"], {"done"})


async def test_a_notebook_sweep_varies_its_parameters(api: Any, jp_root_dir: Path) -> None:
    await pause(api)
    cell = {"cell_type": "code", "source": "lr = 0.1", "metadata": {"tags": ["parameters"]}}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (jp_root_dir / "sweep.ipynb").write_text(json.dumps(notebook))
    base = {
        "job_type": "notebook",
        "job_params": {"notebook": "sweep.ipynb", "parameters": {"epochs": 1, "lr": 0.5}},
    }
    body = {"base": base, "grid": {"lr": [0.01, 0.02]}}
    status, reply = await api("queue", "sweep", method="POST", json_body=body)
    assert status == 201, reply
    assert [j["params"]["parameters"] for j in reply["jobs"]] == [
        {"epochs": 1, "lr": 0.01},
        {"epochs": 1, "lr": 0.02},
    ]
    base["job_params"]["output"] = "out.ipynb"
    status, reply = await api("queue", "sweep", method="POST", json_body=body)
    assert status == 400
    assert "job_params.output" in reply["message"]


@pytest.mark.parametrize(
    "program", [".", "..", "/", "a/", "a/.", "./a", "/a/..", "a//b", "/usr/bin/python3", "x y/z"]
)
def test_a_command_job_is_named_after_its_program_s_file_name(program: str) -> None:
    # Made at every submission without a name: as pathlib names it, without a Path.
    from pathlib import PurePosixPath

    from forgather_lab.jobs.submit import default_name
    from forgather_lab.models.jobs import CreateJob

    request = CreateJob(job_type="command", job_params={"argv": [program, "-v"]})
    expected = " ".join([*PurePosixPath(program).name.split(), "-v"])
    assert default_name(request, {"argv": [program, "-v"]}) == expected
