"""Reporter overhead: a training loop's steps/s with ``reporter.report()`` against without.

The loop runs as a real job of a real server (so the reporter's thread posts
to the real callback endpoint). Two step sizes: a "tiny model" step of about
1 ms of work, and a very tight 50 µs step (the worst case for a per-step
call). Blocks with and without alternate, and the ratio of median steps/s is
reported.
"""

from __future__ import annotations

import json
import sys
import time

from ._common import Figure, Settings, running_server

LOOP = r"""
import json, sys, time
from forgather_lab import reporter

rep = reporter.connect()
assert type(rep).__name__ == "Reporter", type(rep)

def work(n):
    s = 0
    for i in range(n):
        s += i * i
    return s

def calibrate(seconds):
    n = 100
    while True:
        t = time.perf_counter(); work(n); took = time.perf_counter() - t
        if took > seconds * 20: return max(1, int(n * seconds / took))
        n *= 2

result = {}
for label, step_s in (("1ms", 1e-3), ("50us", 5e-5)):
    n = calibrate(step_s)
    steps = max(200, int(0.5 / step_s))
    rates = {"with": [], "without": []}
    step = 0
    for block in range(int(sys.argv[1])):
        for mode in ("without", "with") if block % 2 else ("with", "without"):
            t = time.perf_counter()
            for _ in range(steps):
                loss = work(n)
                step += 1
                if mode == "with":
                    rep.report(step, None, loss=float(loss % 97), lr=1e-3)
            rates[mode].append(steps / (time.perf_counter() - t))
    result[label] = rates
rep.close()
print("RESULT " + json.dumps(result), flush=True)
"""


def run(settings: Settings) -> list[Figure]:
    blocks = settings.n(10, 4)
    with running_server() as srv:
        body = {
            "job_type": "command",
            "job_params": {"argv": [sys.executable, "-c", LOOP, str(blocks)]},
        }
        job_id = srv.post("queue", json=body).json()["id"]
        job = srv.wait_job(job_id, {"done", "failed"}, timeout=600)
        log = srv.get("jobs", job_id, "tty", params={"max_bytes": 1_000_000}).text
        if job["status"] != "done" or "RESULT " not in log:
            raise RuntimeError(f"reporter loop {job['status']}: {log[-2000:]}")
        result = json.loads(log.split("RESULT ", 1)[1].splitlines()[0])
        time.sleep(0.1)
    figures = []
    for label, rates in result.items():
        with_r = sorted(rates["with"])[len(rates["with"]) // 2]
        without_r = sorted(rates["without"])[len(rates["without"]) // 2]
        ratio = with_r / without_r
        figures.append(
            Figure(
                "reporter",
                f"steps/s with report() vs without, {label} step",
                round(ratio, 4),
                "ratio",
                baseline=f"without {without_r:,.0f} steps/s",
                target=">= 0.99",
                met=ratio >= 0.99,
                note=f"with {with_r:,.0f} steps/s; median of {blocks} alternating blocks",
            )
        )
    return figures
