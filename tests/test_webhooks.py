"""Webhooks: a receiver on loopback gets a signed POST when a job ends, after a retry."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for
from tornado import httpserver, web
from tornado.testing import bind_unused_port

from forgather_lab.errors import BadRequest
from forgather_lab.events import EventBus
from forgather_lab.webhooks import Webhooks, read_secret, sign

SECRET = b"s3cret-key"


class Receiver(web.RequestHandler):
    def initialize(self, got: list[Any]) -> None:
        self.got = got

    def post(self) -> None:
        self.got.append((dict(self.request.headers), self.request.body))
        if len(self.got) == 1:  # the first delivery fails: the sender must retry
            self.set_status(503)
        self.finish("ok")


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[Any]]]:
    got: list[Any] = []
    sock, port = bind_unused_port()
    server = httpserver.HTTPServer(web.Application([("/hook", Receiver, {"got": got})]))
    server.add_sockets([sock])
    yield f"http://127.0.0.1:{port}/hook", got
    server.stop()


@pytest.fixture
def secret_file(tmp_path: Path) -> Path:
    path = tmp_path / "webhook.key"
    path.write_bytes(SECRET + b"\n")
    path.chmod(0o600)
    return path


@pytest.fixture
def forgather_config(
    forgather_config: dict[str, Any], receiver: Any, secret_file: Path
) -> dict[str, Any]:
    return {
        **forgather_config,
        "webhook_urls": [receiver[0]],
        "webhook_secret_file": str(secret_file),
    }


async def test_terminal_state_posts_a_signed_webhook_with_retry(api: Any, receiver: Any) -> None:
    _, got = receiver
    _, job = await api("queue", method="POST", json_body=command("import sys; sys.exit(2)"))
    await wait_for(api, job["id"], {"failed"})
    for _ in range(100):
        if len(got) >= 2:
            break
        await asyncio.sleep(0.05)
    assert len(got) == 2, got
    (h1, b1), (h2, body) = got
    assert b1 == body  # the retry is the same delivery
    assert h1["X-Forgather-Delivery"] == h2["X-Forgather-Delivery"]
    expected = "sha256=" + hmac.new(SECRET, body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h2["X-Forgather-Signature"], expected)
    assert h2["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["event"] == "job_finished"
    assert payload["job_id"] == job["id"]
    assert payload["status"] == "failed"
    assert payload["exit_code"] == 2
    assert "failed" in payload["message"]
    assert SECRET.decode() not in body.decode()


def test_secret_file_must_be_private(tmp_path: Path) -> None:
    path = tmp_path / "key"
    path.write_bytes(SECRET)
    path.chmod(0o644)
    with pytest.raises(BadRequest, match="chmod 600"):
        read_secret(path)
    path.chmod(0o600)
    assert read_secret(path) == SECRET
    with pytest.raises(BadRequest, match="Cannot read"):
        read_secret(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    os.chmod(empty, 0o600)
    with pytest.raises(BadRequest, match="empty"):
        read_secret(empty)
    assert sign(b"k", b"x") == "sha256=" + hmac.new(b"k", b"x", hashlib.sha256).hexdigest()


def test_close_cancels_pending_deliveries_and_stops_listening() -> None:
    async def scenario() -> None:
        bus = EventBus()
        # Port 1 refuses at once; the retry then sleeps long: the delivery stays pending.
        hooks = Webhooks(bus, ["http://127.0.0.1:1/hook"], SECRET, backoff=300)
        bus.publish("job_finished", job_id="j1", status="failed", name="n", message="m")
        bus.publish("job_finished", status="failed")  # malformed: logged, never raised
        await asyncio.sleep(0.2)
        pending = {t for t in asyncio.all_tasks() if t is not asyncio.current_task()}
        assert len(pending) == 1
        await hooks.close()
        assert all(t.cancelled() for t in pending)
        bus.publish("job_finished", job_id="j2", status="done")
        assert [t for t in asyncio.all_tasks() if t is not asyncio.current_task()] == []

    asyncio.run(scenario())
