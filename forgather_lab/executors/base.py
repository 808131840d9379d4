"""The executor contract: submit, watch, exit status, kill with verification, re-attach."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ..jobs.accounts import RunAs
from ..jobs.launcher import LaunchSpec
from ..models.jobs import CreateJob, DescribeJob


@dataclass
class ExecutorContext:
    """What every executor is built with (from the settings, by the runtime)."""

    state_dir: Path
    base_env: dict[str, str] = field(default_factory=dict)  # the allow-listed environment
    kill_timeout: float = 10.0
    server_url: str = ""  # where jobs call back; final once the server listens
    #: Where jobs on other machines call back instead (``public_url``); "" = ``server_url``.
    public_url: str = ""
    #: The executor's own settings (``slurm_*``, ``ray_*``), by setting name.
    options: dict[str, Any] = field(default_factory=dict)
    #: Told (on the loop) a job's engine state changed: pending reason, node, start.
    on_change: Callable[[str], None] | None = None
    #: Told (on the loop) the engine's free GPUs changed (the dispatcher re-plans).
    on_pool_change: Callable[[], None] | None = None
    #: Whose account a local job's command runs as (a shared pool run as root); None: ours.
    run_as: RunAs | None = None

    @property
    def callback_url(self) -> str:
        """The URL a job calls back to, as seen from where it runs."""
        return self.public_url or self.server_url


@dataclass(frozen=True)
class Submitted:
    """A job handed to an executor: what the job record keeps of it."""

    pid: int
    create_time: float | None
    log_path: Path
    token_hash: str | None
    #: The engine's id of the job (Slurm job id, Ray submission id); None: a local process.
    external_id: str | None = None
    #: Where it runs (Slurm's node list); None: not known yet, or this machine.
    node: str | None = None


@dataclass(frozen=True)
class EngineJob:
    """An engine's latest word on one job (remote executors only)."""

    external_id: str
    state: str  # the engine's own word: PENDING, RUNNING, COMPLETED, SUCCEEDED, ...
    phase: str  # ours: "pending" | "running" | "ended"
    reason: str | None = None  # why it is pending (Slurm's Reason: Resources, Priority, ...)
    node: str | None = None
    exit_code: int | None = None  # negative: killed by that signal


@dataclass(frozen=True)
class PoolNode:
    """A node of the engine's pool and its GPUs (``GET /gpus`` for remote executors)."""

    name: str
    gpus: int
    gpus_used: int
    state: str = ""
    gpu_name: str = "gpu"
    extra: dict[str, Any] = field(default_factory=dict)


class Executor(ABC):
    """Runs job processes for the jobs service.

    Every method is called on the event loop; blocking work goes to a thread.
    ``watch`` calls ``on_exit`` (on the loop) exactly once when the job's
    process has ended, however it ended; ``exit_code`` then says how. Other
    processes of the job may outlive it: ``lingering`` finds them and
    ``wait_gone`` waits for them (the jobs service frees the GPUs only then).
    """

    name: ClassVar[str]
    #: Whether jobs run on an engine of other machines (Slurm, Ray) rather than this one.
    remote: ClassVar[bool] = False

    def __init__(self, context: ExecutorContext) -> None:
        self.context = context
        self._listeners: list[Callable[[str], None]] = []

    def listen(self, listener: Callable[[str], None]) -> None:
        """Also tell ``listener`` (on the loop) when a job's engine state changed.

        The jobs service listens (a job the engine starts becomes ``running``);
        ``context.on_change`` is told after every listener.
        """
        self._listeners.append(listener)

    def changed(self, job_id: str) -> None:
        """The engine's word on ``job_id`` changed: tell the listeners, then the context."""
        for listener in self._listeners:
            listener(job_id)
        if self.context.on_change is not None:
            self.context.on_change(job_id)

    def job_dir(self, job_id: str) -> Path:
        """Where a job's log and bookkeeping files live."""
        return self.context.state_dir / "jobs" / job_id

    @property
    def jobs_dir(self) -> Path:
        """The parent of every job directory."""
        return self.context.state_dir / "jobs"

    def log_path(self, job_id: str) -> Path:
        """The job's combined stdout / stderr."""
        return self.job_dir(job_id) / "output.log"

    @abstractmethod
    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        """Start the job on ``gpus``; raise OSError (or ValueError) if it cannot start.

        ``job`` is the claimed record (priority, limits, ``executor_params``), for
        executors that hand it on to an engine; the local one needs only the spec.
        """

    @abstractmethod
    def watch(self, job: DescribeJob, on_exit: Callable[[], None], own_child: bool) -> None:
        """Call ``on_exit`` once the job's process has ended (at once if it already has)."""

    @abstractmethod
    async def exit_code(self, job_id: str) -> int | None:
        """How the job ended (negative: killed by that signal); None if unknown."""

    @abstractmethod
    async def is_alive(self, job: DescribeJob) -> bool:
        """Whether the job's process still runs (identity checked, not just the PID)."""

    @abstractmethod
    async def find(self, job: DescribeJob) -> Submitted | None:
        """After a restart: the process of a job claimed but not yet recorded as running."""

    @abstractmethod
    async def signal(self, job: DescribeJob, force: bool) -> str:
        """Ask every process of the job to stop (force: at once); returns the signal's name.

        Every process: also those that left the job's process group or
        session (``setsid``, ``setpgid``, a daemon's double fork).
        """

    @abstractmethod
    async def lingering(self, job: DescribeJob) -> list[int]:
        """PIDs of every process of the job still alive, wherever it went ([]: all gone).

        While this is not empty the job still occupies its GPUs, even once
        the process ``watch`` follows has ended.
        """

    @abstractmethod
    async def wait_gone(self, job: DescribeJob) -> None:
        """Return once no process of the job is alive (bound it with ``asyncio.timeout``)."""

    async def left_nothing(self, job: DescribeJob) -> bool:
        """Whether the job's process, as it ended, said that nothing of the job was left.

        True spares the jobs service the look for leftovers (``lingering``)
        at the job's end; False, the default, says nothing either way.
        """
        return False

    async def check_request(self, request: CreateJob) -> None:  # noqa: B027 - optional hook
        """Refuse (BadRequest) a job's ``executor_params`` this executor cannot honour.

        Run before a job is queued; executors without per-job settings ignore them.
        """

    async def start(self) -> None:  # noqa: B027 - optional hook
        """Get ready to run jobs (called once the event loop runs)."""

    def ready_next(self) -> None:  # noqa: B027 - optional hook
        """A job was just submitted: prepare for the next one, off the critical path."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Stop watching; jobs keep running and are found again at the next start."""

    # -- remote executors (Slurm, Ray): the engine's view ---------------------

    def engine_job(self, job_id: str) -> EngineJob | None:
        """The engine's latest word on a job handed to it (None: local, or unknown)."""
        return None

    def pool(self) -> list[PoolNode] | None:
        """The engine's nodes and GPUs, as last seen (None: this machine's GPUs count)."""
        return None

    def refresh_pool(self) -> list[PoolNode] | None:
        """Ask the engine for its nodes now (blocking: call off the loop)."""
        return self.pool()

    def engine_free_gpus(self) -> int | None:
        """GPUs the engine can start a job on now, beyond those our jobs hold.

        None: no limit of the engine's own (local GPUs are the pool; Slurm queues
        what it cannot start). Ray has no queue: the dispatcher admits a job only
        while this says there is room (0 also once ``ray_max_running`` is reached).
        """
        return None

    def service_host(self, job_id: str) -> str | None:
        """The host the server reaches a job's own server at (inference, TensorBoard).

        None: where the job announced it (loopback: a local job binds nothing else).
        """
        return None

    def serves_from(self, host: str) -> bool:
        """Whether the proxies may reach ``host`` for this executor's jobs, beyond loopback.

        Only the engine's nodes qualify: never an arbitrary host (no SSRF). Local: none.
        """
        return False
