"""A real ``jupyter server`` (or ``jupyter lab``) in a subprocess.

For what pytest-jupyter's in-process server cannot do: be killed with
``kill -9`` and restarted on the same state, serve blocking clients (the sync
Client, the CLI, notebooks run by nbclient) and browsers. Used by the tests,
the UI tests, the reliability suite and the benchmarks.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

TOKEN = "forgather-test-token"  # a throwaway token for a loopback test server
#: What every server gets unless its caller says otherwise (simulated cards, 4 of them).
DEFAULT_ARGS = ("--ForgatherLab.gpu_backend=simulated", "--ForgatherLab.simulated_gpus=4")


def _defaults_not_in(defaults: tuple[str, ...], given: list[str]) -> list[str]:
    """``defaults`` less the options ``given`` sets itself.

    Jupyter keeps the first of two values of one option, so a default before
    the caller's would win: the drain benchmark asked for 8 cards and got 4.
    """
    named = {arg.partition("=")[0] for arg in given}
    return [arg for arg in defaults if arg.partition("=")[0] not in named]


class ServerProcess:
    """Start, ``kill -9`` and restart a Jupyter server sharing one state directory."""

    def __init__(
        self,
        base: Path,
        *extra_args: str,
        app: str = "server",
        token: str = TOKEN,
        env: dict[str, str] | None = None,
    ) -> None:
        self.base = base
        self.extra_env = dict(env or {})
        self.app = app
        self.token = token
        self.root = base / "root"
        self.state = base / "state"
        self.runtime = base / "runtime"
        for d in (self.root, self.runtime):
            d.mkdir(parents=True, exist_ok=True)
        self.extra_args = list(extra_args)
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""
        self.starts = 0

    def start(self, *args: str, timeout: float = 60) -> ServerProcess:
        """Start (again); returns once the server answers."""
        for f in self.runtime.glob("jpserver-*"):
            f.unlink()
        self.starts += 1
        log = (self.base / f"server-{self.starts}.log").open("wb")
        exe = str(Path(sys.executable).parent / "jupyter")
        self.proc = subprocess.Popen(
            [
                exe,
                self.app,
                "--no-browser",
                "--allow-root",
                "--ip=127.0.0.1",
                "--port=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
                f"--ForgatherLab.state_dir={self.state}",
                *_defaults_not_in(DEFAULT_ARGS, [*self.extra_args, *args]),
                *self.extra_args,
                *args,
            ],
            env=self._env(),
            stdout=log,
            stderr=log,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}")
            for f in self.runtime.glob("jpserver-*.json"):
                try:
                    self.url = json.loads(f.read_text())["url"].rstrip("/")
                except (ValueError, KeyError):
                    continue
                if self._answers():
                    return self
            time.sleep(0.1)
        raise TimeoutError("server did not start")

    def _answers(self) -> bool:
        try:
            return self.get("health").status_code == 200
        except httpx.TransportError:
            return False

    def request(self, method: str, *parts: str, **kwargs: Any) -> httpx.Response:
        """A call under /forgather/api with the token."""
        url = f"{self.url}/forgather/api/" + "/".join(parts)
        headers = {"Authorization": f"token {self.token}"}
        return httpx.request(method, url, headers=headers, timeout=30, **kwargs)

    def get(self, *parts: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", *parts, **kwargs)

    def post(self, *parts: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", *parts, **kwargs)

    def wait_job(self, job_id: str, statuses: set[str], timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        job: dict[str, Any] = {}
        while time.monotonic() < deadline:
            job = self.get("jobs", job_id).json()
            if job["status"] in statuses:
                return job
            time.sleep(0.05)
        raise AssertionError(f"job {job_id} stayed {job.get('status')}: {job}")

    def _env(self) -> dict[str, str]:
        # A scratch config dir: the server under test never reads (or, through
        # /server-config, writes) the real ~/.jupyter.
        env = {
            **os.environ,
            "JUPYTER_RUNTIME_DIR": str(self.runtime),
            "JUPYTER_CONFIG_DIR": str(self.runtime.parent / "jupyter-config"),
        }
        # The server under test must not think it is itself a job or a Hub user.
        for name in (
            "FORGATHER_LAB_URL",
            "FORGATHER_LAB_TOKEN",
            "FORGATHER_LAB_JOB_ID",
            "JUPYTERHUB_API_TOKEN",
        ):
            env.pop(name, None)
        return {**env, **self.extra_env}

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def job_token(self, job_id: str, timeout: float = 10) -> str:
        """A job's callback token, once its runner has written it (as the job starts)."""
        path = self.state / "jobs" / job_id / "token"
        deadline = time.monotonic() + timeout
        while not path.exists():
            assert time.monotonic() < deadline, f"job {job_id} has no token file"
            time.sleep(0.02)
        return path.read_text().strip()

    def kill_jobs(self) -> None:
        """Kill every job process this server started (jobs outlive servers by design)."""
        if not self.url:
            return
        for proc in psutil.process_iter(["environ"]):
            try:
                if (proc.info["environ"] or {}).get("FORGATHER_LAB_URL", "").startswith(self.url):
                    proc.kill()
            except psutil.Error:
                pass

    def kill9(self) -> None:
        """SIGKILL the server: no shutdown hooks, no flushing."""
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
