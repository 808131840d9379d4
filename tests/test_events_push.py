"""The SSE stream as a bus listener: one publish reaches every open stream, in order,
and nothing a stream cannot send fails the publisher."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from forgather_lab.runtime import Runtime


@pytest.fixture
def forgather_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return {**forgather_config, "events_max_connections": 5}


@pytest.fixture
def events_url(jp_http_port: int, jp_base_url: str) -> str:
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/events"


async def _data(lines: Any, wanted: str) -> dict[str, Any]:
    async for line in lines:
        if line.startswith("data:") and wanted in line:
            return json.loads(line[5:])  # type: ignore[no-any-return]
    raise AssertionError("stream ended")


async def test_every_stream_gets_each_event_and_a_bad_one_fails_no_publisher(
    api: Any, jp_serverapp: Any, events_url: str, jp_auth_header: dict[str, str]
) -> None:
    runtime: Runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    assert (await api("health"))[0] == 200  # the server listens
    async with httpx.AsyncClient(timeout=20, headers=jp_auth_header) as http:
        # From the bus's last event on, so nothing published while a stream starts is missed.
        since = {"since": runtime.bus.last_id}
        streams = [http.stream("GET", events_url, params=since) for _ in range(3)]
        replies = [await s.__aenter__() for s in streams]
        try:
            lines = [r.aiter_lines() for r in replies]
            for each in lines:
                assert await asyncio.wait_for(each.__anext__(), 10) == "retry: 2000"
            for n in range(3):
                runtime.bus.publish("push_test", n=n)
            for each in lines:
                got = [(await _data(each, "push_test"))["n"] for _ in range(3)]
                assert got == [0, 1, 2]
            # Not JSON: the streams cannot send it, and the publisher must not notice.
            event = runtime.bus.publish("push_test", n=object())
            assert event.type == "push_test"
            runtime.bus.publish("after_bad", n=4)  # publishing still works
        finally:
            for s in streams:
                await s.__aexit__(None, None, None)
