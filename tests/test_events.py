"""The SSE event stream and the same events on Jupyter's event system."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from jobs_helpers import command, wait_for

from forgather_lab.control.streams import TooManyStreams
from forgather_lab.events import EventBus
from forgather_lab.handlers.events import EventsHandler
from forgather_lab.jupyter_events import JOB_SCHEMA, SERVER_SCHEMA, bridge
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings


@pytest.fixture
def forgather_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return {**forgather_config, "events_max_connections": 2, "events_heartbeat": 0.3}


@pytest.fixture
def events_url(jp_http_port: int, jp_base_url: str) -> str:
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/events"


@contextlib.asynccontextmanager
async def sse(
    url: str, auth: dict[str, str], last_id: int | None = None, **params: Any
) -> AsyncIterator[tuple[httpx.Response, AsyncIterator[dict[str, Any]]]]:
    """A real SSE client: yields the response and an iterator of parsed messages."""
    headers = dict(auth)
    if last_id is not None:
        headers["Last-Event-ID"] = str(last_id)
    async with (
        httpx.AsyncClient(timeout=20) as client,
        client.stream("GET", url, headers=headers, params=params) as response,
    ):

        async def messages() -> AsyncIterator[dict[str, Any]]:
            message: dict[str, Any] = {}
            async for line in response.aiter_lines():
                if line == "":
                    if message:
                        yield message
                    message = {}
                elif line.startswith(":"):
                    message["comment"] = line[1:].strip()
                else:
                    field, _, value = line.partition(":")
                    message[field] = value.lstrip()

        yield response, messages()


async def _statuses(messages: AsyncIterator[dict[str, Any]], job_id: str) -> list[Any]:
    """Read until the job's job_finished event; returns (id, status) of its changes."""
    seen: list[Any] = []
    async for message in messages:
        if "data" not in message:
            continue
        event = json.loads(message["data"])
        assert int(message["id"]) == event["id"]
        if event.get("job_id") != job_id:
            continue
        if event["type"] == "job_status_changed":
            seen.append((event["id"], event["status"]))
        if event["type"] == "job_finished":
            assert event["status"] == "done"
            assert "finished" in event["message"]
            return seen
    raise AssertionError(f"stream ended; saw {seen}")


async def test_sse_sees_status_changes_in_order_and_resumes(
    api: Any, events_url: str, jp_auth_header: dict[str, str]
) -> None:
    async with sse(events_url, jp_auth_header) as (response, messages):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        _, job = await api("queue", method="POST", json_body=command("print('hi')"))
        seen = await asyncio.wait_for(_statuses(messages, job["id"]), 20)
    assert [s for _, s in seen] == ["starting", "running", "done"]
    assert [i for i, _ in seen] == sorted(i for i, _ in seen)
    last_id = seen[0][0]  # pretend the client dropped right after the first change

    # While disconnected a second job runs; reconnecting with Last-Event-ID
    # replays everything after it: the rest of job 1, then all of job 2.
    _, job2 = await api("queue", method="POST", json_body=command("print('two')"))
    await wait_for(api, job2["id"], {"done"})
    async with sse(events_url, jp_auth_header, last_id=last_id) as (_, messages):
        replay = []
        async for message in messages:
            if "data" in message:
                event = json.loads(message["data"])
                replay.append(event)
                if event["type"] == "job_finished" and event["job_id"] == job2["id"]:
                    break
    assert replay[0]["id"] == last_id + 1
    assert [e["id"] for e in replay] == list(range(last_id + 1, last_id + 1 + len(replay)))
    changes = [(e["job_id"], e["status"]) for e in replay if e["type"] == "job_status_changed"]
    assert changes == [
        (job["id"], "running"),
        (job["id"], "done"),
        (job2["id"], "starting"),
        (job2["id"], "running"),
        (job2["id"], "done"),
    ]


async def test_since_query_types_filter_and_heartbeat(
    api: Any, events_url: str, jp_auth_header: dict[str, str]
) -> None:
    _, job = await api("queue", method="POST", json_body=command("pass"))
    await wait_for(api, job["id"], {"done"})
    async with sse(events_url, jp_auth_header, since=0, types="job_finished") as (_, messages):
        first = await asyncio.wait_for(messages.__anext__(), 5)
        assert first == {"retry": "2000"}
        event = json.loads((await asyncio.wait_for(messages.__anext__(), 5))["data"])
        assert event["type"] == "job_finished"
        assert event["job"]["id"] == job["id"]
        beat = await asyncio.wait_for(messages.__anext__(), 5)
        assert beat == {"comment": "keep-alive"}


async def test_connection_limit_and_bad_input(
    api: Any, events_url: str, jp_auth_header: dict[str, str]
) -> None:
    async with (
        sse(events_url, jp_auth_header) as (r1, _),
        sse(events_url, jp_auth_header) as (r2, _),
    ):
        assert (r1.status_code, r2.status_code) == (200, 200)
        async with sse(events_url, jp_auth_header) as (r3, _):
            assert r3.status_code == 429
            body = json.loads(await r3.aread())
            assert "Too many event streams" in body["message"]
    await asyncio.sleep(0.2)  # the server notices the closed streams
    async with sse(events_url, jp_auth_header) as (r4, _):
        assert r4.status_code == 200
    async with sse(events_url, jp_auth_header, last_id="x") as (r5, _):  # type: ignore[arg-type]
        assert r5.status_code == 400
    code, _ = await api("events", params={"since": -1})
    assert code == 400
    async with sse(events_url, {}) as (r6, _):
        assert r6.status_code in {401, 403}


async def test_two_servers_in_one_process_count_their_own_streams(tmp_path: Path) -> None:
    runtimes = [
        Runtime(ForgatherLabSettings(state_dir=str(tmp_path / name), gpu_backend="simulated"))
        for name in ("a", "b")
    ]
    client = "10.0.0.7"
    try:
        a, b = (r.control.streams for r in runtimes)
        with a.open(client, limit=1):
            with pytest.raises(TooManyStreams, match="Too many event streams"), a.open(client, 1):
                pass
            with b.open(client, limit=1):  # the other server's limit is its own
                assert (a.count(client), b.count(client)) == (1, 1)
            assert b.count(client) == 0
        assert a.count(client) == 0
        with a.open(client, limit=1):  # a closed stream frees its place
            pass
    finally:
        for runtime in runtimes:
            await runtime.stop()
    # Nothing shared hides on the handler class either.
    assert not [v for v in vars(EventsHandler).values() if isinstance(v, Counter)]


async def _first(messages: AsyncIterator[dict[str, Any]], type_: str) -> dict[str, Any]:
    async for message in messages:
        if "data" in message and json.loads(message["data"])["type"] == type_:
            return json.loads(message["data"])  # type: ignore[no-any-return]
    raise AssertionError(f"stream ended before a {type_}")


async def test_gpu_samples_only_for_streams_that_name_them(
    api: Any, events_url: str, jp_auth_header: dict[str, str]
) -> None:
    async with (
        sse(events_url, jp_auth_header) as (_, everything),
        sse(events_url, jp_auth_header, types="gpus_sampled") as (_, samples),
    ):
        # Naming the type keeps the sampler running: a sample comes at once.
        sample = await asyncio.wait_for(_first(samples, "gpus_sampled"), 10)
        assert len(sample["gpus"]) == 4
        assert "id" in sample
        _, job = await api("queue", method="POST", json_body=command("pass"))
        seen: list[str] = []
        async for message in everything:
            if "data" not in message:
                continue
            event = json.loads(message["data"])
            seen.append(event["type"])
            if event["type"] == "job_finished" and event["job_id"] == job["id"]:
                break
        # The job's start and end resampled the pool meanwhile; a state-change
        # stream saw none of it.
        await asyncio.wait_for(_first(samples, "gpus_sampled"), 10)
    assert "job_status_changed" in seen
    assert "gpus_sampled" not in seen


async def test_events_on_jupyter_event_system(api: Any, jp_serverapp: Any) -> None:
    got: list[tuple[str, dict[str, Any]]] = []

    async def listener(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        got.append((schema_id, data))

    logger = jp_serverapp.event_logger
    logger.add_listener(schema_id=JOB_SCHEMA, listener=listener)
    logger.add_listener(schema_id=SERVER_SCHEMA, listener=listener)
    try:
        _, job = await api("queue", method="POST", json_body=command("pass"))
        await wait_for(api, job["id"], {"done"})
        for _ in range(50):
            if any(d["type"] == "job_finished" for _, d in got):
                break
            await asyncio.sleep(0.05)
    finally:
        logger.remove_listener(listener=listener)
    statuses = [
        d["status"] for s, d in got if s == JOB_SCHEMA and d["type"] == "job_status_changed"
    ]
    assert statuses == ["starting", "running", "done"]
    assert any(s == SERVER_SCHEMA and d["type"] == "queue_changed" for s, d in got)
    finished = next(d for _, d in got if d["type"] == "job_finished")
    assert finished["job_id"] == job["id"]
    assert finished["data"]["message"].endswith("finished")


async def test_bridge_builds_nothing_for_a_logger_nobody_hears() -> None:
    from jupyter_events import EventLogger

    emitted: list[str] = []

    class CountingLogger(EventLogger):  # type: ignore[misc]
        def emit(self, *, schema_id: str, data: dict[str, Any], **kw: Any) -> Any:
            emitted.append(data["type"])
            return super().emit(schema_id=schema_id, data=data, **kw)

    async def listener(logger: Any, schema_id: str, data: dict[str, Any]) -> None:
        pass

    logger = CountingLogger()
    bus = EventBus()
    stop = bridge(logger, bus)
    try:
        bus.publish("job_queued", job_id="j1", job={})
        bus.publish("queue_changed")
        assert emitted == []  # nobody listens: no capsule, no emit
        logger.add_listener(schema_id=JOB_SCHEMA, listener=listener)
        bus.publish("job_queued", job_id="j2", job={})
        bus.publish("queue_changed")  # the server schema still has no listener
        assert emitted == ["job_queued"]
    finally:
        stop()
        await asyncio.sleep(0.05)  # the listener's task, scheduled by emit
