"""Replaceable parts for tests, plugged in through configuration (never monkeypatching).

Each is a real subclass of the part it stands in for: a GPU backend with two
fixed cards, an executor that runs jobs locally and keeps a ledger, and a job
kind loaded through the ``forgather_lab.job_kinds`` entry points.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

from forgather_lab.executors.base import Submitted
from forgather_lab.executors.local import LocalExecutor
from forgather_lab.gpus.backend import GpuBackend, GpuInfo
from forgather_lab.jobs.kinds import ConfigResolver, JobKind
from forgather_lab.jobs.launcher import LaunchSpec
from forgather_lab.models.jobs import CreateJob, DescribeJob


class TwoCardBackend(GpuBackend):
    """Two idle cards with fixed telemetry."""

    name = "two-cards"

    def count(self) -> int:
        return 2

    def snapshot(self) -> list[GpuInfo]:
        return [
            GpuInfo(i, "Test Card", f"GPU-test-{i}", 8 * 2**30, 0, 0, 30, 10.0) for i in range(2)
        ]


class LedgerExecutor(LocalExecutor):
    """The local executor, writing each submitted job id to ``<state_dir>/ledger``."""

    name = "ledger"

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        with (self.context.state_dir / "ledger").open("a") as f:
            f.write(f"{job_id} {','.join(map(str, gpus))}\n")
        return await super().submit(job_id, spec, gpus, job=job)


class GatedExecutor(LocalExecutor):
    """The local executor, holding every job between its claim and its process
    until ``<state_dir>/go`` exists (a test opens the gate when it has acted)."""

    name = "gated"

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        gate = self.context.state_dir / "go"
        for _ in range(1500):  # at most 30 s
            if gate.exists():
                break
            await asyncio.sleep(0.02)
        return await super().submit(job_id, spec, gpus, job=job)


class EchoKind(JobKind):
    """``echo``: prints ``job_params.text`` (a kind from another package)."""

    name = "echo"

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        text = request.job_params.get("text")
        if not isinstance(text, str):
            from forgather_lab.errors import BadRequest

            raise BadRequest("job_params.text: an echo job needs a string to print")
        return {"text": text}

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        return LaunchSpec([sys.executable, "-c", f"print({params['text']!r})"])


def install_entry_point(site: Path, group: str, name: str, target: str) -> None:
    """Make ``site`` look like an installed distribution declaring one entry point."""
    info = site / "forgather_test_plugin-1.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: forgather-test-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[{group}]\n{name} = {target}\n")


class CountingBackend(GpuBackend):
    """Simulated cards that count how often they are sampled (a class-wide tally)."""

    name = "counting"
    simulated = True
    samples = 0

    def __init__(self) -> None:
        from forgather_lab.gpus.simulated import SimulatedBackend

        self._cards = SimulatedBackend(2)

    def count(self) -> int:
        return self._cards.count()

    def snapshot(self) -> list[GpuInfo]:
        CountingBackend.samples += 1
        return self._cards.snapshot()
