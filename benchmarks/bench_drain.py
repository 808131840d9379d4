"""Drain: a queue of trivial 1-GPU jobs through 8 GPUs, end to end, against task-spooler.

Ours: 1,000 ``true`` jobs (``requested_gpus=1``) are queued with the
scheduler paused (one ``POST /queue/batch``), the scheduler is resumed, and
the clock runs until every job is recorded ``done`` (claimed, spawned by the
runner, exited, its exit recorded durably). Simulated GPUs: 8.

The baseline, in the same run: task-spooler (Debian's ``task-spooler``,
``benchmarks/setup.sh`` installs it) with 8 slots, its own server on a
private socket. Eight blocker jobs hold the slots while the 1,000 ``true``
jobs are queued; they are released together and the clock runs until the
last job has finished. Its submission rate (one ``tsp true`` each,
sequentially) is reported too.

Then durability: a second queue is drained and the server is killed with
``kill -9`` half way; after a restart every job must end exactly once (each
job appends its id to a ledger file), none may be missing or stuck, and a
job the kill caught between claim and spawn is failed with that reason, not
run twice or lost.

Both drains start on a settled file system (``_common.settle_inodes``: on
these machines a deletion of a few thousand files makes every file created
for the next minutes several times dearer), and every state directory is
deleted only when the benchmarks end.

``FORGATHER_BENCH_PROFILE=DIR`` records the server with py-spy during the
drain (``DIR/drain.txt``: collapsed stacks; ``benchmarks/profile.py`` sums them).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import psutil

from ._common import (
    TOKEN,
    Figure,
    ServerProcess,
    Settings,
    remove_later,
    running_server,
    settle_inodes,
)
from .profile import Profiler

TARGET = 500.0
GPUS = 8
TSP_ROUND = 500
SERVER_ARGS = (f"--ForgatherLab.simulated_gpus={GPUS}", "--ForgatherLab.scheduler_enabled=False")


def tsp_binary() -> str | None:
    """task-spooler's binary: ``tsp`` (Debian), or a ``ts`` that is task-spooler."""
    found = shutil.which("tsp")
    if found:
        return found
    ts = shutil.which("ts")
    if ts:
        probe = subprocess.run([ts, "-V"], capture_output=True, text=True, check=False)
        if "spooler" in (probe.stdout + probe.stderr).lower():
            return ts
    return None


def _client(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"token {TOKEN}"}, timeout=120)


def _queue(http: httpx.Client, argv: list[str], n: int, cwd: Path) -> list[str]:
    ids: list[str] = []
    # An explicit plain directory: with none the job runs in the server's, which here
    # is wherever the benchmark was started (a checkout whose git state each job's
    # provenance then captures, and which the figure must not depend on).
    params = {"argv": argv, "cwd": str(cwd)}
    body = {"job_type": "command", "job_params": params, "requested_gpus": 1}
    for start in range(0, n, 1000):
        count = min(1000, n - start)
        reply = http.post("/forgather/api/queue/batch", json={"jobs": [body] * count})
        reply.raise_for_status()
        ids += [j["id"] for j in reply.json()["jobs"]]
    return ids


def _count(http: httpx.Client, status: str) -> int:
    reply = http.get("/forgather/api/jobs", params={"status": status, "limit": 1})
    reply.raise_for_status()
    return int(reply.json()["total"])


def drain_ours(n: int, profile_dir: Path | None) -> dict[str, Any]:
    """Queue ``n`` trivial jobs paused, resume, time until all are done."""
    with running_server(*SERVER_ARGS) as srv, _client(srv.url) as http:
        _queue(http, ["true"], 16, srv.root)  # warm up: runners, code paths, page cache
        http.post("/forgather/api/queue/scheduler", json={"enabled": True}).raise_for_status()
        _wait_done(http, 16, 60)
        http.post("/forgather/api/queue/scheduler", json={"enabled": False}).raise_for_status()
        _queue(http, ["true"], n, srv.root)
        profiler = Profiler(srv.pid, profile_dir, "drain")
        server = psutil.Process(srv.pid)
        cpu_before = server.cpu_times()
        started = time.perf_counter()
        http.post("/forgather/api/queue/scheduler", json={"enabled": True}).raise_for_status()
        _wait_done(http, 16 + n, 600)
        took = time.perf_counter() - started
        cpu_after = server.cpu_times()
        profiler.stop()
        failed = _count(http, "failed")
    rate = round(n / took, 1)
    # The server's own CPU per job: what the product spends, less moved by the
    # machine's other load than the wall clock (the runners are not counted).
    user = (cpu_after.user - cpu_before.user) / n * 1000
    system = (cpu_after.system - cpu_before.system) / n * 1000
    return {
        "jobs": n,
        "seconds": round(took, 3),
        "jobs_per_s": rate,
        "failed": failed,
        "server_cpu_ms_per_job": {"user": round(user, 2), "system": round(system, 2)},
    }


def _wait_done(http: httpx.Client, total: int, timeout: float) -> None:
    # One request per look, 20 a second: the server under test is on the same two
    # cores, and every poll it answers is time the drain does not get.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ended = _count(http, "done,failed")
        if ended >= total:
            return
        time.sleep(0.05)
    raise TimeoutError(f"the queue did not drain: {ended} of {total} ended")


def drain_tsp(binary: str, n: int) -> dict[str, Any]:
    """task-spooler, 8 slots, ``n`` ``true`` jobs released at once; and its submission rate.

    task-spooler keeps one waiting process (and server connection) per queued
    job and stalls near 1,000 of them, so the queue is filled and released in
    rounds of ``TSP_ROUND``; the drain time is the sum of the rounds'.
    """
    base = Path(tempfile.mkdtemp(prefix="bench-tsp-"))
    env = {
        **os.environ,
        "TS_SOCKET": str(base / "socket"),
        "TS_MAXFINISHED": str(n * 4),
        "TMPDIR": str(base),
    }

    def tsp(*args: str) -> str:
        return subprocess.run(
            [binary, *args], env=env, capture_output=True, text=True, check=True, timeout=60
        ).stdout.strip()

    try:
        tsp("-S", str(GPUS))
        submit_s = drain_s = 0.0
        for round_ in range(0, n, TSP_ROUND):
            gate = base / f"go{round_}"
            blocker = f"while [ ! -e {gate} ]; do sleep 0.001; done"
            for _ in range(GPUS):
                tsp("sh", "-c", blocker)
            started = time.perf_counter()
            last = ""
            for _ in range(min(TSP_ROUND, n - round_)):
                last = tsp("true")
            submit_s += time.perf_counter() - started
            started = time.perf_counter()
            gate.touch()
            tsp("-w", last)
            drain_s += time.perf_counter() - started
        # Everything before the last has finished too (the slots run in order).
        listing = tsp("-l").splitlines()[1:]
        unfinished = [line for line in listing if "finished" not in line]
        return {
            "jobs": n,
            "seconds": round(drain_s, 3),
            "jobs_per_s": round(n / drain_s, 1),
            "submissions_per_s": round(n / submit_s, 1),
            "unfinished": len(unfinished),
            "rounds_of": TSP_ROUND,
        }
    finally:
        subprocess.run([binary, "-K"], env=env, capture_output=True, check=False)
        remove_later(base)


def kill9_mid_drain(n: int) -> dict[str, Any]:
    """Drain ``n`` jobs, ``kill -9`` the server half way, restart: every job ends exactly once."""
    base = Path(tempfile.mkdtemp(prefix="bench-drain-kill-"))
    ledger = base / "ledger"
    srv = ServerProcess(base, "--ForgatherLab.seed_examples=False", *SERVER_ARGS)
    try:
        srv.start()
        with _client(srv.url) as http:
            argv = ["sh", "-c", f'echo "$FORGATHER_LAB_JOB_ID" >> {ledger}']
            ids = _queue(http, argv, n, srv.root)
            http.post("/forgather/api/queue/scheduler", json={"enabled": True})
            deadline = time.monotonic() + 120
            while _count(http, "done") < n // 2 and time.monotonic() < deadline:
                time.sleep(0.005)
        srv.kill9()
        at_kill = len(ledger.read_text().split()) if ledger.exists() else 0
        srv.start()
        with _client(srv.url) as http:
            http.post("/forgather/api/queue/scheduler", json={"enabled": True})
            _wait_done(http, n, 300)
            rows = http.get("/forgather/api/jobs", params={"limit": n + 100}).json()["jobs"]
        srv.stop()
        ran = Counter(ledger.read_text().split())
        statuses = Counter(r["status"] for r in rows)
        by_id = {r["id"]: r for r in rows}
        missing = [i for i in ids if i not in by_id]
        twice = [i for i, c in ran.items() if c > 1]
        # A job recorded done must have run; one failed at restart must say why.
        done_not_run = [i for i in ids if by_id.get(i, {}).get("status") == "done" and i not in ran]
        unexplained = [
            i
            for i in ids
            if by_id.get(i, {}).get("status") == "failed" and not by_id[i].get("error")
        ]
        return {
            "jobs": n,
            "ran_before_kill": at_kill,
            "statuses": dict(statuses),
            "missing": len(missing),
            "ran_twice": len(twice),
            "done_but_never_ran": len(done_not_run),
            "failed_without_reason": len(unexplained),
            "ok": not (missing or twice or done_not_run or unexplained)
            and statuses.get("done", 0) + statuses.get("failed", 0) == n,
        }
    finally:
        srv.stop()
        srv.kill_jobs()
        remove_later(base)


def run(settings: Settings) -> list[Figure]:
    n = settings.n(1000, 300)
    profile = os.environ.get("FORGATHER_BENCH_PROFILE")
    # Each drain starts on a file system that is not still paying for a deletion
    # (settle_inodes); its state is deleted only when the benchmarks end.
    settled = settle_inodes()
    ours = drain_ours(n, Path(profile) if profile else None)
    ours["file_system"] = settled
    binary = tsp_binary()
    peer = None
    if binary:
        peer_settled = settle_inodes()
        peer = drain_tsp(binary, n)
        peer["file_system"] = peer_settled
    kill = kill9_mid_drain(settings.n(200, 100))
    rate = ours["jobs_per_s"]
    cpu = ours["server_cpu_ms_per_job"]
    baseline = "task-spooler not installed (benchmarks/setup.sh)"
    if peer is not None:
        baseline = (
            f"task-spooler {peer['jobs_per_s']:,.0f} jobs/s (x{rate / peer['jobs_per_s']:.2f}); "
            f"its submissions {peer['submissions_per_s']:,.0f}/s"
        )
    return [
        Figure(
            "drain",
            f"{n:,} trivial 1-GPU jobs through {GPUS} GPUs, end to end",
            rate,
            "jobs/s",
            baseline=baseline,
            target=f">= {TARGET:.0f} jobs/s",
            met=rate >= TARGET and ours["failed"] == 0,
            note=f"{ours['seconds']:.2f} s; {ours['failed']} failed; server CPU "
            f"{cpu['user'] + cpu['system']:.2f} ms a job ({cpu['user']:.2f} user, "
            f"{cpu['system']:.2f} system); a file created in {settled['inode_us']:g} us "
            f"at the start (waited {settled['waited_s']:g} s)",
            raw={"ours": ours, "task_spooler": peer},
        ),
        Figure(
            "drain",
            f"kill -9 mid-drain ({kill['jobs']} jobs): lost / ran twice",
            float(kill["missing"] + kill["ran_twice"]),
            "jobs",
            baseline=f"{kill['ran_before_kill']} had run at the kill; after restart "
            + ", ".join(f"{v} {k}" for k, v in sorted(kill["statuses"].items())),
            target="0, every job ended once",
            met=bool(kill["ok"]),
            note=f"done but never ran {kill['done_but_never_ran']}; "
            f"failed without a reason {kill['failed_without_reason']}",
            raw=kill,
        ),
    ]
