"""Users' single-user servers of the test Hub, reached as a browser or the CLI would.

The Hub spawns them with ``SimpleLocalProcessSpawner`` (every user a process of
the Hub's account, each with a home under the Hub's directory) and
``--ForgatherLab.hub_service=forgather`` (hub_process.py), so their
``/forgather/api`` forwards the pool's routes to the Hub's service.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import httpx

from .hub_process import Hub

FINISHED = frozenset({"done", "failed", "cancelled", "aborted", "killed"})


@dataclass
class UserServer:
    """``user``'s server through the Hub's proxy, called with one of their Hub tokens."""

    hub: Hub
    user: str
    token: str

    @property
    def url(self) -> str:
        """The server's URL through the proxy (``/user/<name>/``)."""
        return f"{self.hub.url}/user/{self.user}/"

    def api(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """``/user/<name>/forgather/api/<path>`` with the user's token."""
        return httpx.request(
            method,
            f"{self.url}forgather/api/{path}",
            headers={"Authorization": f"token {self.token}"},
            timeout=15,
            follow_redirects=False,
            **kwargs,
        )

    def queue(self, code: str, name: str) -> str:
        """Queue ``python -c code`` here; the new job's id."""
        body = {
            "job_type": "command",
            "name": name,
            "job_params": {"argv": [_python(), "-c", code]},
            "requested_gpus": 0,
        }
        r = self.api("POST", "queue", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def wait_status(self, job_id: str, statuses: set[str], timeout: float = 30) -> str:
        """Poll the job (through this server) until its status is one of ``statuses``."""
        deadline = time.monotonic() + timeout
        status = "?"
        while time.monotonic() < deadline:
            status = str(self.api("GET", f"jobs/{job_id}").json()["status"])
            if status in statuses:
                return status
            time.sleep(0.2)
        raise AssertionError(f"job {job_id} stayed {status}, wanted one of {statuses}")


def start_servers(hub: Hub, users: list[str], timeout: float = 60) -> None:
    """Ask the Hub for every user's server at once (unless running), then wait for each."""
    stopped = [u for u in users if not _server(hub, u)]
    # The Hub answers a start once the server is up (or 202 after 10 s): ask in parallel.
    if stopped:
        with ThreadPoolExecutor(len(stopped)) as pool:
            list(pool.map(lambda user: hub.admin("POST", f"users/{user}/server"), stopped))
    deadline = time.monotonic() + timeout
    for user in users:
        while True:
            server = _server(hub, user)
            if server.get("ready"):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{user}'s server: {server}\n{hub.log()}")
            time.sleep(0.3)


def _server(hub: Hub, user: str) -> dict[str, Any]:
    server: dict[str, Any] = hub.admin("GET", f"users/{user}").json().get("servers", {}).get("", {})
    return server


def _python() -> str:
    import sys

    return sys.executable
