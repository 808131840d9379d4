"""Extension cost: Jupyter server start time and memory with and without forgather_lab.

Both servers are the same installation with the same other extensions; the
only difference is ``{"ServerApp": {"jpserver_extensions": {"forgather_lab": false}}}``
in a ``--config`` file.
Start time is from ``Popen`` to the first 200 from ``/api/status``, and CPU
the server's user + system time then (the steadier figure on a shared machine:
other processes delay a start's wall time, not its CPU). The extension builds
its runtime after the server listens, so with it the time to the first 200
from ``/forgather/api/health`` is reported too, and memory is the RSS once
that answered (without it: once ``/api/status`` did). Runs alternate (with,
without, ...) so drift on a shared machine hits both alike; medians are reported.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil

from ._common import TOKEN, Figure, Settings


@dataclass(frozen=True)
class _Start:
    ready: float  # seconds to the first 200 from /api/status
    cpu: float  # the server's CPU seconds then
    api_ready: float  # seconds to the first 200 from /forgather/api/health (= ready without)
    rss: float  # MB, once the API answered


def _start_once(enabled: bool) -> _Start:
    """One server start, timed."""
    base = Path(tempfile.mkdtemp(prefix="forgather-start-"))
    runtime = base / "runtime"
    runtime.mkdir()
    exe = str(Path(sys.executable).parent / "jupyter")
    # A config file: the command line cannot spell a Dict trait's JSON.
    config = base / "jupyter_server_config.json"
    config.write_text(
        json.dumps({"ServerApp": {"jpserver_extensions": {"forgather_lab": enabled}}})
    )
    argv = [
        exe,
        "server",
        "--no-browser",
        "--allow-root",
        "--ip=127.0.0.1",
        "--port=0",
        f"--IdentityProvider.token={TOKEN}",
        f"--ServerApp.root_dir={base}",
        f"--ForgatherLab.state_dir={base / 'state'}",
        "--ForgatherLab.gpu_backend=simulated",
        "--ForgatherLab.seed_examples=False",
        f"--config={config}",
    ]
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while True:
            if proc.poll() is not None:
                raise RuntimeError("server exited")
            if time.perf_counter() - started > 120:
                raise TimeoutError("server did not start")
            for f in runtime.glob("jpserver-*.json"):
                try:
                    url = json.loads(f.read_text())["url"].rstrip("/")
                    reply = httpx.get(
                        f"{url}/api/status",
                        headers={"Authorization": f"token {TOKEN}"},
                        timeout=5,
                    )
                except (ValueError, KeyError, httpx.TransportError):
                    continue
                if reply.status_code == 200:
                    took = time.perf_counter() - started
                    server = psutil.Process(proc.pid)
                    cpu = server.cpu_times()
                    api_ready = took
                    if enabled:  # it waits for the runtime, built beside the server
                        httpx.get(
                            f"{url}/forgather/api/health",
                            headers={"Authorization": f"token {TOKEN}"},
                            timeout=60,
                        ).raise_for_status()
                        api_ready = time.perf_counter() - started
                    rss = server.memory_info().rss / 2**20
                    return _Start(took, cpu.user + cpu.system, api_ready, rss)
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(base, ignore_errors=True)


def run(settings: Settings) -> list[Figure]:
    rounds = settings.n(9, 2)
    with_ext: list[_Start] = []
    without: list[_Start] = []
    # An installed wheel has its bytecode compiled at install time; an editable
    # checkout (and PYTHONDONTWRITEBYTECODE) would make every start compile ours
    # from source (0.3-0.6 s here), which is not what users pay.
    import compileall

    import forgather_lab

    compileall.compile_dir(Path(forgather_lab.__file__).parent, quiet=1)
    _start_once(True)  # warm the page cache for both
    for _ in range(rounds):
        with_ext.append(_start_once(True))
        without.append(_start_once(False))

    def median(starts: list[_Start], field: str) -> float:
        return float(statistics.median(getattr(s, field) for s in starts))

    t_with, t_without = median(with_ext, "ready"), median(without, "ready")
    m_with, m_without = median(with_ext, "rss"), median(without, "rss")
    c_with, c_without = median(with_ext, "cpu"), median(without, "cpu")
    api = median(with_ext, "api_ready")
    return [
        Figure(
            "extension",
            "server start: extra time with forgather_lab",
            round(t_with - t_without, 3),
            "s",
            baseline=f"without {t_without:.2f} s, with {t_with:.2f} s",
            target="<= 0.1 s",
            met=t_with - t_without <= 0.1,
            note=f"median of {rounds} alternating starts each",
        ),
        Figure(
            "extension",
            "server start: extra CPU with forgather_lab",
            round(c_with - c_without, 3),
            "s",
            baseline=f"without {c_without:.2f} s, with {c_with:.2f} s",
            note="user + system time of the server when it first answers",
        ),
        Figure(
            "extension",
            "forgather API: first answer after start",
            round(api, 2),
            "s",
            baseline=f"bare server ready {t_without:.2f} s",
            note="its runtime is built after the server listens; requests wait for it",
        ),
        Figure(
            "extension",
            "server RSS: extra memory with forgather_lab",
            round(m_with - m_without, 1),
            "MB",
            baseline=f"without {m_without:.0f} MB",
        ),
    ]
