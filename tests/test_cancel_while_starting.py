"""A cancel between a job's claim and its process kills it once it has one.

``doubles.GatedExecutor`` holds the start open (a real job, a real process,
only later), which is the window a busy server or a multi-node rollback hits.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for


@pytest.fixture
def jp_server_config(state_dir: Path) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"forgather_lab": True}},
        "ForgatherLab": {
            "state_dir": str(state_dir),
            "gpu_backend": "simulated",
            "simulated_gpus": 1,
            "executor_class": "doubles.GatedExecutor",
        },
    }


async def test_a_job_cancelled_while_starting_is_killed_when_it_spawns(
    api: Any, state_dir: Path
) -> None:
    status, job = await api(
        "queue", method="POST", json_body=command("import time; time.sleep(60)")
    )
    assert status == 201, job
    await wait_for(api, job["id"], {"starting"})

    cancel = asyncio.ensure_future(api("queue", job["id"], method="DELETE"))
    await asyncio.sleep(0.3)  # the cancel is waiting on the start, not refused
    assert not cancel.done()
    (state_dir / "go").touch()
    status, reply = await cancel
    assert status == 200, reply
    ended = await wait_for(api, job["id"], {"aborted", "cancelled"})
    assert ended["pid"], ended  # it did get its process, and that was stopped
