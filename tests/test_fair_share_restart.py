"""Fair-share usage survives a restart: a real hub-mode server process, stopped and started.

Alice uses the whole pool (4 GPUs) for a while; after the restart her next job, though
queued first, waits behind bob's (he has used nothing).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from identity_helpers import auth
from server_process import ServerProcess

pytestmark = pytest.mark.timeout(180)

TESTS = Path(__file__).parent


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    srv = ServerProcess(
        tmp_path,
        "--ServerApp.identity_provider_class=identity_helpers.TokenUsers",
        "--ForgatherLab.mode=hub",
        token="admin-token",
        env={"PYTHONPATH": str(TESTS)},
    )
    yield srv
    srv.stop()
    srv.kill_jobs()


def submit(server: ServerProcess, user: str, code: str) -> dict[str, Any]:
    body = {
        "job_type": "command",
        "job_params": {"argv": [sys.executable, "-c", code]},
        "requested_gpus": 4,  # the whole pool: one job at a time
    }
    reply = httpx.post(
        f"{server.url}/forgather/api/queue", json=body, headers=auth(user), timeout=30
    )
    assert reply.status_code == 201, reply.text
    return reply.json()  # type: ignore[no-any-return]


def positions(server: ServerProcess, want: int) -> dict[str, int]:
    deadline = time.monotonic() + 20
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        seen = {j["id"]: j["position"] for j in server.get("queue").json()["jobs"]}
        if len(seen) == want and None not in seen.values():
            return seen
        time.sleep(0.1)
    raise AssertionError(f"no positions: {seen}")


def test_usage_persists_across_a_restart(server: ServerProcess) -> None:
    server.start()
    used = submit(server, "alice", "import time; time.sleep(1.5)")
    assert server.wait_job(used["id"], {"done"}, timeout=60)["owner"] == "alice"
    server.stop()
    server.start("--ForgatherLab.scheduler_enabled=False")
    assert server.get("health").json()["admin"] is True
    mine = submit(server, "alice", "pass")
    bobs = submit(server, "bob", "pass")
    # Same priority, one round: the least used goes first, though alice queued first.
    assert positions(server, 2) == {bobs["id"]: 1, mine["id"]: 2}
