"""A job token opens its own job's callback and nothing else."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, job_token, wait_for

from forgather_lab.errors import Conflict, Forbidden
from forgather_lab.handlers.openapi import implemented_verbs
from forgather_lab.handlers.routes import ROUTES
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.jobs.launcher import hash_token
from forgather_lab.models.control import ReportBatch
from forgather_lab.models.jobs import JobStatus
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

SLEEP = "import time; time.sleep(60)"
#: The routes a job's own token is for (everything else must refuse it).
TOKEN_ROUTES = {"/jobs/{job_id}/callback", "/jobs/external/{job_id}/end"}


def _sample(path: str, job_id: str) -> list[str]:
    path = re.sub(r"\{\w+:int\}", "0", path).replace("{job_id}", job_id)
    return re.sub(r"\{\w+\}", "x", path).strip("/").split("/")


async def _running_job(api: Any, state_dir: Path) -> tuple[str, str]:
    _, job = await api("queue", method="POST", json_body=command(SLEEP))
    await wait_for(api, job["id"], {"running"})
    token = await job_token(state_dir, job["id"])
    return job["id"], token


async def test_job_token_reaches_only_its_own_callback(api: Any, state_dir: Path) -> None:
    mine, token = await _running_job(api, state_dir)
    other, other_token = await _running_job(api, state_dir)
    bearer = {"Authorization": f"Bearer {token}"}

    code, body = await api("jobs", mine, "callback", method="POST", json_body={}, headers=bearer)
    assert code == 200, body
    assert body == {"commands": []}

    code, body = await api("jobs", other, "callback", method="POST", json_body={}, headers=bearer)
    assert code == 403, body
    assert "not this job's token" in body["message"]

    # The other route a job token is for (an external trainer's end) refuses it too.
    code, body = await api(
        "jobs", "external", other, "end", method="POST", json_body={}, headers=bearer
    )
    assert code == 403, body

    refused = []
    for route in ROUTES:
        if route.path in TOKEN_ROUTES:
            continue
        for verb in implemented_verbs(route.handler):
            parts = _sample(route.path, mine)
            body_json = {} if verb in {"post", "put", "patch"} else None
            code, _ = await api(*parts, method=verb.upper(), json_body=body_json, headers=bearer)
            refused.append((verb, route.path, code))
    assert refused
    assert [r for r in refused if r[2] not in {401, 403}] == []

    # Both jobs are still running: nothing above reached them.
    for job_id in (mine, other):
        _, job = await api("jobs", job_id)
        assert job["status"] == "running"
    other_bearer = {"Authorization": f"Bearer {other_token}"}
    code, _ = await api(
        "jobs", other, "callback", method="POST", json_body={}, headers=other_bearer
    )
    assert code == 200
    for job_id in (mine, other):
        await api("jobs", job_id, "control", "kill", method="POST")


async def test_callback_refuses_missing_wrong_and_jupyter_credentials(
    api: Any, state_dir: Path
) -> None:
    job_id, token = await _running_job(api, state_dir)
    # jp_fetch adds the Jupyter token: a Jupyter user is not a job.
    code, body = await api("jobs", job_id, "callback", method="POST", json_body={})
    assert code == 403, body
    for header, expected in [
        ({"Authorization": "Bearer wrong"}, 403),
        ({"Authorization": f"Bearer {token}x"}, 403),
        ({"Authorization": f"Basic {token}"}, 403),
    ]:
        code, body = await api(
            "jobs", job_id, "callback", method="POST", json_body={}, headers=header
        )
        assert code == expected, (header, body)
    code, body = await api(
        "jobs", "nosuchjob", "callback", method="POST", json_body={},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert code == 403  # unknown jobs look like wrong tokens: ids are not disclosed
    bearer = {"Authorization": f"Bearer {token}"}
    code, body = await api(
        "jobs", job_id, "callback", method="POST", raw_body=b"not json", headers=bearer
    )
    assert code == 400
    code, body = await api(
        "jobs", job_id, "callback", method="POST", headers=bearer,
        json_body={"records": [{"kind": "nonsense"}]},
    )  # fmt: skip
    assert code == 400
    assert "kind" in body["message"]
    await api("jobs", job_id, "control", "kill", method="POST")


async def test_callback_without_any_header_is_401(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str
) -> None:
    response = await http_server_client.fetch(
        jp_base_url.rstrip("/") + "/forgather/api/jobs/x/callback",
        method="POST",
        body=b"{}",
        raise_error=False,
    )
    assert response.code == 401


async def test_the_control_service_decides_whose_token_it_is(tmp_path: Path) -> None:
    """No server: the check lives in the core, the handler only hands the token over."""
    runtime = Runtime(ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="simulated"))

    def job(token: str | None) -> str:
        def make(conn: sqlite3.Connection) -> str:
            record = jobs_repo.insert(
                conn, name="t", job_type="command", priority=0, requested_gpus=0, params={}
            )
            if token is not None:
                jobs_repo.mark_running(
                    conn, record.id, pid=1, create_time=0.0, log_path="x",
                    token_hash=hash_token(token),
                )  # fmt: skip
            return record.id

        return runtime.db.call(make)

    try:
        mine, other, unstarted = job("mine"), job("other"), job(None)
        await runtime.control.authenticate_callback(mine, "mine")
        await runtime.control.authenticate_callback(other, "other")
        for job_id, token in [
            (other, "mine"),  # a job token opens only its own callback
            (mine, "other"),
            (mine, "mine "),
            (mine, ""),
            (unstarted, "mine"),  # no token issued yet
            ("nosuchjob", "mine"),  # unknown ids look like wrong tokens
        ]:
            with pytest.raises(Forbidden, match="not this job's token"):
                await runtime.control.authenticate_callback(job_id, token)
    finally:
        await runtime.stop()


@pytest.mark.parametrize(
    ("code", "ending"),
    [("print('done')", "done"), ("import sys; sys.exit(3)", "failed"), (SLEEP, "aborted")],
)
async def test_a_finished_jobs_token_is_refused_with_409(
    api: Any, state_dir: Path, code: str, ending: str
) -> None:
    _, job = await api("queue", method="POST", json_body=command(code))
    job_id = job["id"]
    await wait_for(api, job_id, {"running", "done", "failed"})
    token = await job_token(state_dir, job_id)
    bearer = {"Authorization": f"Bearer {token}"}
    if ending == "aborted":
        report = {"records": [{"kind": "progress", "step": 5, "max_steps": 10}]}
        code_, _ = await api("jobs", job_id, "callback", method="POST", json_body=report,
                             headers=bearer)  # fmt: skip
        assert code_ == 200
        await api("jobs", job_id, "control", "force-kill", method="POST")
    await wait_for(api, job_id, {ending})
    _, before = await api("jobs", job_id, "status")
    for batch in [
        {},
        {"records": [{"kind": "progress", "step": 99, "max_steps": 100}], "final": True},
        {"records": [{"kind": "stage", "name": "hijacked"}]},
        {"hello": {"pid": 1}},
        {"ack": [1]},
    ]:
        status, body = await api(
            "jobs", job_id, "callback", method="POST", json_body=batch, headers=bearer
        )
        assert status == 409, body
        assert f"has ended ({ending})" in body["message"]
        assert body["reason"] == "job_ended"
    # Nothing of it was stored: the job's last report stands.
    _, after = await api("jobs", job_id, "status")
    assert after == before
    _, final = await api("jobs", job_id)
    assert final["status"] == ending
    # A wrong token on a finished job is still a 403: the 409 tells only the token's owner.
    status, _ = await api(
        "jobs", job_id, "callback", method="POST", json_body={},
        headers={"Authorization": "Bearer wrong"},
    )  # fmt: skip
    assert status == 403


async def test_the_core_refuses_a_finished_jobs_reports(tmp_path: Path) -> None:
    """Both the token check and the write itself refuse (a batch racing the job's end)."""
    runtime = Runtime(ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="simulated"))

    def started(conn: sqlite3.Connection) -> str:
        record = jobs_repo.insert(
            conn, name="t", job_type="command", priority=0, requested_gpus=0, params={}
        )
        jobs_repo.mark_running(
            conn, record.id, pid=1, create_time=0.0, log_path="x", token_hash=hash_token("tok")
        )
        return record.id

    try:
        job_id = runtime.db.call(started)
        await runtime.control.authenticate_callback(job_id, "tok")
        report = ReportBatch.model_validate({"records": [{"kind": "progress", "step": 1}]})
        await runtime.control.callback(job_id, report)
        runtime.db.call(lambda c: jobs_repo.finish(c, job_id, JobStatus.DONE, 0, None))
        with pytest.raises(Conflict, match="has ended"):
            await runtime.control.authenticate_callback(job_id, "tok")
        later = ReportBatch.model_validate({"records": [{"kind": "progress", "step": 2}]})
        with pytest.raises(Conflict, match="has ended"):
            await runtime.control.callback(job_id, later)  # authenticated just before the end
        assert (await runtime.control.status(job_id)).step == 1
        with pytest.raises(Forbidden):
            await runtime.control.authenticate_callback(job_id, "other")
    finally:
        await runtime.stop()
