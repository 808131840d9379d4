"""Jobs, the queue and the scheduler on the wire."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from .base import ApiModel


class JobStatus(StrEnum):
    """queued → starting → running → done | failed | aborted; queued → cancelled."""

    QUEUED = "queued"
    STARTING = "starting"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    ABORTED = "aborted"
    CANCELLED = "cancelled"


TERMINAL = frozenset({JobStatus.DONE, JobStatus.FAILED, JobStatus.ABORTED, JobStatus.CANCELLED})
ACTIVE = frozenset({JobStatus.STARTING, JobStatus.RUNNING})


class CreateJob(ApiModel):
    """``POST /queue``: put a job on the queue."""

    job_type: str = Field(description="command | training | eval (inference, tensorboard later)")
    job_params: dict[str, Any] = Field(
        default_factory=dict, description="kind-specific: command takes argv, cwd, env"
    )
    requested_gpus: int | None = Field(
        None, ge=0, description="GPUs the job needs (0 = none); default: the config's, else 0"
    )
    priority: int = Field(0, ge=-1000, le=1000, description="higher runs first")
    name: str | None = Field(None, max_length=200)
    project_dir: str | None = None
    config: str | None = None
    dynamic_args: dict[str, Any] = Field(default_factory=dict)


class CommandParams(ApiModel):
    """``job_params`` of a ``command`` job."""

    argv: list[str] = Field(min_length=1, description="the command and its arguments")
    cwd: str | None = None
    env: dict[str, str] = Field(default_factory=dict)


class DescribeJob(BaseModel):
    """A job record, from enqueue to the end."""

    id: str
    name: str
    job_type: str
    status: JobStatus
    priority: int
    requested_gpus: int
    gpus: list[int]
    params: dict[str, Any]
    pid: int | None
    pid_create_time: float | None
    exit_code: int | None
    error: str | None
    log_path: str | None
    node: str
    created_at: float
    started_at: float | None
    ended_at: float | None


class ListJobs(BaseModel):
    """A page of jobs."""

    jobs: list[DescribeJob]
    total: int | None = None


class ListJobsQuery(ApiModel):
    """``GET /jobs`` filters and paging."""

    status: str | None = Field(None, description="comma-separated statuses")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0)


class DescribeScheduler(BaseModel):
    """Whether the scheduler dispatches, and what it holds."""

    enabled: bool
    queued: int
    running: int


class UpdateScheduler(ApiModel):
    """``POST /queue/scheduler``: pause or resume."""

    enabled: bool


class KillResult(BaseModel):
    """What a kill did."""

    job: DescribeJob
    signal: str
    exited: bool
    lingering: list[int]


class CleanupResult(BaseModel):
    """``POST /jobs/cleanup`` and ``POST /jobs/gc``."""

    removed: int
    removed_ids: list[str] = Field(default_factory=list)


class TtyQuery(ApiModel):
    """``GET /jobs/{id}/tty``."""

    max_bytes: int = Field(256 * 1024, ge=1, le=32 * 1024 * 1024)
    follow: int = Field(0, ge=0, le=1, description="1 = WebSocket follow (backlog, then live)")
