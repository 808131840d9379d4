"""WebSocket streams are capped per client address, across every job and the GPU stream.

Each open socket holds descriptors on the server (the socket, a followed log
file): one client opening hundreds would exhaust the server's files. One
more than ``streams_max_connections`` is refused at the handshake with a
JSON 429, and closing the sockets gives every descriptor back.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import psutil
import pytest
from jobs_helpers import command, wait_for
from tornado.httpclient import HTTPClientError
from tornado.websocket import WebSocketClientConnection

from forgather_lab.control.streams import ClientSlots, TooManyStreams

SLEEP = "import time; time.sleep(120)"
CLIENT = "127.0.0.1"


def _limit(runtime: Any) -> int:
    return int(runtime.settings.streams_max_connections)


async def _eventually(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.05)


async def _refused(opening: Any) -> dict[str, Any]:
    with pytest.raises(HTTPClientError) as info:
        await opening
    assert info.value.code == 429
    assert info.value.response is not None
    body: dict[str, Any] = json.loads(info.value.response.body)
    return body


async def test_one_client_gets_at_most_the_cap_across_jobs_and_gpus(
    jp_ws_fetch: Any, jp_serverapp: Any, api: Any
) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    slots = runtime.control.sockets
    limit = _limit(runtime)
    jobs = []
    for _ in range(2):
        _, job = await api("queue", method="POST", json_body=command(SLEEP))
        await wait_for(api, job["id"], {"running"})
        jobs.append(job["id"])

    def follow(job_id: str) -> Any:
        return jp_ws_fetch("forgather", "api", "jobs", job_id, "tty", params={"follow": "1"})

    def gpus() -> Any:
        return jp_ws_fetch("forgather", "api", "gpus", "stream")

    # Warm up (the sampler thread, lazily opened files) before counting descriptors.
    quiet = await follow(jobs[0])  # a sleeping job logs nothing: no message to wait for
    viewer = await gpus()
    await asyncio.wait_for(viewer.read_message(), 5)
    for ws in (quiet, viewer):
        ws.close()
    await _eventually(lambda: slots.count(CLIENT) == 0)
    await asyncio.sleep(0.5)
    server = psutil.Process()
    baseline = server.num_fds()

    openers = [lambda: follow(jobs[0]), lambda: follow(jobs[1]), gpus]
    sockets: list[WebSocketClientConnection] = []
    for i in range(limit):
        sockets.append(await openers[i % 3]())
    assert slots.count(CLIENT) == limit
    assert server.num_fds() > baseline

    # One more is refused, whichever stream it asks for: the cap is per client.
    for opener in openers:
        body = await _refused(opener())
        assert "Too many WebSocket streams" in body["message"]
        assert str(limit) in body["message"]
        assert body["reason"] == "too_many_streams"
    assert slots.count(CLIENT) == limit
    # The plain HTTP side of the same endpoints is not a stream and still answers.
    status, _ = await api("jobs", jobs[0], "tty")
    assert status == 200

    # Closing one gives its place back.
    sockets.pop().close()
    await _eventually(lambda: slots.count(CLIENT) == limit - 1)
    sockets.append(await gpus())
    assert slots.count(CLIENT) == limit

    for ws in sockets:
        ws.close()
    await _eventually(lambda: slots.count(CLIENT) == 0)
    # Every descriptor the streams held (sockets, followed logs) is released.
    await _eventually(lambda: server.num_fds() <= baseline, timeout=15)
    for job_id in jobs:
        await api("jobs", job_id, "control", "force-kill", method="POST")


async def test_a_refused_handshake_holds_no_slot(
    jp_ws_fetch: Any, jp_serverapp: Any, api: Any
) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    slots = runtime.control.sockets
    # Asked to upgrade, but the handshake itself fails (no "Connection: Upgrade"):
    # the slot taken for it is given back.
    for _ in range(3):
        status, _ = await api("gpus", "stream", headers={"Upgrade": "websocket"})
        assert status == 400
    # A job that does not exist is a 404 before any handshake.
    with pytest.raises(HTTPClientError) as info:
        await jp_ws_fetch("forgather", "api", "jobs", "nosuchjob", "tty", params={"follow": "1"})
    assert info.value.code == 404
    assert slots.count(CLIENT) == 0
    # A stream that ends by itself (a finished job's log) gives its slot back too.
    _, job = await api("queue", method="POST", json_body=command("print('bye')"))
    await wait_for(api, job["id"], {"done"})
    ws = await jp_ws_fetch("forgather", "api", "jobs", job["id"], "tty", params={"follow": "1"})
    while await ws.read_message() is not None:
        pass
    await _eventually(lambda: slots.count(CLIENT) == 0)


def test_slots_are_counted_per_client_and_released_once() -> None:
    slots = ClientSlots("things", "close one")
    held = [slots.acquire("10.0.0.1", 2) for _ in range(2)]
    with pytest.raises(TooManyStreams, match=r"Too many things open for this client \(2\)"):
        slots.acquire("10.0.0.1", 2)
    other = slots.acquire("10.0.0.2", 2)  # another address has its own count
    assert (slots.count("10.0.0.1"), slots.count("10.0.0.2"), slots.total()) == (2, 1, 3)
    held[0].release()
    held[0].release()  # twice is harmless: it does not free someone else's slot
    assert slots.count("10.0.0.1") == 1
    with slots.hold("10.0.0.1", 2):
        assert slots.count("10.0.0.1") == 2
    assert slots.count("10.0.0.1") == 1
    held[1].release()
    other.release()
    assert slots.total() == 0
