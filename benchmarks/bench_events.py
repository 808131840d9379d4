"""Event fan-out latency to 100 SSE subscribers of ``GET /forgather/api/events``.

Events are triggered by ``POST /queue/scheduler`` (each publishes
``scheduler_changed``); every subscriber stamps each event on arrival, and
the latency is arrival minus the event's own ``time`` (set when published,
same machine clock). The baseline is the same measurement with 1 subscriber
in the same run.
"""

from __future__ import annotations

import asyncio
import json
import time

import httpx

from ._common import TOKEN, Figure, ServerProcess, Settings, p, running_server


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


def run(settings: Settings) -> list[Figure]:
    events = settings.n(100, 30)
    with running_server(
        "--ForgatherLab.events_max_connections=200", "--ForgatherLab.scheduler_enabled=False"
    ) as srv:
        one = asyncio.run(_measure(srv, 1, events))
        many = asyncio.run(_measure(srv, 100, events))
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
            target="<= 50 ms",
            met=p(many_ms, 0.99) <= 50,
            note=f"median {p(many_ms, 0.5):.1f} ms; {events} events, "
            f"{delivered:.0%} of deliveries seen",
        )
    ]
