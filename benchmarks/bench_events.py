"""Event fan-out latency to 100 SSE subscribers of ``GET /forgather/api/events``.

Events are triggered by ``POST /queue/scheduler`` (each publishes
``scheduler_changed``); every subscriber (a bare socket reading lines, as a
browser's ``EventSource`` does, so that 100 of them in one Python process on
the server's two cores measure the server, not an HTTP client library)
stamps each event on arrival, and
the latency is arrival minus the event's own ``time`` (set when published,
same machine clock). The baseline is the same measurement with 1 subscriber
in the same run.

GPU viewers: 50 SSE subscribers of ``gpus_sampled`` for a few seconds with
``gpu_sample_interval=0.5``; the distinct samples they receive (by event id)
are counted against the number of intervals: one sampler serves every
viewer, so 50 viewers cost one sample per interval, not fifty.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from ._common import TOKEN, Figure, ServerProcess, Settings, p, running_server
from .profile import Profiler

TARGET_MS = 20.0
VIEWERS = 50
INTERVAL = 0.5


async def _sse_lines(url: str, query: str = "") -> tuple[Any, Any]:
    """A bare SSE subscriber (HTTP/1.0 over a socket, no client library): its reader,
    positioned after the headers, and its writer. The subscribers are on the server's
    machine, so their own cost is kept to reading lines, as a browser's EventSource."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    writer.write(
        f"GET /forgather/api/events{query} HTTP/1.0\r\nHost: {parts.netloc}\r\n"
        f"Authorization: token {TOKEN}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    status = await reader.readline()
    if b" 200 " not in status:
        raise RuntimeError(f"GET /events answered {status!r}")
    while (await reader.readline()).strip():
        pass
    return reader, writer


async def _subscriber(
    url: str, ready: asyncio.Event, lags: list[float], stop: asyncio.Event
) -> None:
    reader, writer = await _sse_lines(url)
    try:
        ready.set()
        while line := await reader.readline():
            if stop.is_set():
                return
            # Only the measured events are parsed; the rest are skipped unread.
            if line.startswith(b"data:") and b'"scheduler_changed"' in line:
                lags.append(time.time() - float(json.loads(line[5:])["time"]))
    finally:
        writer.close()


async def _measure(srv: ServerProcess, subscribers: int, events: int) -> list[float]:
    lags: list[float] = []
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in range(subscribers)]
    tasks = [asyncio.ensure_future(_subscriber(srv.url, r, lags, stop)) for r in readies]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    await asyncio.sleep(0.5)
    async with httpx.AsyncClient(headers={"Authorization": f"token {TOKEN}"}) as http:
        for i in range(events):
            await http.post(
                f"{srv.url}/forgather/api/queue/scheduler", json={"enabled": bool(i % 2)}
            )
            await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    stop.set()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return lags


async def _viewer(url: str, ready: asyncio.Event, seen: list[int]) -> None:
    reader, writer = await _sse_lines(url, "?types=gpus_sampled")
    try:
        ready.set()
        while line := await reader.readline():
            if line.startswith(b"data:"):
                event = json.loads(line[5:])
                if event.get("type") == "gpus_sampled":
                    seen.append(int(event["id"]))
    finally:
        writer.close()


async def _gpu_viewers(srv: ServerProcess, seconds: float) -> tuple[int, int, float]:
    """(distinct samples, intervals elapsed, samples each viewer received on average)."""
    seen: list[list[int]] = [[] for _ in range(VIEWERS)]
    readies = [asyncio.Event() for _ in range(VIEWERS)]
    tasks = [
        asyncio.ensure_future(_viewer(srv.url, r, s)) for r, s in zip(readies, seen, strict=True)
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 60)
    for s in seen:
        s.clear()
    started = time.monotonic()
    await asyncio.sleep(seconds)
    elapsed = time.monotonic() - started
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    distinct = len({i for s in seen for i in s})
    return distinct, round(elapsed / INTERVAL), sum(map(len, seen)) / VIEWERS


def run(settings: Settings) -> list[Figure]:
    events = settings.n(100, 30)
    with running_server(
        "--ForgatherLab.events_max_connections=200",
        "--ForgatherLab.scheduler_enabled=False",
        f"--ForgatherLab.gpu_sample_interval={INTERVAL}",
    ) as srv:
        one = asyncio.run(_measure(srv, 1, events))
        profile = os.environ.get("FORGATHER_BENCH_PROFILE")  # py-spy the 100-subscriber run
        profiler = Profiler(srv.pid, Path(profile) if profile else None, "events")
        many = asyncio.run(_measure(srv, 100, events))
        profiler.stop()
        samples, intervals, each = asyncio.run(_gpu_viewers(srv, settings.n(10, 4)))
    one_ms = [x * 1000 for x in one]
    many_ms = [x * 1000 for x in many]
    delivered = len(many) / (100 * events)
    return [
        Figure(
            "events",
            "fan-out p99 to 100 SSE subscribers",
            round(p(many_ms, 0.99), 1),
            "ms",
            baseline=f"1 subscriber p99 {p(one_ms, 0.99):.1f} ms",
            target=f"<= {TARGET_MS:g} ms",
            met=p(many_ms, 0.99) <= TARGET_MS,
            note=f"median {p(many_ms, 0.5):.1f} ms; {events} events, "
            f"{delivered:.0%} of deliveries seen",
        ),
        Figure(
            "events",
            f"GPU samples taken for {VIEWERS} viewers, per interval",
            round(samples / max(1, intervals), 2),
            "samples/interval",
            baseline=f"{samples} samples in {intervals} intervals of {INTERVAL:g} s; "
            f"each viewer got {each:.1f}",
            target="1 (one sampler for every viewer)",
            # A sample may land either side of the window's edges.
            met=samples <= intervals + 2,
            note=f"{VIEWERS} sampled per viewer would be {VIEWERS * intervals}",
        ),
    ]
