"""Log streaming: a job writing 50,000 lines/s followed by 20 WebSocket clients,
then a big log (2 GB by default) followed to the end with the server's RSS sampled.

Lag: every line carries the time it was written; each frame received is
stamped on arrival and the lag is arrival minus the stamp of the frame's last
complete line (same clock, same machine). Server CPU is read with psutil on
the server's pid, against the same job running with no follower (baseline).
Memory: the server's RSS before the big follow against its peak during it.
"""

from __future__ import annotations

import asyncio
import sys
import time
from typing import Any

import psutil
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from ._common import TOKEN, Figure, ServerProcess, Settings, p, running_server

RATE = 50_000  # lines per second
FOLLOWERS = 20

# Writes RATE lines/s in 10 ms batches, each line stamped with time.time().
CHATTY = f"""
import sys, time
rate, batch = {RATE}, {RATE // 100}
pad = "x" * 60
out = sys.stdout
next_t = time.time()
while True:
    now = time.time()
    out.write("".join(f"{{now:.6f}} {{i}} {{pad}}\\n" for i in range(batch)))
    out.flush()
    next_t += 0.01
    time.sleep(max(0.0, next_t - time.time()))
"""

# Once GO exists (the follower is connected), writes SIZE bytes in 1 MB lines as
# fast as it can, then waits to be killed.
BIG = """
import os, sys, time
size, chunk = int(sys.argv[1]), b"y" * (1024 * 1024 - 1) + b"\\n"
while not os.path.exists(sys.argv[2]):
    time.sleep(0.01)
out = sys.stdout.buffer
for _ in range(size // len(chunk)):
    out.write(chunk)
out.flush()
time.sleep(3600)
"""


def _queue(srv: ServerProcess, code: str, *args: str) -> str:
    body = {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", code, *args]}}
    job_id = str(srv.post("queue", json=body).json()["id"])
    srv.wait_job(job_id, {"running"})
    return job_id


def _ws_url(srv: ServerProcess, job_id: str) -> HTTPRequest:
    url = srv.url.replace("http", "ws", 1) + f"/forgather/api/jobs/{job_id}/tty?follow=1"
    return HTTPRequest(
        url, headers={"Authorization": f"token {TOKEN}"}, connect_timeout=30, request_timeout=600
    )


async def _follow_lag(srv: ServerProcess, job_id: str, seconds: float, lags: list[float]) -> int:
    conn = await websocket_connect(_ws_url(srv, job_id), max_message_size=64 * 2**20)
    received = 0
    first = True
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        raw = await conn.read_message()
        if raw is None:
            break
        # The log socket sends text frames; bytes would be a protocol change.
        msg = raw if isinstance(raw, str) else raw.decode()
        now = time.time()
        received += len(msg)
        if first:  # the backlog frame says nothing about live lag
            first = False
            continue
        # The last complete line of the frame (frames are cut anywhere).
        end = msg.rfind("\n")
        start = msg.rfind("\n", 0, end) + 1 if end > 0 else -1
        if start <= 0:
            continue  # no whole line starts in this frame
        try:
            stamp = float(msg[start:end].split(" ", 1)[0])
        except ValueError:
            continue
        if now - 600 < stamp <= now + 1:
            lags.append(now - stamp)
    conn.close()
    return received


def _cpu(proc: psutil.Process, seconds: float) -> float:
    proc.cpu_percent(None)
    time.sleep(seconds)
    return proc.cpu_percent(None)


def streaming(srv: ServerProcess, settings: Settings) -> list[Figure]:
    seconds = 10.0 if settings.quick else 20.0
    assert srv.proc is not None, "the server runs"
    server = psutil.Process(srv.proc.pid)
    job = _queue(srv, CHATTY)
    time.sleep(1.0)
    idle_cpu = _cpu(server, 3.0)
    lags: list[float] = []

    async def followers() -> list[int]:
        return await asyncio.gather(
            *(_follow_lag(srv, job, seconds, lags) for _ in range(FOLLOWERS))
        )

    cpu: list[float] = []

    async def main() -> list[int]:
        task = asyncio.ensure_future(followers())
        await asyncio.sleep(2.0)  # connected and past the backlog
        cpu.append(await asyncio.to_thread(_cpu, server, seconds - 4.0))
        return await task

    received = asyncio.run(main())
    srv.post("jobs", job, "control", "force-kill")
    ms = sorted(lag * 1000 for lag in lags)
    mb_s = sum(received) / seconds / 1e6
    return [
        Figure(
            "logs",
            f"follow lag p99, {RATE:,} lines/s x {FOLLOWERS} followers",
            round(p(ms, 0.99), 1),
            "ms",
            baseline=f"median {p(ms, 0.5):.1f} ms",
            target="<= 100 ms",
            met=p(ms, 0.99) <= 100,
            note=f"{len(ms)} frames; {mb_s:.0f} MB/s delivered in all",
        ),
        Figure(
            "logs",
            "server CPU while streaming to 20 followers",
            round(cpu[0], 1),
            "% of a core",
            baseline=f"same job, no follower: {idle_cpu:.1f}%",
        ),
    ]


def big_follow(srv: ServerProcess, settings: Settings) -> list[Figure]:
    size = settings.log_mb * 2**20
    go = srv.base / "go-big-log"
    assert srv.proc is not None, "the server runs"
    server = psutil.Process(srv.proc.pid)
    before = server.memory_info().rss
    peak = before
    state: dict[str, Any] = {}

    async def follow() -> None:
        nonlocal peak
        body = {
            "job_type": "command",
            "job_params": {"argv": [sys.executable, "-c", BIG, str(size), str(go)]},
        }
        job_id = str(srv.post("queue", json=body).json()["id"])
        await asyncio.to_thread(srv.wait_job, job_id, {"running"})
        state["job"] = job_id
        conn = await websocket_connect(_ws_url(srv, job_id), max_message_size=64 * 2**20)
        go.touch()
        got = 0
        started = time.monotonic()
        last_sample = 0.0
        while got < size:
            msg = await asyncio.wait_for(conn.read_message(), 60)
            if msg is None:
                break
            got += len(msg)
            if time.monotonic() - last_sample > 0.05:
                last_sample = time.monotonic()
                peak = max(peak, server.memory_info().rss)
        state["seconds"] = time.monotonic() - started
        state["bytes"] = got
        conn.close()

    asyncio.run(follow())
    srv.post("jobs", state["job"], "control", "force-kill")
    growth = (peak - before) / 2**20
    scaled = "" if settings.log_mb >= 2048 else f" (scaled down to {settings.log_mb} MB)"
    return [
        Figure(
            "logs",
            f"server RSS growth following a {settings.log_mb / 1024:.2g} GB log{scaled}",
            round(growth, 1),
            "MB",
            baseline=f"RSS before {before / 2**20:.0f} MB",
            target="<= 20 MB",
            met=growth <= 20,
            note=f"{state['bytes'] / 2**20:.0f} MB in {state['seconds']:.1f} s "
            f"({state['bytes'] / 2**20 / state['seconds']:.0f} MB/s)",
        )
    ]


def run(settings: Settings) -> list[Figure]:
    with running_server() as srv:
        figures = streaming(srv, settings)
        figures += big_follow(srv, settings)
    return figures
