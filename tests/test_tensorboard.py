"""TensorBoard as a job, reached through the auth-gated proxy under /forgather/api/tb/{id}/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from inference_helpers import wait_ready
from jobs_helpers import command, wait_for

pytestmark = pytest.mark.timeout(240)


async def test_tensorboard_through_proxy(
    api: Any, tmp_path: Path, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    logdir = tmp_path / "runs"
    logdir.mkdir()
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "tensorboard", "job_params": {"logdir": str(logdir)}},
    )
    assert status == 201, job
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id, within=180)
        assert row["proxy_url"] == f"{jp_base_url}forgather/api/tb/{job_id}/"
        # TensorBoard itself only listens on loopback, under the proxy's path.
        assert row["base_url"].startswith("http://127.0.0.1:")
        assert row["base_url"].endswith(f"/forgather/api/tb/{job_id}")

        status, page = await api("tb", job_id, "index.html")
        assert status == 200
        assert "tb-relative-root" in page
        status, env = await api("tb", job_id, "data", "environment")
        assert status == 200
        assert env["data_location"] == str(logdir)
        status, runs = await api("tb", job_id, "data", "runs")
        assert status == 200
        assert runs == []

        # Refused without Jupyter's auth.
        url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/tb/{job_id}/"
        async with httpx.AsyncClient() as client:
            refused = await client.get(url)
            refused_data = await client.get(url + "data/environment")
        async with httpx.AsyncClient() as client:
            bare = await client.get(url.rstrip("/"), headers=jp_auth_header)
        assert bare.status_code == 302
        assert bare.headers["location"].endswith(f"{job_id}/")
        assert refused.status_code == 403
        assert refused_data.status_code == 403
        assert "data_location" not in refused_data.text
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"})
    status, body = await api("tb", job_id, "index.html")
    assert status == 409
    assert "aborted" in body["message"]


async def test_tensorboard_errors(api: Any, tmp_path: Path) -> None:
    status, body = await api("tb", "nosuchjob", "index.html")
    assert status == 404
    status, job = await api("queue", method="POST", json_body=command("print(1)"))
    status, body = await api("tb", job["id"], "x")
    assert status == 404
    assert "No TensorBoard job" in body["message"]
    status, body = await api(
        "queue",
        method="POST",
        json_body={"job_type": "tensorboard", "job_params": {"logdir": str(tmp_path / "nope")}},
    )
    assert status == 400
    assert "not a directory" in body["message"]
