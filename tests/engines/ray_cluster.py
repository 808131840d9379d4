"""A real local Ray head for the tests: ``ray start --head`` with four declared GPUs.

Started with its own ports and temp dir as ``ray start --block``, our child, so
every process of the head descends from it; stopped by PID: that process and
its descendants, plus any process naming its temp dir (never ``ray stop``,
which kills by process name and would hit another user's Ray).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

GPUS = 4


def ray_binary() -> Path | None:
    """The venv's ``ray`` (scripts/setup-engines.sh installs it), or None."""
    path = Path(sys.executable).with_name("ray")
    return path if path.exists() else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class RayHead:
    """One head node: GCS, raylet, dashboard (the job API at ``address``)."""

    root: Path
    address: str = ""
    proc: subprocess.Popen[bytes] | None = None
    known: dict[int, psutil.Process] = field(default_factory=dict)

    def start(self, timeout: float = 150.0, attempts: int = 2) -> None:
        """Start the head and wait until the job API answers and the GPUs are seen.

        On busy cores the raylet can give up waiting for its agents and take the head
        down with it (``ray start`` exits); then the head is started afresh, once.
        """
        deadline = time.monotonic() + timeout
        for attempt in range(1, attempts + 1):
            if self._start_once(attempt, deadline):
                return
            self.stop()
            self.known.clear()
        log = (self.root / f"ray-start-{attempts}.log").read_text(errors="replace")
        raise TimeoutError(f"the Ray head did not come up; its last start said:\n{log[-2000:]}")

    def _start_once(self, attempt: int, deadline: float) -> bool:
        """One ``ray start``: True once ready, False if it exited or the deadline passed."""
        ray = ray_binary()
        assert ray is not None
        # A short path: Ray's unix sockets live under it (108-byte limit).
        self.root.mkdir(parents=True, exist_ok=True)
        dashboard = _free_port()
        env = {
            **os.environ,
            "RAY_USAGE_STATS_ENABLED": "0",
            # Ray gives its dashboard (the job API) 60 s to start: too little on busy cores.
            "RAY_DASHBOARD_STARTUP_TIMEOUT_S": str(int(deadline - time.monotonic())),
        }
        log = open(self.root / f"ray-start-{attempt}.log", "wb")  # noqa: SIM115 - the child keeps it
        self.proc = subprocess.Popen(
            [
                str(ray), "start", "--head", "--block",
                "--node-ip-address=127.0.0.1",
                f"--port={_free_port()}",
                "--dashboard-host=127.0.0.1",
                f"--dashboard-port={dashboard}",
                f"--dashboard-agent-listen-port={_free_port()}",
                f"--ray-client-server-port={_free_port()}",
                "--num-cpus=2",
                f"--num-gpus={GPUS}",
                "--disable-usage-stats",
                "--include-dashboard=true",
                f"--temp-dir={self.root}",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        log.close()
        self.address = f"http://127.0.0.1:{dashboard}"
        while time.monotonic() < deadline and self.proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError):
                status = httpx.get(f"{self.address}/api/cluster_status", timeout=3).json()
                usage = status["data"]["clusterStatus"]["loadMetricsReport"]["usage"]
                if usage.get("GPU", [0, 0])[1] == GPUS:
                    httpx.get(f"{self.address}/api/jobs/", timeout=3).raise_for_status()
                    self.processes()  # remember the tree while its root still lives
                    return True
            time.sleep(0.3)
        return False

    def processes(self) -> list[psutil.Process]:
        """Every process of this head: the ``ray start`` child's tree, and any naming its dir."""
        if self.proc is not None:
            with contextlib.suppress(psutil.Error):
                root = psutil.Process(self.proc.pid)
                for p in [root, *root.children(recursive=True)]:
                    self.known.setdefault(p.pid, p)
        marker = str(self.root)
        for p in psutil.process_iter(["cmdline"]):
            if any(marker in part for part in p.info.get("cmdline") or []):
                self.known.setdefault(p.pid, p)
        return [p for p in self.known.values() if p.is_running()]

    def stop(self) -> None:
        """SIGTERM every process of this head, SIGKILL what is left after 3 s."""
        procs = self.processes()
        for proc in procs:
            with contextlib.suppress(psutil.Error):
                proc.terminate()
        _, alive = psutil.wait_procs(procs, timeout=3)
        for proc in alive:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        psutil.wait_procs(alive, timeout=5)
        if self.proc is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=5)
