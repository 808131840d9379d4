"""Footprint: resident memory per running job for what the product adds (the runner).

Eight jobs run ``sleep`` (whose own memory is the user's, not ours); for
each, the job's runner (its session leader, ``jobs/runner.py``) is measured:
RSS, and USS (the pages only it holds; shared libraries and the
interpreter's shared pages are not counted twice). The server's RSS growth
per running job is measured too. Ray's figure (about 85 MB per job
supervisor) is the issue's, not measured here.
"""

from __future__ import annotations

import statistics
import time

import httpx
import psutil

from ._common import TOKEN, Figure, Settings, running_server

TARGET_MB = 10.0
JOBS = 8


def run(settings: Settings) -> list[Figure]:
    with (
        running_server() as srv,
        httpx.Client(
            base_url=srv.url, headers={"Authorization": f"token {TOKEN}"}, timeout=60
        ) as http,
    ):
        server = psutil.Process(srv.pid)
        time.sleep(1.0)
        before = server.memory_info().rss
        argv = ["sleep", "120"]
        # No GPU: the runner's memory does not depend on one, and no card can be busy.
        body = {"job_type": "command", "job_params": {"argv": argv}, "requested_gpus": 0}
        ids = [http.post("/forgather/api/queue", json=body).json()["id"] for _ in range(JOBS)]
        pids = [int(srv.wait_job(i, {"running"}, timeout=60)["pid"]) for i in ids]
        time.sleep(1.0)
        after = server.memory_info().rss
        rss, uss = [], []
        for pid in pids:
            info = psutil.Process(pid).memory_full_info()
            rss.append(info.rss / 2**20)
            uss.append(info.uss / 2**20)
        for i in ids:
            http.delete(f"/forgather/api/queue/{i}")
    rss_mb, uss_mb = statistics.median(rss), statistics.median(uss)
    growth = (after - before) / 2**20 / JOBS
    return [
        Figure(
            "footprint",
            "runner RSS per running job",
            round(rss_mb, 1),
            "MB",
            baseline="Ray job supervisor ~85 MB (from the issue, not measured here)",
            target=f"<= {TARGET_MB:g} MB",
            met=rss_mb <= TARGET_MB,
            note=f"USS (its own pages) {uss_mb:.1f} MB; median of {JOBS} runners",
            raw={"rss_mb": rss, "uss_mb": uss},
        ),
        Figure(
            "footprint",
            "server RSS growth per running job",
            round(growth, 2),
            "MB",
            baseline=f"server RSS {before / 2**20:.0f} MB idle",
            note=f"{JOBS} jobs running",
        ),
    ]
