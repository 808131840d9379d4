"""A cluster node: a real ``jupyter server`` with the extension, in its own network namespace.

``ServerProcess`` (tests/server_process.py) keeps the layout (state, root,
runtime directories, the environment); this runs it under ``ip netns exec``
and makes its HTTP calls from the LAN's client namespace.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from server_process import ServerProcess

from .lan import Host, Lan


class Node(ServerProcess):
    """One node of a test cluster."""

    def __init__(self, lan: Lan, host: Host, base: Path, *extra_args: str) -> None:
        super().__init__(base, *extra_args)
        self.lan = lan
        self.host = host

    def start(self, *args: str, timeout: float = 60) -> Node:
        """Start (again) in the node's namespace; returns once it answers over the bridge."""
        for f in self.runtime.glob("jpserver-*"):
            f.unlink()
        self.starts += 1
        log = (self.base / f"server-{self.starts}.log").open("wb")
        exe = str(Path(sys.executable).parent / "jupyter")
        self.proc = subprocess.Popen(
            [
                *("ip", "netns", "exec", self.host.ns, exe, "server"),
                "--no-browser",
                "--allow-root",
                f"--ip={self.host.address}",
                "--port=0",
                f"--IdentityProvider.token={self.token}",
                f"--ServerApp.root_dir={self.root}",
                f"--ForgatherLab.state_dir={self.state}",
                "--ForgatherLab.gpu_backend=simulated",
                "--ForgatherLab.simulated_gpus=4",
                "--ForgatherLab.seed_examples=False",
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
                raise RuntimeError(f"node exited with {self.proc.returncode}: {self.log_tail()}")
            for f in self.runtime.glob("jpserver-*.json"):
                try:
                    self.url = json.loads(f.read_text())["url"].rstrip("/")
                except (ValueError, KeyError):
                    continue
                if self._answers():
                    return self
            time.sleep(0.2)
        raise TimeoutError(f"node did not start: {self.log_tail()}")

    def request(self, method: str, *parts: str, **kwargs: Any) -> httpx.Response:
        """A call under /forgather/api with the token, from the client namespace."""
        url = f"{self.url}/forgather/api/" + "/".join(parts)
        headers = {"Authorization": f"token {self.token}"}
        return self.lan.in_client(
            httpx.request, method, url, headers=headers, timeout=30, trust_env=False, **kwargs
        )

    def log_tail(self, lines: int = 40) -> str:
        log = self.base / f"server-{self.starts}.log"
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])

    def cluster(self) -> dict[str, Any]:
        r = self.get("cluster")
        assert r.status_code == 200, r.text
        return dict(r.json())

    def member(self, node_id: str) -> dict[str, Any] | None:
        return next((m for m in self.cluster()["members"] if m["node_id"] == node_id), None)

    def wait_member(self, node_id: str, reachable: bool, timeout: float = 20) -> dict[str, Any]:
        """Poll ``GET /cluster`` until ``node_id`` is listed with ``reachable``."""
        deadline = time.monotonic() + timeout
        seen: dict[str, Any] | None = None
        while time.monotonic() < deadline:
            seen = self.member(node_id)
            if seen is not None and seen["reachable"] is reachable:
                return seen
            time.sleep(0.2)
        raise AssertionError(
            f"{node_id} not reachable={reachable} in time: {seen}\n{self.log_tail()}"
        )


@contextlib.contextmanager
def joined(nodes: list[Node]) -> Iterator[list[Node]]:
    """Start ``nodes`` at once; yield when each knows every other as reachable; stop them."""
    try:
        with ThreadPoolExecutor(len(nodes)) as threads:
            list(threads.map(lambda n: n.start(), nodes))
        for a in nodes:
            for b in nodes:
                if a is not b:
                    a.wait_member(b.cluster()["self"], reachable=True)
        yield nodes
    finally:
        for n in nodes:
            if n.proc is not None and n.proc.poll() is None:
                os.kill(n.proc.pid, signal.SIGCONT)  # a stopped node must be able to stop
            n.stop()
