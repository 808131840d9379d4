"""Fixtures: a real Slurm (munged + slurmctld + slurmd) and a real Ray head, once per module.

Each is skipped only when its programs are not installed (scripts/setup-engines.sh
installs them); under CI a missing one is a failure, since CI installs them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.models.jobs import DescribeJob, JobStatus

from .ray_cluster import RayHead, ray_binary
from .slurm_cluster import SlurmCluster, missing_binaries


def _unavailable(what: str) -> None:
    message = f"{what} is not installed: run scripts/setup-engines.sh"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def slurm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SlurmCluster]:
    """A one-node Slurm with 4 fake GPUs; SLURM_CONF set for this process meanwhile."""
    missing = missing_binaries()
    if missing:
        _unavailable(f"Slurm ({', '.join(missing)})")
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    before = os.environ.get("SLURM_CONF")
    try:
        cluster.start()
        os.environ["SLURM_CONF"] = str(cluster.conf)
        yield cluster
    finally:
        cluster.stop()
        if before is None:
            os.environ.pop("SLURM_CONF", None)
        else:
            os.environ["SLURM_CONF"] = before


@pytest.fixture(scope="module")
def ray_head() -> Iterator[RayHead]:
    """A local Ray head with 4 declared GPUs (its own ports and temp dir)."""
    if ray_binary() is None:
        _unavailable("Ray (the venv's ray)")
    import tempfile

    # Ray's unix sockets live under its temp dir: pytest's paths are too long for them.
    head = RayHead(Path(tempfile.mkdtemp(prefix="fl-ray-")))
    try:
        head.start()
        yield head
    finally:
        head.stop()


def job_record(job_id: str, **fields: Any) -> DescribeJob:
    """A claimed job record, as the jobs service hands one to an executor."""
    record: dict[str, Any] = {
        "id": job_id,
        "name": job_id,
        "job_type": "command",
        "status": JobStatus.STARTING,
        "priority": 0,
        "requested_gpus": 1,
        "gpus": [0],
        "params": {},
        "pid": None,
        "pid_create_time": None,
        "exit_code": None,
        "error": None,
        "log_path": None,
        "node": "local",
        "created_at": time.time(),
        "started_at": None,
        "ended_at": None,
    }
    record.update(fields)
    return DescribeJob.model_validate(record)


def state_dir(tmp: Path) -> Path:
    d = tmp / "state"
    d.mkdir(mode=0o700, exist_ok=True)
    return d
