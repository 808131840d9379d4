"""A real ``jupyter server`` subprocess with the extension and 4 simulated GPUs.

The sync ``Client``, the CLI and nbclient-run notebooks need a server that
is not on the test's own event loop (pytest-jupyter's in-process server would
deadlock a blocking HTTP call). Session-scoped: one ``ServerProcess``,
started once.
``tests/conftest.py`` imports the fixture, once for the whole session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from server_process import ServerProcess

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
    srv = ServerProcess(tmp_path_factory.mktemp("live"), token=TOKEN).start()
    try:
        yield LiveServer(srv.url + "/", TOKEN, srv.root, srv.state, srv.runtime, srv.pid)
    finally:
        srv.stop()
        srv.kill_jobs()


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.2):  # type: ignore[no-untyped-def]
    """Poll ``predicate`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError("condition not met in time")
