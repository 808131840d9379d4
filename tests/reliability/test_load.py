"""50 concurrent clients listing and following for 60 s (10 s by default): zero errors.

40 clients cycle through the read endpoints a panel polls (job list, one job,
the queue, the GPUs); 10 follow a chatty job's log over WebSocket, closing
and reopening every second or two so connection setup is part of the load.
Every request's latency is recorded; p50 / p99 are reported, not asserted
(speed is the benchmarks' business, robustness is this test's).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from dataclasses import dataclass, field

import httpx
import pytest
from server_process import TOKEN, ServerProcess
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from .conftest import FIGURES, FULL

DURATION = 60.0 if FULL else 10.0
LISTERS = 40
FOLLOWERS = 10
HISTORY = 300  # finished jobs in the list, so pages are real pages
CHATTY = "import time\nwhile True:\n    print('x' * 80, flush=True)\n    time.sleep(0.002)"


@dataclass
class Tally:
    """Latencies (seconds) by kind and every error seen."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float) -> None:
        self.latencies.setdefault(kind, []).append(seconds)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def lister(server: ServerProcess, job_ids: list[str], tally: Tally, stop: float) -> None:
    paths = ["jobs?limit=50", "jobs?status=done&limit=20&offset=20", "queue", "gpus"]
    async with httpx.AsyncClient(
        base_url=server.url + "/forgather/api/",
        headers={"Authorization": f"token {TOKEN}"},
        timeout=30,
    ) as http:
        n = 0
        while time.monotonic() < stop:
            path = paths[n % len(paths)] if n % 5 else f"jobs/{job_ids[n % len(job_ids)]}"
            n += 1
            started = time.monotonic()
            try:
                reply = await http.get(path)
            except httpx.HTTPError as e:
                tally.errors.append(f"GET {path}: {e!r}")
                continue
            tally.add(path.split("?")[0].split("/")[0], time.monotonic() - started)
            if reply.status_code != 200:
                tally.errors.append(f"GET {path}: {reply.status_code} {reply.text[:200]}")


async def follower(server: ServerProcess, job_id: str, tally: Tally, stop: float, n: int) -> None:
    url = server.url.replace("http", "ws", 1) + f"/forgather/api/jobs/{job_id}/tty?follow=1"
    while time.monotonic() < stop:
        started = time.monotonic()
        try:
            conn = await websocket_connect(
                HTTPRequest(url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=30)
            )
            first = await asyncio.wait_for(conn.read_message(), 10)
            tally.add("follow (connect to first frame)", time.monotonic() - started)
            if first is None:
                tally.errors.append("follow: closed before any frame")
                continue
            until = time.monotonic() + 1.0 + (n % 3) * 0.5
            while time.monotonic() < min(until, stop):
                msg = await asyncio.wait_for(conn.read_message(), 10)
                if msg is None:
                    tally.errors.append("follow: closed while the job runs")
                    break
            conn.close()
        except Exception as e:  # any failure of a follower is an error to report
            tally.errors.append(f"follow: {e!r}")


async def load(server: ServerProcess, job_ids: list[str], chatty: str) -> Tally:
    tally = Tally()
    stop = time.monotonic() + DURATION
    await asyncio.gather(
        *(lister(server, job_ids, tally, stop) for _ in range(LISTERS)),
        *(follower(server, chatty, tally, stop, i) for i in range(FOLLOWERS)),
    )
    return tally


@pytest.mark.timeout(DURATION + 240)
def test_50_clients_listing_and_following_see_no_errors(server: ServerProcess) -> None:
    server.start()
    # History: HISTORY finished jobs (written while the scheduler is paused, then run).
    server.post("queue", "scheduler", json={"enabled": False})
    with httpx.Client(headers={"Authorization": f"token {TOKEN}"}, timeout=30) as http:
        ids = [
            http.post(
                server.url + "/forgather/api/queue",
                json={"job_type": "command", "job_params": {"argv": ["true"]}},
            ).json()["id"]
            for _ in range(HISTORY)
        ]
    chatty = server.post(
        "queue",
        json={"job_type": "command", "job_params": {"argv": [sys.executable, "-c", CHATTY]}},
    ).json()["id"]
    server.post("queue", "scheduler", json={"enabled": True})
    server.wait_job(chatty, {"running"}, timeout=60)
    server.wait_job(ids[-1], {"done"}, timeout=120)

    tally = asyncio.run(load(server, ids, chatty))

    figures = {
        kind: {
            "requests": len(values),
            "p50_ms": round(statistics.median(values) * 1000, 1),
            "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        }
        for kind, values in sorted(tally.latencies.items())
    }
    every = [v for values in tally.latencies.values() for v in values]
    FIGURES["load"] = {
        "clients": LISTERS + FOLLOWERS,
        "seconds": DURATION,
        "errors": len(tally.errors),
        "requests": len(every),
        "p99_ms": round(percentile(every, 0.99) * 1000, 1),
        "by_kind": figures,
    }
    assert not tally.errors, f"{len(tally.errors)} errors, e.g. {tally.errors[:5]}"
    assert server.post("jobs", chatty, "control", "force-kill").status_code == 200
