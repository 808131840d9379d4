"""Extension cost: Jupyter server start time and memory with and without forgather_lab.

Both servers are the same installation with the same other extensions; the
only difference is ``{"ServerApp": {"jpserver_extensions": {"forgather_lab": false}}}``
in a ``--config`` file.
Start time is from ``Popen`` to the first 200 from ``/api/status``; memory is
the server's RSS right after that. Runs alternate (with, without, ...) so
drift on a shared machine hits both alike; medians are reported.
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
from pathlib import Path

import httpx
import psutil

from ._common import TOKEN, Figure, Settings


def _start_once(enabled: bool) -> tuple[float, float]:
    """(seconds to ready, RSS in MB) of one server start."""
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
                    rss = psutil.Process(proc.pid).memory_info().rss / 2**20
                    return took, rss
            time.sleep(0.01)
    finally:
        proc.terminate()
        proc.wait(30)
        shutil.rmtree(base, ignore_errors=True)


def run(settings: Settings) -> list[Figure]:
    rounds = settings.n(5, 2)
    with_ext: list[tuple[float, float]] = []
    without: list[tuple[float, float]] = []
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
    t_with = statistics.median(t for t, _ in with_ext)
    t_without = statistics.median(t for t, _ in without)
    m_with = statistics.median(m for _, m in with_ext)
    m_without = statistics.median(m for _, m in without)
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
            "server RSS: extra memory with forgather_lab",
            round(m_with - m_without, 1),
            "MB",
            baseline=f"without {m_without:.0f} MB",
        ),
    ]
