"""Re-run: the original job again, with the changes asked; bad input creates nothing."""

from __future__ import annotations

from typing import Any

import pytest
from jobs_helpers import command, wait_for

PROJECT = "forgather-examples/hello_script"


async def _count(api: Any) -> int:
    _, page = await api("jobs", params={"limit": 1000})
    return int(page["total"])


async def test_rerun_a_config_job_with_changed_dynamic_args(api: Any) -> None:
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "training",
            "project_dir": PROJECT,
            "config": "count_words.yaml",
            "dynamic_args": {"steps": 3, "delay": 0},
            "name": "words",
            "priority": 5,
        },
    )
    assert status == 201, job
    await wait_for(api, job["id"], {"done"}, timeout=60)
    status, again = await api(
        "jobs", job["id"], "rerun", method="POST", json_body={"dynamic_args": {"steps": 2}}
    )
    assert status == 201, again
    assert again["id"] != job["id"]
    assert again["rerun_of"] == job["id"]
    assert again["job_type"] == "training"
    assert again["name"] == "words"
    assert again["priority"] == 5
    assert again["params"]["dynamic_args"] == {"steps": 2, "delay": 0}  # merged over
    assert again["params"]["project_dir"] == PROJECT
    assert "2" in again["params"]["job"]["args"]  # the config was resolved again
    done = await wait_for(api, again["id"], {"done", "failed"}, timeout=60)
    assert done["status"] == "done", done
    _, log = await api("jobs", again["id"], "tty")
    assert log  # it really ran
    # Changing the priority, GPUs and name; the rest stays.
    status, third = await api(
        "jobs",
        job["id"],
        "rerun",
        method="POST",
        json_body={"priority": -3, "requested_gpus": 1, "name": "words, on a GPU"},
    )
    assert status == 201, third
    assert (third["priority"], third["requested_gpus"], third["name"]) == (
        -3,
        1,
        "words, on a GPU",
    )
    assert third["params"]["dynamic_args"] == {"steps": 3, "delay": 0}


async def test_rerun_a_command_job_keeps_argv_env_and_limits(api: Any) -> None:
    body = command("import os; print(os.environ['GREETING'])", env={"GREETING": "hi"})
    body.update(time_limit=60.0, max_retries=2, preemptible=True)
    body["executor_params"] = {"partition": "debug"}  # the local executor ignores them
    status, job = await api("queue", method="POST", json_body=body)
    assert status == 201, job
    await wait_for(api, job["id"], {"done"})
    status, again = await api("jobs", job["id"], "rerun", method="POST")
    assert status == 201, again
    assert again["rerun_of"] == job["id"]
    assert again["params"]["argv"] == job["params"]["argv"]
    assert again["params"]["env"] == {"GREETING": "hi"}
    assert (again["time_limit"], again["max_retries"], again["preemptible"]) == (60.0, 2, True)
    assert again["params"]["executor_params"] == {"partition": "debug"}  # the engine's too
    await wait_for(api, again["id"], {"done"})
    _, log = await api("jobs", again["id"], "tty")
    assert "hi" in log


@pytest.mark.parametrize(
    "changes",
    [
        {"dynamic_args": {"no_such_arg": 1}},  # unknown to the config: the resolver refuses
        {"dynamic_args": {"steps": "many"}},  # wrong type
        {"requested_gpus": 99},  # more than the server has
        {"requested_gpus": -1},
        {"priority": 5000},
        {"name": ""},
        {"colour": "red"},  # not a field
    ],
)
async def test_bad_rerun_is_400_and_creates_nothing(api: Any, changes: dict[str, Any]) -> None:
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "training", "project_dir": PROJECT, "config": "count_words.yaml"},
    )
    assert status == 201, job
    before = await _count(api)
    status, body = await api("jobs", job["id"], "rerun", method="POST", json_body=changes)
    assert status == 400, body
    assert body["message"]
    assert await _count(api) == before


async def test_rerun_errors(api: Any) -> None:
    status, body = await api("jobs", "nosuchjob", "rerun", method="POST")
    assert status == 404, body
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    _, job = await api("queue", method="POST", json_body=command("pass"))
    before = await _count(api)
    status, body = await api(
        "jobs", job["id"], "rerun", method="POST", json_body={"dynamic_args": {"x": 1}}
    )
    assert status == 400, body
    assert body["reason"] == "no_dynamic_args", body
    status, body = await api("jobs", job["id"], "rerun", method="POST", raw_body=b"[1]")
    assert status == 400
    assert await _count(api) == before
