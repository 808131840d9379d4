"""A real ``jupyter server`` subprocess with the extension and 4 simulated GPUs.

The sync ``Client``, the CLI and nbclient-run notebooks need a server that
is not on the test's own event loop (pytest-jupyter's in-process server would
deadlock a blocking HTTP call). Session-scoped: started once, on port 0, its
URL read back from its ``jpserver-*.json``. Test modules import the fixture:
``from conftest_server import live_server  # noqa: F401``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

TOKEN = "forgather-live-test-token"


@dataclass
class LiveServer:
    url: str
    token: str
    root_dir: Path
    state_dir: Path
    runtime_dir: Path
    pid: int

    @property
    def env(self) -> dict[str, str]:
        """Environment variables that point a client (CLI, kernel) at this server."""
        return {"FORGATHER_LAB_URL": self.url, "FORGATHER_LAB_TOKEN": self.token}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    base = tmp_path_factory.mktemp("live")
    root, state, runtime = base / "root", base / "state", base / "runtime"
    for d in (root, runtime):
        d.mkdir()
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(runtime)}
    for name in ("FORGATHER_LAB_URL", "FORGATHER_LAB_TOKEN", "JUPYTERHUB_API_TOKEN"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "jupyter"),
            "server",
            "--no-browser",
            "--allow-root",
            "--ip=127.0.0.1",
            "--port=0",
            f"--IdentityProvider.token={TOKEN}",
            f"--ServerApp.root_dir={root}",
            f"--ForgatherLab.state_dir={state}",
            "--ForgatherLab.gpu_backend=simulated",
            "--ForgatherLab.simulated_gpus=4",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(base / "server.log").open("w"),
    )
    try:
        info = _wait(runtime, proc, timeout=60)
        yield LiveServer(info["url"], TOKEN, root, state, runtime, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait(runtime: Path, proc: subprocess.Popen[bytes], timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"jupyter server exited with {proc.returncode}")
        for f in runtime.glob("jpserver-*.json"):
            try:
                return json.loads(f.read_text())
            except ValueError:
                pass  # half-written
        time.sleep(0.2)
    raise TimeoutError("jupyter server did not start")


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
