"""The inference proxy keeps each origin's job, owner and token in memory: when that must end.

The proxy looks up who listens at ``?base=`` once and keeps it
(``EndpointSupervisor.upstream_at``); the bus empties what it keeps. These
check the two ways that could go wrong: a finished job's token handed to
whatever listens on its port next, and a kept owner letting another user in.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config
from inference_helpers import wait_ready
from jobs_helpers import running_inference_job, wait_for

from forgather_lab.events import EventBus
from forgather_lab.inference.endpoint import UPSTREAM_TOKEN_FILE
from forgather_lab.inference.supervisor import NO_JOB, EndpointSupervisor
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.models.inference import EndpointState
from forgather_lab.models.jobs import JobStatus
from forgather_lab.store import Database

pytestmark = pytest.mark.timeout(120)

# An upstream that says whether it was sent its job's token (and never echoes it).
SERVER = """\
import http.server, json, sys
token = open(sys.argv[2]).read().strip()
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        sent = self.headers.get("Authorization") == "Bearer " + token
        body = json.dumps({"data": [{"id": "fake"}], "token_sent": sent}).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body)))
        self.end_headers(); self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return hub_server_config(forgather_config)


class Recorder:
    """Whatever listens on a port after the job: it records the headers it is sent."""

    def __init__(self) -> None:
        self.headers: list[dict[str, str]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")[1:]
        self.headers.append(
            {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines if h)}
        )
        body = b'{"data": []}'
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body
        )
        await writer.drain()
        writer.close()


async def test_a_finished_jobs_token_never_reaches_its_port(api: Any, tmp_path: Path) -> None:
    script = tmp_path / "server.py"
    script.write_text(SERVER)
    port = _free_port()
    status, job = await api(
        "queue",
        method="POST",
        headers=auth("alice"),
        json_body={
            "job_type": "inference",
            "job_params": {
                "command": [sys.executable, str(script), "{port}", "{token_file}"],
                "port": port,
            },
        },
    )
    assert status == 201, job
    job_id = job["id"]

    async def as_alice(*parts: str, **kw: Any) -> Any:
        return await api(*parts, headers=auth("alice"), **kw)

    try:
        row = await wait_ready(as_alice, job_id, within=60)
        params = {"base": row["base_url"]}
        for _ in range(2):  # the second answer comes from what the first kept
            status, models = await api("inference", "models", params=params, headers=auth("alice"))
            assert (status, models["token_sent"]) == (200, True)
            # Kept or not, bob is not let through to alice's server.
            status, refused = await api("inference", "models", params=params, headers=auth("bob"))
            assert status == 403, refused
            assert refused["reason"] == "not_owner"
    finally:
        await api("jobs", job_id, "control", "kill", method="POST", headers=auth("alice"))
    await wait_for(as_alice, job_id, {"aborted", "failed", "done"})

    # The port is free: what binds it next is nobody's job and gets no token.
    recorder = Recorder()
    server = await _bind(recorder, port)
    try:
        status, _ = await api("inference", "models", params=params, headers=auth("alice"))
        assert status == 200
        status, _ = await api("inference", "models", params=params, headers=auth("bob"))
        assert status == 200  # no job there any more: nobody's to refuse
    finally:
        server.close()
    assert len(recorder.headers) == 2
    assert not any("authorization" in h for h in recorder.headers)


def test_what_is_kept_follows_the_bus(tmp_path: Path) -> None:
    """Kept until an endpoint or an inference job changes; a look-up raced by a change is not."""

    async def scenario() -> None:
        db = Database(tmp_path / "state" / "forgather.db")
        db.open()
        bus = EventBus()
        job = await running_inference_job(db)
        (tmp_path / job.id).mkdir()
        (tmp_path / job.id / UPSTREAM_TOKEN_FILE).write_text("first")
        supervisor = EndpointSupervisor(db, bus, lambda job_id: tmp_path / job_id)
        base = "http://127.0.0.1:8137/v1"
        # Not started: nothing would tell it of a change, so nothing is kept.
        await supervisor._record(job.id, EndpointState.READY, base)
        assert await supervisor.token_for(base) == "first"
        (tmp_path / job.id / UPSTREAM_TOKEN_FILE).write_text("second")
        assert await supervisor.token_for(base) == "second"

        supervisor._unlisten = bus.listen(supervisor._on_event)  # listening, without probes
        assert await supervisor.token_for("http://localhost:8137/v1") == "second"
        (tmp_path / job.id / UPSTREAM_TOKEN_FILE).write_text("third")
        assert await supervisor.token_for(base) == "second"  # kept
        upstream = await supervisor.upstream_at(base)
        assert [job_id for job_id, _ in upstream.owners] == [job.id]

        # Another kind of job changing keeps it; this job's endpoint changing does not.
        bus.publish("job_status_changed", job_id="zz", status="done", job={"job_type": "train"})
        assert await supervisor.token_for(base) == "second"
        await supervisor._record(job.id, EndpointState.READY, base)
        assert await supervisor.token_for(base) == "third"

        # The job ends: from the event on, the origin is nobody's.
        await db.run(lambda c: jobs_repo.finish(c, job.id, JobStatus.DONE, exit_code=0))
        bus.publish(
            "job_status_changed", job_id=job.id, status="done", job={"job_type": "inference"}
        )
        assert await supervisor.upstream_at(base) is NO_JOB

        # A look-up that read the rows before a change must not keep what it read.
        real_run = db.run

        async def racing_run(fn: Any) -> Any:
            rows = await real_run(fn)
            bus.publish("endpoint_changed", job_id=job.id, state="stopped", base_url=None)
            return rows

        db.run = racing_run  # type: ignore[method-assign]
        await supervisor.upstream_at("http://127.0.0.1:9/v1")
        db.run = real_run  # type: ignore[method-assign]
        assert supervisor._upstreams == {}
        await supervisor.stop()
        db.close()

    asyncio.run(scenario())


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _bind(recorder: Recorder, port: int) -> asyncio.Server:
    # The killed server's socket may linger a moment before the port is free.
    for _ in range(50):
        try:
            return await asyncio.start_server(recorder.handle, "127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
    raise AssertionError(f"port {port} stayed taken")
