"""Under load: 50 clients listing, following and submitting for 60 s (10 s with --quick).

30 clients cycle through what a panel polls (the job list, a filtered page,
one job, the queue, the GPUs); 10 follow a chatty job's log over WebSocket,
reconnecting every second or two; 10 submit jobs one by one (``POST
/queue``, the scheduler paused after the chatty job started, so the queue
grows as it would behind busy GPUs). Every request's latency is recorded by
kind; the target is zero errors and p99 at most 250 ms for every kind. The
baseline is ``GET /health`` latency from one client on the idle server in
the same run.
"""

from __future__ import annotations

import asyncio
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from ._common import TOKEN, Figure, ServerProcess, Settings, running_server, stats_ms
from .profile import Profiler

TARGET_MS = 250.0
LISTERS, FOLLOWERS, SUBMITTERS = 30, 10, 10
CHATTY = "import time\nwhile True:\n    print('x' * 80, flush=True)\n    time.sleep(0.002)"


@dataclass
class Tally:
    """Latencies (seconds) by kind and every error seen."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


def _http(srv: ServerProcess) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=srv.url + "/forgather/api/",
        headers={"Authorization": f"token {TOKEN}"},
        timeout=60,
    )


async def _lister(srv: ServerProcess, job_id: str, tally: Tally, stop: float) -> None:
    paths = ["jobs?limit=50", "jobs?status=queued&limit=20&offset=20", "queue", "gpus"]
    async with _http(srv) as http:
        n = 0
        while time.monotonic() < stop:
            path = paths[n % len(paths)] if n % 5 else f"jobs/{job_id}"
            n += 1
            kind = "GET " + path.split("?")[0].split("/")[0]
            started = time.monotonic()
            try:
                reply = await http.get(path)
            except httpx.HTTPError as e:
                tally.errors.append(f"GET {path}: {e!r}")
                continue
            tally.add(kind, time.monotonic() - started)
            if reply.status_code != 200:
                tally.errors.append(f"GET {path}: {reply.status_code} {reply.text[:200]}")


async def _submitter(srv: ServerProcess, tally: Tally, stop: float) -> None:
    body = {"job_type": "command", "job_params": {"argv": ["true"]}}
    async with _http(srv) as http:
        while time.monotonic() < stop:
            started = time.monotonic()
            try:
                reply = await http.post("queue", json=body)
            except httpx.HTTPError as e:
                tally.errors.append(f"POST /queue: {e!r}")
                continue
            tally.add("POST queue", time.monotonic() - started)
            if reply.status_code != 201:
                tally.errors.append(f"POST /queue: {reply.status_code} {reply.text[:200]}")


async def _follower(srv: ServerProcess, job_id: str, tally: Tally, stop: float, n: int) -> None:
    url = srv.url.replace("http", "ws", 1) + f"/forgather/api/jobs/{job_id}/tty?follow=1"
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            conn = await websocket_connect(
                HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=30)
            )
            first = await asyncio.wait_for(conn.read_message(), 30)
            tally.add("follow (connect to first frame)", time.monotonic() - started)
            if first is None:
                tally.errors.append("follow: closed before any frame")
                continue
            until = time.monotonic() + 1.0 + (n % 3) * 0.5
            while time.monotonic() < min(until, stop):
                if await asyncio.wait_for(conn.read_message(), 30) is None:
                    tally.errors.append("follow: closed while the job runs")
                    break
            conn.close()
        except Exception as e:  # any failure of a follower is an error to report
            tally.errors.append(f"follow: {e!r}")


async def _load(srv: ServerProcess, chatty: str, seconds: float) -> Tally:
    tally = Tally()
    stop = time.monotonic() + seconds
    await asyncio.gather(
        *(_lister(srv, chatty, tally, stop) for _ in range(LISTERS)),
        *(_follower(srv, chatty, tally, stop, i) for i in range(FOLLOWERS)),
        *(_submitter(srv, tally, stop) for _ in range(SUBMITTERS)),
    )
    return tally


def run(settings: Settings) -> list[Figure]:
    seconds = float(settings.n(60, 10))
    with running_server() as srv:
        body = {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", CHATTY]}}
        chatty = srv.post("queue", json=body).json()["id"]
        srv.wait_job(chatty, {"running"}, timeout=60)
        srv.post("queue", "scheduler", json={"enabled": False})
        health = []
        for _ in range(100):
            t = time.perf_counter()
            srv.get("health")
            health.append(time.perf_counter() - t)
        profile = os.environ.get("FORGATHER_BENCH_PROFILE")  # py-spy the server under load
        profiler = Profiler(srv.pid, Path(profile) if profile else None, "load")
        tally = asyncio.run(_load(srv, chatty, seconds))
        profiler.stop()
        queued = len(srv.get("queue").json()["jobs"])
    base = stats_ms(health)
    every = [v for values in tally.latencies.values() for v in values]
    figures = [
        Figure(
            "load",
            f"{LISTERS + FOLLOWERS + SUBMITTERS} clients for {seconds:.0f} s: errors",
            float(len(tally.errors)),
            "errors",
            baseline=f"{len(every):,} requests ({len(every) / seconds:,.0f}/s); "
            f"{queued:,} jobs queued at the end",
            target="0",
            met=not tally.errors,
            note="; ".join(tally.errors[:3])[:300],
            raw={"errors": tally.errors[:50]},
        )
    ]
    for kind, values in sorted(tally.latencies.items()):
        s = stats_ms(values)
        figures.append(
            Figure(
                "load",
                f"p99 {kind}",
                s["p99_ms"],
                "ms",
                baseline=f"idle GET /health {base['median_ms']:.1f} ms (p99 {base['p99_ms']:.1f})",
                target=f"<= {TARGET_MS:g} ms",
                met=s["p99_ms"] <= TARGET_MS,
                note=f"median {s['median_ms']:.1f} ms; {len(values):,} requests",
                raw=s,
            )
        )
    return figures
