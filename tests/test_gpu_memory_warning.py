"""A job using more GPU memory than it declared (``gpu_memory``) is warned about, once.

The card here reports real-looking telemetry (not simulated), as NVML would:
only real usage counts, since simulated cards invent theirs.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from forgather_lab.events import Event, EventBus
from forgather_lab.gpus.backend import GpuBackend, GpuInfo, GpuProcess
from forgather_lab.gpus.service import GpuService
from forgather_lab.models.jobs import DescribeJob, JobStatus
from forgather_lab.store import Database

MIB = 2**20


# The card's process is a child leading its own session, as a job's runner does
# (a job's processes share the session its runner leads). Not this test's own
# session: under a container's PID namespace its leader may be outside it, and
# then getsid() says 0, which maps to no job.


class OneBusyCard(GpuBackend):
    """One 24 GiB card whose only process (``pid``) uses ``used`` bytes."""

    name = "one-busy-card"

    def __init__(self, pid: int, used: int) -> None:
        self.pid = pid
        self.used = used

    def count(self) -> int:
        return 1

    def snapshot(self) -> list[GpuInfo]:
        return [
            GpuInfo(
                0,
                "Card",
                "GPU-0",
                24 * 2**30,
                self.used,
                50,
                40,
                100.0,
                processes=[GpuProcess(self.pid, self.used)],
            )
        ]


def _job(pid: int, gpu_memory: int | None) -> DescribeJob:
    return DescribeJob(
        id="abcd1234",
        name="packed",
        job_type="command",
        status=JobStatus.RUNNING,
        priority=0,
        requested_gpus=1,
        gpus=[0],
        params={},
        pid=pid,
        pid_create_time=None,
        exit_code=None,
        error=None,
        log_path=None,
        node="local",
        created_at=time.time(),
        started_at=time.time(),
        ended_at=None,
        gpu_memory=gpu_memory,
    )


@pytest.fixture
def runner() -> Iterator[int]:
    """A job runner's stand-in: a session leader, so its sid is its pid."""
    proc = subprocess.Popen(["sleep", "60"], start_new_session=True)
    yield proc.pid
    proc.kill()
    proc.wait()


async def _warnings(
    tmp_path: Path, runner: int, used: int, declared: int | None, samples: int
) -> list[Event]:
    db = Database(tmp_path / "state.db")
    db.open()
    bus = EventBus()
    seen: list[Event] = []
    bus.listen(lambda e: seen.append(e) if e.type == "gpu_memory_exceeded" else None)

    async def active() -> list[DescribeJob]:
        return [_job(runner, declared)]

    service = GpuService(db, bus, OneBusyCard(runner, used), set(), active)
    try:
        for _ in range(samples):
            await service.describe_pool()
    finally:
        db.close()
    return seen


async def test_over_declared_use_is_warned_once(tmp_path: Path, runner: int) -> None:
    seen = await _warnings(tmp_path, runner, used=9000 * MIB, declared=8000, samples=3)
    assert len(seen) == 1
    data = seen[0].data
    assert (data["job_id"], data["gpu"], data["declared_mib"], data["used_mib"]) == (
        "abcd1234",
        0,
        8000,
        9000,
    )
    assert "declared 8000 MiB" in data["message"]


async def test_use_within_the_declaration_or_without_one_is_quiet(
    tmp_path: Path, runner: int
) -> None:
    assert await _warnings(tmp_path, runner, used=7000 * MIB, declared=8000, samples=2) == []
    assert await _warnings(tmp_path, runner, used=20000 * MIB, declared=None, samples=2) == []
