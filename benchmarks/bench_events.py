"""Event fan-out latency to 100 SSE subscribers of ``GET /forgather/api/events``.

Events are triggered by ``POST /queue/scheduler`` (each publishes
``scheduler_changed``); every subscriber stamps each event on arrival, and
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
import time

import httpx

from ._common import TOKEN, Figure, ServerProcess, Settings, p, running_server

TARGET_MS = 20.0
VIEWERS = 50
INTERVAL = 0.5


async def _subscriber(
    url: str, ready: asyncio.Event, lags: list[float], stop: asyncio.Event
) -> None:
    async with (
        httpx.AsyncClient(headers={"Authorization": f"token {TOKEN}"}, timeout=None) as http,
        http.stream("GET", f"{url}/forgather/api/events") as reply,
    ):
        reply.raise_for_status()
        ready.set()
        async for line in reply.aiter_lines():
            if stop.is_set():
                return
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("type") == "scheduler_changed":
                    lags.append(time.time() - float(event["time"]))


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
    async with (
        httpx.AsyncClient(headers={"Authorization": f"token {TOKEN}"}, timeout=None) as http,
        http.stream("GET", f"{url}/forgather/api/events", params={"types": "gpus_sampled"}) as r,
    ):
        r.raise_for_status()
        ready.set()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                event = json.loads(line[5:])
                if event.get("type") == "gpus_sampled":
                    seen.append(int(event["id"]))


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
        many = asyncio.run(_measure(srv, 100, events))
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
