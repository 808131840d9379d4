"""Submission throughput over HTTP (1 and 16 clients) and GET /jobs at 10,000 jobs of history.

The scheduler is paused so nothing spawns: this measures the API and the
durable insert. The baseline is the same clients hammering ``GET /health``
(auth, routing, JSON, no database write) in the same run, so the ratio shows
what an enqueue costs over the cheapest authenticated request, whatever the
client-side ceiling of a shared 2-core machine is. The 16-client run keeps
going until the history holds 10,000 jobs; then list pages are timed
against ``GET /health`` latency.
"""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import httpx

from ._common import TOKEN, Figure, Settings, running_server, stats_ms
from .profile import Profiler

BODY = {"job_type": "command", "job_params": {"argv": ["true"]}}


async def _hammer(url: str, clients: int, total: int, post: bool) -> tuple[float, int]:
    """``total`` requests spread over ``clients`` connections; returns (seconds, errors)."""
    errors = 0

    async def one(count: int) -> None:
        nonlocal errors
        async with httpx.AsyncClient(
            headers={"Authorization": f"token {TOKEN}"}, timeout=60
        ) as http:
            for _ in range(count):
                if post:
                    reply = await http.post(f"{url}/forgather/api/queue", json=BODY)
                else:
                    reply = await http.get(f"{url}/forgather/api/health")
                errors += reply.status_code >= 400

    started = time.perf_counter()
    share = [total // clients + (i < total % clients) for i in range(clients)]
    await asyncio.gather(*(one(c) for c in share))
    return time.perf_counter() - started, errors


def _latencies(url: str, path: str, n: int) -> list[float]:
    samples = []
    with httpx.Client(headers={"Authorization": f"token {TOKEN}"}, timeout=30) as http:
        for _ in range(n):
            t0 = time.perf_counter()
            http.get(f"{url}/forgather/api/{path}").raise_for_status()
            samples.append(time.perf_counter() - t0)
    return samples


def _profile_dir() -> Path | None:
    """``FORGATHER_BENCH_PROFILE=DIR``: py-spy the server during the 16-client submissions."""
    profile = os.environ.get("FORGATHER_BENCH_PROFILE")
    return Path(profile) if profile else None


def run(settings: Settings) -> list[Figure]:
    history = settings.n(10_000, 2_000)
    figures: list[Figure] = []
    raw: dict[str, Any] = {}
    with running_server("--ForgatherLab.scheduler_enabled=False") as srv:
        asyncio.run(_hammer(srv.url, 4, 100, post=False))  # warm up
        submitted = 0
        for clients, total in ((1, settings.n(1000, 300)), (16, settings.n(3000, 800))):
            base_s, _ = asyncio.run(_hammer(srv.url, clients, total, post=False))
            profiler = Profiler(srv.pid, _profile_dir() if clients > 1 else None, "submission")
            took, errors = asyncio.run(_hammer(srv.url, clients, total, post=True))
            profiler.stop()
            submitted += total
            rate, base_rate = total / took, total / base_s
            raw[f"{clients}_clients"] = {
                "jobs": total,
                "jobs_per_s": round(rate, 1),
                "health_per_s": round(base_rate, 1),
                "errors": errors,
            }
            figures.append(
                Figure(
                    "submission",
                    f"POST /queue, {clients} client{'s' if clients > 1 else ''}",
                    round(rate, 1),
                    "jobs/s",
                    baseline=f"GET /health {base_rate:.0f}/s (x{rate / base_rate:.2f})",
                    target=">= 0.9 x GET /health" if clients == 16 else "",
                    met=rate >= 0.9 * base_rate if clients == 16 else None,
                    note=f"{errors} errors" if errors else "",
                    raw=raw if clients == 16 else {},
                )
            )
        # Fill the history up to `history` jobs, then time list pages.
        if history > submitted:
            asyncio.run(_hammer(srv.url, 16, history - submitted, post=True))
        n = settings.n(300, 100)
        health = stats_ms(_latencies(srv.url, "health", n))
        pages = {
            "first page (limit=50)": "jobs?limit=50",
            "deep page (offset=9000)": f"jobs?limit=50&offset={int(history * 0.9)}",
            "filtered (status=queued)": "jobs?status=queued&limit=50",
        }
        for label, path in pages.items():
            s = stats_ms(_latencies(srv.url, path, n))
            figures.append(
                Figure(
                    "list",
                    f"GET /jobs {label}, {history:,} jobs",
                    s["median_ms"],
                    "ms median",
                    baseline=f"GET /health {health['median_ms']:.1f} ms",
                    target="<= 20 ms" if "first" in label else "",
                    met=s["median_ms"] <= 20 if "first" in label else None,
                    note=f"p99 {s['p99_ms']:.1f} ms",
                    raw={"page": s, "health": health},
                )
            )
    return figures
