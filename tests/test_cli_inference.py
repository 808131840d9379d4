"""``forgather-lab inference serve|servers|chat`` against a real server and a tiny local model."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_server import LiveServer, wait_for
from inference_helpers import build_in_subprocess
from test_cli import cli, js, ok

from forgather_lab.client import Client

pytestmark = pytest.mark.timeout(420)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # The same path as the magics' tests: built once per session.
    return build_in_subprocess(tmp_path_factory.getbasetemp() / "tiny-gpt2-live")


def _ready(server: LiveServer, job_id: str) -> bool:
    rows = {r["job_id"]: r for r in js(server, "inference", "servers")}  # type: ignore[union-attr]
    row = rows.get(job_id)
    if row is None:
        status = Client(server.url, server.token).job(job_id).status
        assert status in {"queued", "starting", "running"}, f"job ended: {status}"
    return row is not None and row["state"] == "ready"


def test_serve_servers_chat_kill(live_server: LiveServer, tiny_model: Path) -> None:
    job = js(
        live_server,
        "inference",
        "serve",
        str(tiny_model),
        "--gpus",
        "0",
        "--device",
        "cpu",
        "--name",
        "cli-infer",
        "--priority",
        "2",
    )
    assert isinstance(job, dict)
    job_id = job["id"]
    assert (job["name"], job["priority"], job["job_type"]) == ("cli-infer", 2, "inference")
    try:
        wait_for(lambda: _ready(live_server, job_id), timeout=240, interval=0.5)
        table = ok(live_server, "inference", "servers")
        assert job_id in table
        assert "ready" in table

        # Greedy on a seeded random model: the same non-empty text every run (a
        # sampled reply from random weights may be nothing but an end token).
        reply = ok(
            live_server,
            "inference",
            "chat",
            job_id,
            "Hello",
            "--max-tokens",
            "8",
            "--temperature",
            "0",
        )
        assert reply.strip()
        answer = js(live_server, "inference", "chat", "Hi", "--preset", "greedy", "--system", "x")
        assert isinstance(answer, dict)
        assert answer["job_id"] == job_id  # the one ready server by default
        assert answer["reply"].strip()
        assert answer["base"].startswith("http://127.0.0.1:")

        r = cli(live_server, "inference", "chat", job_id, "x", "--preset", "no-such-preset")
        assert r.returncode == 1
        assert "404" in r.stderr
    finally:
        ok(live_server, "job", "kill", job_id)
    wait_for(lambda: job_id not in ok(live_server, "inference", "servers"), timeout=60)
    r = cli(live_server, "inference", "chat", job_id, "still there?")
    assert r.returncode == 1
    assert r.stderr.strip() == (
        f"forgather-lab: error: {job_id} is not a running inference server (see servers)"
    )


def test_chat_with_no_server_ready_exits_1(live_server: LiveServer) -> None:
    if js(live_server, "inference", "servers"):
        pytest.skip("another inference server is running")
    r = cli(live_server, "inference", "chat", "hello")
    assert r.returncode == 1
    assert "no inference server is ready" in r.stderr
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["inference"], "required"),
        (["inference", "serve"], "required: model_path"),
        (["inference", "serve", "/m", "--gpus", "-1"], "expected a number >= 0"),
        (["inference", "chat"], "required"),
        (["inference", "chat", "a", "b", "c"], "too many words"),
        (["inference", "chat", "hi", "--max-tokens", "0"], "expected a number >= 1"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], message: str) -> None:
    r = cli(None, *args)
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert "Traceback" not in r.stderr
