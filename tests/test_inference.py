"""A real inference job on a tiny random local model, answering through the proxy.

One job per test server (a model load is the slow part), so the checks share
one test: plain and streamed answers through the proxy, the official
``openai`` client pointed at the proxy, and that the upstream token never
reaches the browser (responses, job records, argv, the log).
"""

from __future__ import annotations

import asyncio
import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from inference_helpers import build_in_subprocess, wait_ready
from jobs_helpers import running_inference_job, wait_for

from forgather_lab.events import EventBus
from forgather_lab.inference.supervisor import EndpointSupervisor
from forgather_lab.models.inference import EndpointState
from forgather_lab.store import Database

pytestmark = pytest.mark.timeout(420)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_in_subprocess(tmp_path_factory.mktemp("models") / "tiny-gpt2")


async def test_inference_job_through_proxy(
    api: Any,
    tiny_model: Path,
    state_dir: Path,
    jp_base_url: str,
    jp_http_port: int,
    jp_auth_header: dict[str, str],
) -> None:
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "inference", "job_params": {"model_path": str(tiny_model)}},
    )
    assert status == 201, job
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id)
        base = row["base_url"]
        assert base.startswith("http://127.0.0.1:")
        assert base.endswith("/v1")
        assert row["model"] == "tiny-gpt2"

        # The upstream wants a token; the proxy supplies it.
        async with httpx.AsyncClient() as direct:
            refused = await direct.get(f"{base}/models")
        assert refused.status_code == 401
        params = {"base": base}
        status, health = await api("inference", "health", params=params)
        assert (status, health["status"]) == (200, "ok")
        status, models = await api("inference", "models", params=params)
        assert status == 200
        assert models["data"][0]["id"] == "tiny-gpt2"

        body = {"prompt": "Hello", "max_tokens": 8, "temperature": 0}
        status, plain = await api(
            "inference", "completions", method="POST", json_body=body, params=params
        )
        assert status == 200, plain
        assert plain["usage"]["completion_tokens"] >= 1

        status, streamed = await api(
            "inference",
            "chat/completions",
            method="POST",
            params=params,
            json_body={
                "messages": [{"role": "user", "content": "hi"}],
                "max_tokens": 6,
                "stream": True,
                "temperature": 0,
            },
        )
        assert status == 200
        events = [line[6:] for line in streamed.splitlines() if line.startswith("data: ")]
        assert events[-1] == "[DONE]"
        assert len(events) >= 3
        assert json.loads(events[0])["choices"][0]["delta"]["role"] == "assistant"

        status, bad = await api(
            "inference",
            "completions",
            method="POST",
            params=params,
            json_body={"prompt": "x", "top_p": 7},
        )
        assert status == 400
        assert "top_p" in bad["error"]["message"]

        # The official openai client, pointed at the proxy with the Jupyter token.
        import openai

        jupyter_token = jp_auth_header["Authorization"].split(" ", 1)[1]
        client = openai.AsyncOpenAI(
            base_url=f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/inference",
            api_key=jupyter_token,
            default_query={"base": base},
        )
        listed = await client.models.list()
        assert [m.id for m in listed.data] == ["tiny-gpt2"]
        chat = await client.chat.completions.create(
            model="tiny-gpt2", messages=[{"role": "user", "content": "hi"}], max_tokens=5
        )
        assert chat.choices[0].message.role == "assistant"
        pieces = []
        stream = await client.chat.completions.create(
            model="tiny-gpt2",
            messages=[{"role": "user", "content": "hi"}],
            max_tokens=6,
            stream=True,
            temperature=0,
        )
        async for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                pieces.append(chunk.choices[0].delta.content)
        assert len(pieces) >= 2  # token by token, not one buffered blob
        completion = await client.completions.create(
            model="tiny-gpt2", prompt="abc", max_tokens=4, stream=True
        )
        texts = [c.choices[0].text async for c in completion if c.choices]
        assert texts
        await client.close()

        # The Python client's notebook helpers go through the same proxy.
        from forgather_lab.client import AsyncClient

        server_url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
        async with AsyncClient(server_url, jupyter_token) as fl:
            listed_servers = await fl.inference_servers()
            assert [s.job_id for s in listed_servers] == [job_id]
            reply = await fl.chat(base, "hello", max_tokens=3)
            assert isinstance(reply, str)

        # The token never reaches the browser, the job record, argv or the log.
        token_file = state_dir / "jobs" / job_id / "inference_token"
        token = token_file.read_text().strip()
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        seen = [json.dumps(x) for x in (health, models, plain, streamed)]
        async with httpx.AsyncClient() as c:
            url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/inference/models"
            r = await c.get(url, params=params, headers=jp_auth_header)
            seen += [r.text, json.dumps(dict(r.headers))]
        for path in (("jobs", job_id), ("inference", "servers"), ("jobs",)):
            seen.append(json.dumps((await api(*path))[1]))
        assert not any(token in text for text in seen)
        job = await wait_for(api, job_id, {"running"})
        procs = [psutil.Process(job["pid"]), *psutil.Process(job["pid"]).children(True)]
        for proc in procs:
            cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().decode()
            assert token not in cmdline
        assert any("forgather_lab.inference.server" in " ".join(p.cmdline()) for p in procs)
        assert token not in Path(job["log_path"]).read_text(errors="replace")
    finally:
        status, _killed = await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "failed", "done"})
    status, servers = await api("inference", "servers")
    assert job_id not in [s["job_id"] for s in servers["servers"]]


async def test_inference_job_validation(api: Any, tmp_path: Path) -> None:
    cases = [
        ({}, "exactly one of model_path or command"),
        ({"model_path": str(tmp_path)}, "not a transformers checkpoint"),
        ({"command": ["vllm", "serve"]}, "name the port"),
        ({"model_path": str(tmp_path), "host": "10.0.0.1"}, "host"),
        ({"model_path": str(tmp_path), "surprise": 1}, "surprise"),
    ]
    for params, message in cases:
        status, body = await api(
            "queue", method="POST", json_body={"job_type": "inference", "job_params": params}
        )
        assert status == 400, (params, body)
        assert message in body["message"], (params, body)


async def test_external_command_gets_token_file_not_token(api: Any, tmp_path: Path) -> None:
    """A foreign server command sees the token file's path in argv, never the token."""
    import socket
    import sys

    with socket.socket() as s:  # a port for the fake server to bind (test only)
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = tmp_path / "fake_server.py"
    script.write_text(
        "import sys, http.server, json\n"
        "token = open(sys.argv[2]).read().strip()\n"
        "class H(http.server.BaseHTTPRequestHandler):\n"
        "    def do_GET(self):\n"
        "        ok = self.path == '/health' or "
        "self.headers.get('Authorization') == 'Bearer ' + token\n"
        "        body = json.dumps({'data': [{'id': 'fake'}]} if ok else {}).encode()\n"
        "        self.send_response(200 if ok else 401); self.end_headers(); "
        "self.wfile.write(body)\n"
        "http.server.HTTPServer(('127.0.0.1', int(sys.argv[1])), H).serve_forever()\n"
    )
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "inference",
            "job_params": {
                "command": [sys.executable, str(script), "{port}", "{token_file}"],
                "port": port,
            },
        },
    )
    assert status == 201, job
    try:
        row = await wait_ready(api, job["id"], within=60)
        status, models = await api("inference", "models", params={"base": row["base_url"]})
        assert (status, models["data"][0]["id"]) == (200, "fake")
        job = await wait_for(api, job["id"], {"running"})
        cmdline = Path(f"/proc/{job['pid']}/cmdline").read_bytes()
        child = psutil.Process(job["pid"]).children()[0]
        token_path = Path(os.path.dirname(job["log_path"])) / "inference_token"
        token = token_path.read_text().strip()
        assert token.encode() not in cmdline
        assert token not in " ".join(child.cmdline())
        assert str(token_path) in child.cmdline()
    finally:
        await api("jobs", job["id"], "control", "kill", method="POST")


def test_supervisor_stop_leaves_no_task(tmp_path: Path) -> None:
    """Probes and end-of-job records are owned: stop() cancels and awaits every one."""

    async def scenario() -> None:
        db = Database(tmp_path / "state" / "forgather.db")
        db.open()
        bus = EventBus()
        job = await running_inference_job(db)
        supervisor = EndpointSupervisor(db, bus, lambda job_id: tmp_path / job_id)
        await supervisor.start()  # the running job has announced nothing: its probe waits
        await asyncio.sleep(0.2)
        (row,) = await supervisor.list_endpoints()
        assert (row.job_id, row.state) == (job.id, EndpointState.STARTING)
        others = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        assert len(others) == 1
        other = {"job_id": "zz", "status": "failed", "job": {"job_type": "tensorboard"}}
        bus.publish("job_status_changed", **other)  # an ended job's record, also owned
        await supervisor.stop()
        assert all(t.done() for t in others)
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
        bus.publish(
            "job_status_changed", job_id=job.id, status="running", job={"job_type": "inference"}
        )
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []
        db.close()

    asyncio.run(scenario())
