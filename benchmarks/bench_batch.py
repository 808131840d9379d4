"""``POST /queue/batch``: jobs/s for batches of 1,000, against single ``POST /queue``.

The scheduler is paused (nothing spawns): this is validation, the one
transaction of the batch, the records coming back and their JSON. Baselines
in the same run: one-by-one ``POST /queue`` from one client, and ``GET
/health`` (the cheapest authenticated request).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import httpx

from ._common import TOKEN, Figure, Settings, running_server, stats_ms
from .profile import Profiler

TARGET = 10_000.0
BATCH = 1000
JOB = {"job_type": "command", "job_params": {"argv": ["true"]}, "requested_gpus": 1}


def run(settings: Settings) -> list[Figure]:
    batches = settings.n(20, 5)
    singles = settings.n(300, 100)
    with (
        running_server("--ForgatherLab.scheduler_enabled=False") as srv,
        httpx.Client(
            base_url=srv.url, headers={"Authorization": f"token {TOKEN}"}, timeout=120
        ) as http,
    ):
        body = {"jobs": [JOB] * BATCH}
        http.post("/forgather/api/queue/batch", json=body).raise_for_status()  # warm up
        took = []
        profile = os.environ.get("FORGATHER_BENCH_PROFILE")  # py-spy the batches
        profiler = Profiler(srv.pid, Path(profile) if profile else None, "batch")
        for _ in range(batches):
            t = time.perf_counter()
            reply = http.post("/forgather/api/queue/batch", json=body)
            took.append(time.perf_counter() - t)
            assert reply.status_code == 201, reply.text[:300]
            assert len(reply.json()["jobs"]) == BATCH
        profiler.stop()
        t = time.perf_counter()
        for _ in range(singles):
            http.post("/forgather/api/queue", json=JOB).raise_for_status()
        single_rate = singles / (time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(singles):
            http.get("/forgather/api/health").raise_for_status()
        health_rate = singles / (time.perf_counter() - t)
    s = stats_ms(took)
    rate = BATCH / (s["median_ms"] / 1000)
    return [
        Figure(
            "batch",
            f"POST /queue/batch, batches of {BATCH:,}",
            round(rate),
            "jobs/s",
            baseline=f"one-by-one POST /queue {single_rate:,.0f} jobs/s "
            f"(x{rate / single_rate:.0f}); GET /health {health_rate:,.0f}/s",
            target=f">= {TARGET:,.0f} jobs/s",
            met=rate >= TARGET,
            note=f"median {s['median_ms']:.0f} ms per batch, p99 {s['p99_ms']:.0f} ms "
            f"(n={batches})",
            raw={"batch": s, "single_per_s": single_rate, "health_per_s": health_rate},
        )
    ]
