"""Dispatch latency: ``POST /queue`` until the job's command is running.

"Running" is observed precisely: the command connects to a loopback socket
this benchmark listens on, and the moment of ``accept()`` is the stamp. The
floor is the same command spawned directly by this process (``posix_spawn``,
as the launcher does) and timed the same way, in the same run.
"""

from __future__ import annotations

import os
import shutil
import socket
import time
from typing import Any

import httpx

from ._common import TOKEN, Figure, Settings, running_server, stats_ms


def _command(port: int) -> list[str]:
    # bash's /dev/tcp: a connect with no interpreter start-up of its own to speak of.
    bash = shutil.which("bash") or "/bin/bash"
    return [bash, "-c", f": >/dev/tcp/127.0.0.1/{port}"]


def _accept_after(listener: socket.socket, started: float) -> float:
    conn, _ = listener.accept()
    took = time.perf_counter() - started
    conn.close()
    return took


def bare_spawn(listener: socket.socket, argv: list[str], n: int) -> list[float]:
    """The floor: spawn the same command ourselves and time it to its connect."""
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        pid = os.posix_spawn(argv[0], argv, dict(os.environ))
        samples.append(_accept_after(listener, started))
        os.waitpid(pid, 0)
    return samples


def through_server(
    listener: socket.socket, argv: list[str], n: int, url: str, cwd: str
) -> tuple[list[float], list[float]]:
    """POST /queue → connect, sequentially; also the POST's own round trip.

    ``cwd`` is a plain directory: the job's provenance (captured as it starts,
    on the same two cores) must not depend on the git state of wherever the
    benchmark was started, which a job without one would run in.
    """
    samples, posts = [], []
    with httpx.Client(headers={"Authorization": f"token {TOKEN}"}, timeout=30) as http:
        body = {"job_type": "command", "job_params": {"argv": argv, "cwd": cwd}}
        for _ in range(n):
            started = time.perf_counter()
            reply = http.post(f"{url}/forgather/api/queue", json=body)
            posts.append(time.perf_counter() - started)
            reply.raise_for_status()
            samples.append(_accept_after(listener, started))
            # Let the job finish and its exit be recorded before the next one.
            job_id = reply.json()["id"]
            for _ in range(500):
                if http.get(f"{url}/forgather/api/jobs/{job_id}").json()["status"] == "done":
                    break
                time.sleep(0.01)
    return samples, posts


def run(settings: Settings) -> list[Figure]:
    n = settings.n(100, 20)
    with socket.create_server(("127.0.0.1", 0)) as listener:
        listener.settimeout(30)
        argv = _command(listener.getsockname()[1])
        with running_server() as srv:
            root = str(srv.root)
            through_server(listener, argv, 3, srv.url, root)  # warm up
            # Interleave halves so drift on a shared machine hits both alike.
            floor = bare_spawn(listener, argv, n // 2)
            dispatch, posts = through_server(listener, argv, n // 2, srv.url, root)
            floor += bare_spawn(listener, argv, n - n // 2)
            more, more_posts = through_server(listener, argv, n - n // 2, srv.url, root)
            dispatch += more
            posts += more_posts
    f, d, post = stats_ms(floor), stats_ms(dispatch), stats_ms(posts)
    over_median = d["median_ms"] - f["median_ms"]
    over_p99 = d["p99_ms"] - f["p99_ms"]
    raw: dict[str, Any] = {"bare_spawn": f, "dispatch": d, "post_round_trip": post}
    base = f"bare spawn {f['median_ms']:.1f} / p99 {f['p99_ms']:.1f} ms"
    return [
        Figure(
            "dispatch",
            "median over floor",
            round(over_median, 2),
            "ms",
            baseline=base,
            target="<= 5 ms",
            met=over_median <= 5,
            note=f"dispatch median {d['median_ms']:.1f} ms (n={n}); "
            f"POST alone {post['median_ms']:.1f} ms",
            raw=raw,
        ),
        Figure(
            "dispatch",
            "p99 over floor",
            round(over_p99, 2),
            "ms",
            baseline=base,
            target="<= 15 ms",
            met=over_p99 <= 15,
            note=f"dispatch p99 {d['p99_ms']:.1f} ms",
        ),
    ]
