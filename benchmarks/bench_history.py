"""History at scale: ``GET /jobs`` pages with 1,000,000 jobs in the state database.

The database is seeded before the server starts, through the real schema
(``Database.open`` runs the migrations): 1,000,000 job rows shaped like a
real history (a command with arguments, a log path, times, GPUs; 97% done,
2% failed, 1% cancelled and the newest 1,000 still queued) and four history
rows each (submitted, claimed, running, ended), all in SQL so seeding takes
seconds, not the hours a million ``POST /queue`` would.

Timed through a real server, each against ``GET /health`` in the same run:
the first page, a deep page (offset 900,000), the middle (offset 500,000,
the worst case for offset paging), the page after the middle through the
``before`` cursor, pages filtered by status (``failed``: 20,000 rows,
``queued``) and pages of one owner's jobs (``OWNERS`` users share the
history round-robin: 50,000 jobs each), first and deep. The database file's
size and the server's RSS at that size are reported.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from forgather_lab.store import Database
from forgather_lab.store.db import DB_FILENAME

from ._common import TOKEN, Figure, ServerProcess, Settings, stats_ms

TARGET_MS = 10.0
QUEUED = 1000
OWNERS = 20


def seed(path: Path, jobs: int) -> None:
    """``jobs`` jobs of history (the newest ``QUEUED`` still queued) and their transitions."""
    db = Database(path)
    db.open()
    db.close()
    import sqlite3

    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = OFF")  # seeding only; the server opens it as usual
        conn.execute("BEGIN")
        start = time.time() - jobs * 2.0
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) "
            "INSERT INTO jobs (id, name, job_type, status, priority, requested_gpus, gpus, "
            "params, pid, pid_create_time, exit_code, error, log_path, created_at, started_at, "
            "ended_at, queued_at, owner) "
            "SELECT printf('%08x', i), 'train.py --lr 0.00' || (i % 10), 'command', "
            "CASE WHEN i > ? THEN 'queued' WHEN i % 50 = 0 THEN 'failed' "
            "WHEN i % 100 = 1 THEN 'cancelled' ELSE 'done' END, "
            "0, 1, CASE WHEN i > ? THEN '[]' ELSE '[' || (i % 8) || ']' END, "
            '\'{"argv": ["python", "train.py", "--lr", "0.00\' || (i % 10) || \'"]}\', '
            "CASE WHEN i > ? THEN NULL ELSE 10000 + i % 50000 END, NULL, "
            "CASE WHEN i > ? THEN NULL WHEN i % 50 = 0 THEN 1 ELSE 0 END, "
            "CASE WHEN i % 50 = 0 AND i <= ? THEN 'exited with code 1' END, "
            "'/home/user/.local/share/forgather/jobs/' || printf('%08x', i) || '/output.log', "
            "? + i * 2.0, ? + i * 2.0 + 0.01, ? + i * 2.0 + 1.5, ? + i * 2.0, "
            "printf('user%02d', i % ?) FROM n",
            (jobs, *(jobs - QUEUED,) * 5, *(start,) * 4, OWNERS),
        )
        for offset, status, reason in (
            (0.0, "queued", "submitted"),
            (0.005, "starting", "on GPU 0"),
            (0.01, "running", "pid 10000"),
            (1.5, None, None),
        ):
            conn.execute(
                "INSERT INTO job_history (job_id, at, status, attempt, reason) "
                f"SELECT id, created_at + ?, {'status' if status is None else '?'}, 1, "
                f"{'error' if reason is None else '?'} FROM jobs WHERE status != 'queued' "
                + ("" if status != "queued" else "OR 1"),
                (offset, *(x for x in (status, reason) if x is not None)),
            )
        conn.execute("COMMIT")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()


def _time(http: httpx.Client, path: str, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        t0 = time.perf_counter()
        http.get(f"/forgather/api/{path}").raise_for_status()
        samples.append(time.perf_counter() - t0)
    return samples


def run(settings: Settings) -> list[Figure]:
    jobs = settings.n(1_000_000, 100_000)
    repeats = settings.n(100, 30)
    base = Path(tempfile.mkdtemp(prefix="forgather-bench-history-"))
    srv = ServerProcess(
        base, "--ForgatherLab.seed_examples=False", "--ForgatherLab.scheduler_enabled=False"
    )
    results: dict[str, dict[str, Any]] = {}
    try:
        t0 = time.monotonic()
        seed(srv.state / DB_FILENAME, jobs)
        seed_s = time.monotonic() - t0
        size_mb = (srv.state / DB_FILENAME).stat().st_size / 2**20
        srv.start(timeout=600)
        # The cursor of the middle page: the last job of the page before it.
        middle = f"{jobs - jobs // 2 + 1:08x}"
        per_owner = jobs // OWNERS
        pages = {
            "first page": "jobs?limit=50",
            f"deep page (offset {int(jobs * 0.9):,})": f"jobs?limit=50&offset={int(jobs * 0.9)}",
            f"middle page (offset {jobs // 2:,})": f"jobs?limit=50&offset={jobs // 2}",
            "status=failed, first page": "jobs?status=failed&limit=50",
            "status=failed, deep page": f"jobs?status=failed&limit=50&offset={jobs // 60}",
            "status=queued": "jobs?status=queued&limit=50",
            f"middle page by cursor (before={middle})": f"jobs?limit=50&before={middle}",
            "owner=user07, first page": "jobs?owner=user07&limit=50",
            f"owner=user07, deep page (offset {int(per_owner * 0.9):,})": (
                f"jobs?owner=user07&limit=50&offset={int(per_owner * 0.9)}"
            ),
            f"owner=user07, middle page (offset {per_owner // 2:,})": (
                f"jobs?owner=user07&limit=50&offset={per_owner // 2}"
            ),
        }
        with httpx.Client(
            base_url=srv.url, headers={"Authorization": f"token {TOKEN}"}, timeout=60
        ) as http:
            cold = {}
            for label, path in pages.items():
                t = time.perf_counter()
                reply = http.get(f"/forgather/api/{path}")
                cold[label] = round((time.perf_counter() - t) * 1000, 1)
                reply.raise_for_status()
                assert len(reply.json()["jobs"]) == 50, (label, len(reply.json()["jobs"]))
            health = stats_ms(_time(http, "health", repeats))
            for label, path in pages.items():
                results[label] = stats_ms(_time(http, path, repeats))
        rss_mb = psutil.Process(srv.pid).memory_info().rss / 2**20
    finally:
        srv.stop()
        srv.kill_jobs()
        shutil.rmtree(base, ignore_errors=True)
    figures = []
    for label, s in results.items():
        targeted = True  # the middle of the history is a deep page too
        figures.append(
            Figure(
                "history",
                f"GET /jobs {label}, {jobs:,} jobs",
                s["median_ms"],
                "ms median",
                baseline=f"GET /health {health['median_ms']:.1f} ms",
                target=f"<= {TARGET_MS:g} ms" if targeted else "",
                met=s["median_ms"] <= TARGET_MS if targeted else None,
                note=f"p99 {s['p99_ms']:.1f} ms; first request {cold[label]} ms",
                raw={"page": s, "health": health},
            )
        )
    figures.append(
        Figure(
            "history",
            f"state database and server RSS at {jobs:,} jobs",
            round(size_mb),
            "MB file",
            baseline=f"server RSS {rss_mb:.0f} MB after the pages",
            note=f"seeded in {seed_s:.0f} s (jobs + 4 history rows each)",
        )
    )
    return figures
