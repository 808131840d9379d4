"""Jobs, the queue and the scheduler on the wire."""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, Field, model_validator

from .base import ApiModel, Model

#: The largest integer the state database stores (SQLite's signed 64-bit INTEGER).
MAX_INT64 = 2**63 - 1
#: Bounds on what one request may ask of the scheduler.
MAX_DEPENDENCIES = 100
MAX_TIME_LIMIT = 366 * 24 * 3600.0
MAX_RETRIES = 100
MAX_BATCH = 10_000

#: A job id as the API takes it (8 hex characters are minted; any short id is looked up).
JobId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")]


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


#: Where a job's ``executor_params`` are kept in its params: the jobs service
#: writes them there, an executor reads them (executors may not import jobs/).
EXECUTOR_PARAMS_KEY = "executor_params"


class DistributedLaunch(ApiModel):
    """A config job's share of a multi-node run (``POST /cluster/jobs`` sets it).

    With it the job runs torchrun in rendezvous mode (no ``--standalone``), and
    NCCL / Gloo / TensorPipe are pinned to ``iface``.
    """

    nnodes: int = Field(ge=1, le=1024)
    node_rank: int = Field(ge=0, le=1023)
    nproc_per_node: int = Field(ge=1, le=64)
    rdzv_endpoint: str = Field(max_length=300, pattern=r"^[A-Za-z0-9_.:\[\]-]+:[0-9]{1,5}$")
    rdzv_id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    is_host: bool = Field(description="this node hosts the rendezvous store (--rdzv-conf is_host)")
    local_addr: str | None = Field(
        None,
        max_length=64,
        pattern=r"^[0-9A-Fa-f.:]+$",
        description="this node's address on iface (--local-addr): what rank 0 publishes as "
        "MASTER_ADDR instead of its hostname",
    )
    iface: str | None = Field(
        None, max_length=15, pattern=r"^[A-Za-z0-9_.:@-]+$", description="*_SOCKET_IFNAME"
    )


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
    depends_on: list[JobId] = Field(
        default_factory=list,
        max_length=MAX_DEPENDENCIES,
        description="jobs that must end `done` before this one starts (one ending "
        "otherwise cancels it)",
    )
    time_limit: float | None = Field(
        None,
        gt=0,
        le=MAX_TIME_LIMIT,
        description="seconds the job may run; past it: save-stop, then kill after the grace "
        "time, and the job fails with 'time limit'",
    )
    gpu_memory: int | None = Field(
        None,
        ge=1,
        le=MAX_INT64,
        description="MiB the job needs on each of its GPUs: jobs that declare it share a "
        "card while their declarations fit; without it a job gets whole cards",
    )
    preemptible: bool = Field(
        False,
        description="a queued job of higher priority (>= preemption_min_priority) may "
        "checkpoint-stop this one and requeue it",
    )
    max_retries: int = Field(
        0, ge=0, le=MAX_RETRIES, description="requeue a failed job up to this many times"
    )
    dataset_source: str | None = Field(
        None,
        max_length=200,
        description="a registered dataset server's id (GET /dataset-servers): the job gets "
        "FORGATHER_DATASET_SERVER and FORGATHER_DATASET_SERVER_TOKEN_FILE",
    )
    executor_params: dict[str, str] = Field(
        default_factory=dict,
        max_length=20,
        description="per-job engine settings over the server's: Slurm partition, account, "
        "qos, time, extra_args",
    )
    node: str | None = Field(
        None,
        max_length=64,
        description="cluster mode, POST /queue only: the node_id to queue it on, or 'any' "
        "(the node where it can start soonest); default: this node",
    )
    distributed: DistributedLaunch | None = Field(
        None, description="training jobs: one node's part of a multi-node run (torchrun rdzv)"
    )


class UpdateQueuedJob(ApiModel):
    """``PATCH /queue/{id}``: change a queued job's priority or name."""

    priority: int | None = Field(None, ge=-1000, le=1000)
    name: str | None = Field(None, min_length=1, max_length=200)


class CreateJobBatch(ApiModel):
    """``POST /queue/batch``: many jobs in one transaction, all or none."""

    jobs: list[CreateJob] = Field(min_length=1, max_length=MAX_BATCH)


class CreateSweep(ApiModel):
    """``POST /queue/sweep``: one job per point of ``grid`` (dynamic args), one group."""

    base: CreateJob
    grid: dict[str, list[Any]] = Field(
        min_length=1, description="dynamic argument → values; the cartesian product is run"
    )


# -- what a process can be started with ----------------------------------------
#
# A job's argv and environment reach execve(2) only at dispatch, in the runner;
# whatever it would refuse there (a NUL, an ``=`` in a name, text that has no
# bytes, more than the kernel takes) is refused here, at enqueue, as a 400
# naming the field. Sizes are capped well below ARG_MAX: argv is stored with
# the job and returned by every job listing.


def _arg_max() -> int:
    try:
        return int(os.sysconf("SC_ARG_MAX"))
    except (AttributeError, ValueError, OSError):  # not POSIX, or unknown: Linux's usual
        return 2 * 1024 * 1024


#: One argument or variable, in bytes with its NUL (Linux's MAX_ARG_STRLEN is 128 KiB).
MAX_ARG_BYTES = 128 * 1024
#: argv and the job's own environment together, in bytes (each string with its NUL).
MAX_COMMAND_BYTES = min(256 * 1024, _arg_max() // 2)
MAX_ARGS = 4096
MAX_ENV_VARS = 1024


def _encoded_size(text: str) -> int:
    """Bytes ``text`` takes in an exec call, its NUL included (as ``os.fsencode`` writes it)."""
    return len(text.encode("utf-8", "surrogateescape")) + 1


def _exec_text(text: str, what: str) -> str:
    if "\x00" in text:
        raise ValueError(f"{what} contains a NUL byte, which no process can be given")
    try:
        size = _encoded_size(text)
    except UnicodeEncodeError:
        raise ValueError(f"{what} is not valid text (an unpaired UTF-16 surrogate)") from None
    if size > MAX_ARG_BYTES:
        raise ValueError(f"{what} is {size - 1} bytes; at most {MAX_ARG_BYTES - 1} are allowed")
    return text


def _argument(text: str) -> str:
    return _exec_text(text, "the argument")


def _argv(argv: list[str]) -> list[str]:
    if not argv[0]:
        raise ValueError("the command (argv[0]) is empty")
    return argv


def _env_name(name: str) -> str:
    if not name:
        raise ValueError("an environment variable name is empty")
    if "=" in name:
        raise ValueError(f"the environment variable name {name[:80]!r} contains '='")
    return _exec_text(name, "the environment variable name")


def _env_value(value: str) -> str:
    return _exec_text(value, "the environment variable's value")


def _no_nul(path: str | None) -> str | None:
    if path is not None and "\x00" in path:
        raise ValueError("the path contains a NUL byte")
    return path


#: A command line: at least the command, no NUL, each argument and the whole bounded.
Argv = Annotated[
    list[Annotated[str, AfterValidator(_argument)]],
    Field(min_length=1, max_length=MAX_ARGS),
    AfterValidator(_argv),
]
#: Environment variables a job adds: names without ``=``, nothing with a NUL.
Environment = Annotated[
    dict[Annotated[str, AfterValidator(_env_name)], Annotated[str, AfterValidator(_env_value)]],
    Field(max_length=MAX_ENV_VARS),
]
#: A directory path (whether it exists is checked by the job kind).
DirPath = Annotated[str | None, AfterValidator(_no_nul)]


def command_size(argv: list[str] | None, env: dict[str, str]) -> int:
    """Bytes ``argv`` and ``env`` take in an exec call (``NAME=value`` per variable)."""
    size = sum(_encoded_size(a) for a in argv or [])
    return size + sum(_encoded_size(k) + _encoded_size(v) - 1 for k, v in env.items())


def check_command_size(argv: list[str] | None, env: dict[str, str]) -> None:
    """Refuse a command line and environment larger than ``MAX_COMMAND_BYTES`` together."""
    size = command_size(argv, env)
    if size > MAX_COMMAND_BYTES:
        raise ValueError(
            f"the command and its environment take {size} bytes; at most "
            f"{MAX_COMMAND_BYTES} are allowed (pass big inputs in a file)"
        )


class CommandParams(ApiModel):
    """``job_params`` of a ``command`` job."""

    argv: Argv = Field(description="the command and its arguments")
    cwd: DirPath = None
    env: Environment = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        check_command_size(self.argv, self.env)
        return self


class DescribeJob(Model):
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
    node: str = Field(
        description="where it runs: 'local' (this server's machine; in cluster mode the "
        "node_id of the member running it instead) or an engine's node list (Slurm, Ray)"
    )
    created_at: float
    started_at: float | None
    ended_at: float | None
    depends_on: list[str] = Field(default_factory=list)
    time_limit: float | None = None
    gpu_memory: int | None = Field(None, description="declared MiB per GPU (shared cards)")
    preemptible: bool = False
    max_retries: int = 0
    attempt: int = Field(1, description="1 on the first run; +1 per preemption or retry")
    group: str | None = Field(None, description="the sweep or batch this job belongs to")
    rerun_of: str | None = Field(None, description="the job this one re-runs")
    queued_at: float | None = Field(
        None, description="when it last entered the queue (submission, preemption or retry)"
    )
    position: int | None = Field(
        None, description="queued jobs: 1-based place in the order the next pass considers"
    )
    pending_reason: str | None = Field(
        None,
        description=(
            "queued jobs: why it is not running yet, in a sentence; a job handed to an "
            "engine and still starting: the engine's reason (e.g. 'Slurm: Resources')"
        ),
    )
    executor: str = Field("local", description="where it runs: local | slurm | ray | ...")
    external_id: str | None = Field(
        None, description="the engine's id of the job (Slurm job id, Ray submission id)"
    )
    owner: str | None = Field(
        None,
        description=(
            "who submitted it (the Hub user in hub mode, the server's OS user otherwise); "
            "null for jobs from before owners were recorded"
        ),
    )


class JobTransition(Model):
    """One step of a job's life: when, to which status, on which attempt, and why."""

    at: float
    status: JobStatus
    attempt: int
    reason: str | None = None


class JobHistory(Model):
    """``GET /jobs/{id}/history``: every transition, oldest first."""

    job_id: str
    transitions: list[JobTransition]


class JobsNode(Model):
    """One node of ``GET /jobs?scope=cluster``: whether its jobs could be read, and why not."""

    node_id: str
    hostname: str
    is_self: bool
    reachable: bool
    total: int | None = None
    message: str | None = None


class ListJobs(Model):
    """A page of jobs."""

    jobs: list[DescribeJob]
    total: int | None = None
    nodes: list[JobsNode] | None = Field(
        None, description="scope=cluster: every node asked, reachable or not"
    )
    unreachable: list[str] | None = Field(
        None, description="scope=cluster: the node_ids whose jobs are missing"
    )


class ListJobsQuery(ApiModel):
    """``GET /jobs`` filters and paging."""

    status: str | None = Field(None, description="comma-separated statuses")
    owner: str | None = Field(None, max_length=256, description="only this user's jobs")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_INT64)
    before: str | None = Field(
        None,
        max_length=64,
        description="a cursor: the page starts after this job id (the last id of the "
        "previous page), as fast at any depth; offset then counts from there",
    )
    scope: Literal["node", "cluster"] = Field(
        "node",
        description="cluster: every reachable node's jobs (each with its node), newest "
        "first; limit applies per node and to the whole, offset and before per node",
    )


class DescribeScheduler(Model):
    """Whether the scheduler dispatches, and what it holds."""

    enabled: bool
    queued: int
    running: int


class UpdateScheduler(ApiModel):
    """``POST /queue/scheduler``: pause or resume."""

    enabled: bool


class KillResult(Model):
    """What a kill did."""

    job: DescribeJob
    signal: str
    exited: bool
    lingering: list[int]


class CleanupResult(Model):
    """``POST /jobs/cleanup`` and ``POST /jobs/gc``."""

    removed: int
    removed_ids: list[str] = Field(default_factory=list)


class TtyQuery(ApiModel):
    """``GET /jobs/{id}/tty``."""

    max_bytes: int = Field(256 * 1024, ge=1, le=32 * 1024 * 1024)
    follow: int = Field(0, ge=0, le=1, description="1 = WebSocket follow (backlog, then live)")
