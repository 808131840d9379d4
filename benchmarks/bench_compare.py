"""Compare at scale: ``GET /metrics/compare`` over 100 runs of 1,000,000 points each.

The state database is seeded before the server starts, as the reporter's
path would have written it: run 0's million points go through
``control.metrics.append`` (the callback's own function: points and
rollups in one transaction, in batches); every other run is run 0's curve
scaled and shifted (``value * a + b``, ``a > 0``) with ``INSERT ... SELECT``,
its rollups likewise, which are exactly the rollups ``append`` would have
computed for those points (a positive scale keeps each bucket's lowest and
highest point). Every point has a wall time (a step every 0.1 s, each run
starting an hour after the one before), as the callback stamps them. 10^8
points take a few minutes to seed and about 4 GB.

Then, through a real server, the 100-run compare (``keys=loss``,
``max_points=1000``) is timed against ``GET /health`` in the same run: the
first (cold) request, then the median and p99 of the next ones, on the step
axis; then the median and p99 on the wall-time axis (``axis=time``).
``FORGATHER_BENCH_PROFILE=DIR`` records the server with py-spy during the
step-axis compares after the first (``DIR/compare.txt``; summarised by
``python -m benchmarks.profile``).
"""

from __future__ import annotations

import functools
import math
import os
import random
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from forgather_lab.control import metrics
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.store import Database
from forgather_lab.store.db import DB_FILENAME, transaction

from ._common import Figure, ServerProcess, Settings, stats_ms
from .profile import Profiler

# The issue's "well under a second", as issue 18's performance work set it: a median of at
# most 250 ms and a p99 of at most 500 ms; the first request only under the second itself.
TARGET_MS = 1000.0
MEDIAN_MS = 250.0
P99_MS = 500.0
BATCH = 100_000
T0 = 1_780_000_000.0  # when run 0 started (unix seconds)
STEP_S = 0.1  # wall time between two steps


def _loss(step: int, rng: random.Random) -> float:
    # A decaying loss with noise and, now and then, a spike (what compare must keep).
    spike = 5.0 if rng.random() < 1e-5 else 0.0
    return 4.0 * math.exp(-step / 200_000) + 0.3 + 0.05 * rng.random() + spike


def seed(path: Path, runs: int, points: int) -> list[str]:
    """``runs`` finished jobs with ``points`` loss points each; their ids."""
    db = Database(path)
    db.open()
    try:
        ids = [
            db.call(
                functools.partial(
                    jobs_repo.insert,
                    name=f"run {i}",
                    job_type="command",
                    priority=0,
                    requested_gpus=0,
                    params={},
                )
            ).id
            for i in range(runs)
        ]
        db.call(
            lambda c: c.execute(
                "UPDATE jobs SET status = 'done', started_at = created_at, ended_at = created_at"
            )
        )
        rng = random.Random(18)
        first = ids[0]
        for start in range(0, points, BATCH):
            rows = [
                ("loss", s, _loss(s, rng), T0 + s * STEP_S)
                for s in range(start, min(points, start + BATCH))
            ]
            db.call(functools.partial(metrics.append, job_id=first, rows=rows))
        for n, job_id in enumerate(ids[1:], 1):
            a, b, dt = 1.0 + 0.01 * n, 0.001 * n, 3600.0 * n

            def copy(
                conn: sqlite3.Connection,
                job_id: str = job_id,
                a: float = a,
                b: float = b,
                dt: float = dt,
            ) -> None:
                with transaction(conn):
                    conn.execute(
                        "INSERT INTO metrics (job_id, name, step, value, time) "
                        "SELECT ?, name, step, value * ? + ?, time + ? FROM metrics "
                        "WHERE job_id = ?",
                        (job_id, a, b, dt, first),
                    )
                    conn.execute(
                        "INSERT INTO metric_rollups (job_id, name, width, bucket, min_step, "
                        "min_value, max_step, max_value, count, min_time, max_time) "
                        "SELECT ?, name, width, bucket, min_step, min_value * ? + ?, max_step, "
                        "max_value * ? + ?, count, min_time + ?, max_time + ? "
                        "FROM metric_rollups WHERE job_id = ?",
                        (job_id, a, b, a, b, dt, dt, first),
                    )

            db.call(copy)
        return ids
    finally:
        db.close()


def run(settings: Settings) -> list[Figure]:
    runs = settings.n(100, 20)
    points = settings.n(1_000_000, 100_000)
    repeats = settings.n(20, 5)
    base = Path(tempfile.mkdtemp(prefix="forgather-bench-compare-"))
    srv = ServerProcess(
        base, "--ForgatherLab.seed_examples=False", "--ForgatherLab.scheduler_enabled=False"
    )
    try:
        t0 = time.monotonic()
        ids = seed(srv.state / DB_FILENAME, runs, points)
        seeded_s = time.monotonic() - t0
        size_gb = (srv.state / DB_FILENAME).stat().st_size / 2**30
        t0 = time.monotonic()
        # Opening runs PRAGMA quick_check, which reads the whole (4 GB) database.
        srv.start(timeout=1800)
        start_s = time.monotonic() - t0
        params = {"jobs": ",".join(ids), "keys": "loss", "max_points": "1000"}

        def compare(axis: str = "step") -> float:
            t = time.perf_counter()
            reply = srv.get("metrics", "compare", params={**params, "axis": axis})
            took = time.perf_counter() - t
            assert reply.status_code == 200, reply.text[:500]
            body = reply.json()
            series = body["series"]
            assert len(series) == runs
            assert body["axis"] == axis
            assert not body["untimed"]
            assert all(2 <= len(s["loss"]) <= 1000 for s in series.values())
            return took

        def health() -> float:
            t = time.perf_counter()
            assert srv.get("health").status_code == 200
            return time.perf_counter() - t

        cold = compare()
        profile = os.environ.get("FORGATHER_BENCH_PROFILE")
        profiler = Profiler(srv.pid, Path(profile) if profile else None, "compare")
        warm = [compare() for _ in range(repeats)]
        profiler.stop()
        base_s = [health() for _ in range(repeats)]
        timed = [compare("time") for _ in range(repeats)]
    finally:
        srv.stop()
        srv.kill_jobs()
        shutil.rmtree(base, ignore_errors=True)
    w, h, tw = stats_ms(warm), stats_ms(base_s), stats_ms(timed)
    ratio = w["median_ms"] / h["median_ms"]
    size = f"{runs} runs x {points:,} points"
    note = (
        f"seeded in {seeded_s:.0f} s, {size_gb:.1f} GB; server start {start_s:.0f} s; "
        "max_points=1000"
    )
    return [
        Figure(
            "compare",
            f"GET /metrics/compare, {size}, median",
            w["median_ms"],
            "ms",
            baseline=f"GET /health {h['median_ms']:.1f} ms (x{ratio:.0f})",
            target=f"<= {MEDIAN_MS:.0f} ms",
            met=w["median_ms"] <= MEDIAN_MS,
            note=note,
            raw={"warm": w, "health": h, "cold_ms": round(cold * 1000, 1), "seed_s": seeded_s},
        ),
        Figure(
            "compare",
            f"GET /metrics/compare, {size}, p99",
            w["p99_ms"],
            "ms",
            baseline=f"GET /health p99 {h['p99_ms']:.1f} ms",
            target=f"<= {P99_MS:.0f} ms",
            met=w["p99_ms"] <= P99_MS,
            note=f"{repeats} requests after the first",
        ),
        Figure(
            "compare",
            f"GET /metrics/compare, {size}, first request (cold)",
            round(cold * 1000, 1),
            "ms",
            target=f"< {TARGET_MS:.0f} ms",
            met=cold * 1000 < TARGET_MS,
            note="right after the server started (page cache warm from seeding)",
        ),
        Figure(
            "compare",
            f"GET /metrics/compare?axis=time, {size}, median",
            tw["median_ms"],
            "ms",
            baseline=f"step axis {w['median_ms']:.0f} ms",
            target=f"<= {MEDIAN_MS:.0f} ms",
            met=tw["median_ms"] <= MEDIAN_MS,
            note=f"p99 {tw['p99_ms']:.0f} ms over {repeats} requests",
            raw={"warm": tw},
        ),
    ]
