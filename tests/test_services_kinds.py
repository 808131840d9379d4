"""``GET /services/kinds``: a launch dialog's schema per service kind; TensorBoard's bind_all.

A real server; TensorBoard runs as real jobs (the ``tensorboard`` package).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psutil
import pytest
from inference_helpers import wait_ready
from jobs_helpers import wait_for

from forgather_lab.errors import BadRequest
from forgather_lab.models.jobs import CreateJob
from forgather_lab.services.forms import builtin_forms, form_schema
from forgather_lab.tensorboard.kind import TensorBoardKind

pytestmark = pytest.mark.timeout(180)


async def test_kinds_have_a_schema_each(api: Any) -> None:
    status, body = await api("services", "kinds")
    assert status == 200, body
    kinds = {k["type"]: k for k in body["kinds"]}
    assert list(kinds) == ["inference", "tensorboard", "docs", "dataset_server"]
    assert [k["label"] for k in body["kinds"]] == [
        "Inference",
        "TensorBoard",
        "Docs",
        "Dataset server",
    ]
    for kind in kinds.values():
        schema = kind["schema"]
        assert schema["type"] == "object"
        assert schema["description"]
        for name, field in schema["properties"].items():
            assert field["type"] in {"string", "number", "integer", "boolean", "array"}, name
        assert set(schema["required"]) <= set(schema["properties"])

    tb = kinds["tensorboard"]["schema"]
    assert tb["required"] == ["logdir"]
    assert tb["properties"]["logdir"]["format"] == "path"
    assert tb["properties"]["bind_all"] == {
        "type": "boolean",
        "title": "Bind All",
        "description": tb["properties"]["bind_all"]["description"],
        "default": False,
    }
    assert "without authentication" in tb["properties"]["bind_all"]["description"]
    assert tb["properties"]["reload_interval"]["default"] == 5.0

    docs = kinds["docs"]["schema"]
    assert docs["required"] == ["config_file"]
    assert docs["properties"]["config_file"]["format"] == "path"
    assert docs["properties"]["rebuild"]["default"] is True

    inference = kinds["inference"]["schema"]
    assert inference["properties"]["model_path"]["format"] == "path"
    assert inference["properties"]["dtype"]["enum"] == ["auto", "float32", "float16", "bfloat16"]
    assert inference["properties"]["port"]["maximum"] == 65535
    assert "env" not in inference["properties"]  # a mapping: the API takes it, no form field
    assert kinds["inference"]["requested_gpus"] == 1  # the server has (simulated) GPUs

    datasets = kinds["dataset_server"]["schema"]
    assert datasets["properties"]["paths"]["type"] == "array"
    assert datasets["properties"]["paths"]["items"] == {"type": "string", "format": "path"}
    assert kinds["dataset_server"]["requested_gpus"] == 0


def test_every_form_renders() -> None:
    for form in builtin_forms():
        schema = form_schema(form)
        assert schema["properties"], form.type
        assert set(form.paths) <= set(schema["properties"]), form.type


def test_bind_all_can_be_refused(tmp_path: Path) -> None:
    request = CreateJob(job_type="tensorboard", job_params={"logdir": str(tmp_path)})
    assert "bind_all" not in TensorBoardKind(allow_bind_all=False).prepare(request)
    request.job_params["bind_all"] = True
    assert TensorBoardKind().prepare(request)["bind_all"] is True
    with pytest.raises(BadRequest, match="tensorboard_allow_bind_all"):
        TensorBoardKind(allow_bind_all=False).prepare(request)


def _listening(pid: int) -> set[str]:
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return {
        c.laddr.ip
        for p in procs
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    }


async def test_tensorboard_bind_all(api: Any, tmp_path: Path) -> None:
    """Off: loopback only. On: every interface, while the proxy still goes over loopback."""
    jobs = {}
    for bind_all in (False, True):
        status, job = await api(
            "services",
            method="POST",
            json_body={
                "type": "tensorboard",
                "name": f"board-{int(bind_all)}",
                "args": {"logdir": str(tmp_path), "bind_all": bind_all},
            },
        )
        assert status == 200, job
        assert job["job_id"], job
        jobs[bind_all] = job["job_id"]
    try:
        for bind_all, job_id in jobs.items():
            row = await wait_ready(api, job_id, within=150)
            assert row["base_url"].startswith("http://127.0.0.1:")
            status, env = await api("tb", job_id, "data", "environment")
            assert status == 200, env  # through the proxy either way
            _, running = await api("jobs", job_id)
            ips = _listening(running["pid"])
            if bind_all:
                assert ips & {"0.0.0.0", "::"}, ips
            else:
                assert ips == {"127.0.0.1"}, ips
    finally:
        for job_id in jobs.values():
            await api("jobs", job_id, "control", "kill", method="POST")
            await wait_for(api, job_id, {"aborted", "done", "failed"})
