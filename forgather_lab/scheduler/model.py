"""What the planner reads and what it decides: plain, frozen data.

Everything here is durable state read afresh for each pass (the queue with
``queued_at``, running jobs with ``started_at`` and ``time_limit``, the GPU
policy), so a decision such as a reservation survives ``kill -9`` of the
server: the next pass after a restart computes the same one again.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

#: Statuses that end a job (as ``models.jobs.TERMINAL``, spelled out to stay a plain module).
ENDED = frozenset({"done", "failed", "aborted", "cancelled"})


@dataclass(frozen=True)
class Dependency:
    """A job a queued job waits for, with that job's status now (None: it was deleted)."""

    job_id: str
    status: str | None


@dataclass(frozen=True, slots=True)
class QueuedJob:
    """A queued job as the planner sees it. ``seq`` is its submission order."""

    job_id: str
    priority: int
    requested_gpus: int
    seq: int
    gpu_memory: int | None = None  # MiB on each of its GPUs; None: whole cards
    time_limit: float | None = None  # seconds; None: no limit
    depends_on: tuple[Dependency, ...] = ()
    queued_at: float = 0.0  # when it last entered the queue
    owner: str | None = None  # who submitted it (fair sharing, user_gpu_limit)


@dataclass(frozen=True)
class Card:
    """A GPU: its policy and its memory in MiB.

    ``free_mib`` is what NVML reports free now (it already excludes what running
    jobs use); None on simulated cards, whose ``total_mib`` is all there is.
    ``total_mib`` None: the size is unknown, so the card is only shared by nobody.
    """

    index: int
    min_priority: int = 0
    excluded: bool = False
    disabled: bool = False
    total_mib: int | None = None
    free_mib: int | None = None


@dataclass(frozen=True)
class RunningJob:
    """A starting or running job holding GPUs. ``started_at`` None: still starting."""

    job_id: str
    priority: int
    gpus: tuple[int, ...]
    gpu_memory: int | None = None
    preemptible: bool = False
    started_at: float | None = None
    time_limit: float | None = None
    preempting: bool = False  # a preemption was already asked for: it is on its way out
    owner: str | None = None

    def expected_end(self, now: float) -> float:
        """When its GPUs free at the latest: start + limit; never (inf) without a limit."""
        if self.preempting:
            return now
        if self.time_limit is None:
            return math.inf
        return (self.started_at if self.started_at is not None else now) + self.time_limit


@dataclass(frozen=True)
class PlanOptions:
    """The settings a pass runs under."""

    reservation_after: float = 600.0  # seconds waited before the first blocked job reserves
    preemption_min_priority: int = 100  # a queued job needs this much to preempt
    paused: bool = False  # plan, but start / preempt / cancel nothing
    user_gpu_limit: int = 0  # GPUs one owner's jobs may hold at once; 0: no limit
    #: Each owner's decayed GPU-seconds: among equal priorities the least used goes first.
    usage: Mapping[str, float] = field(default_factory=dict, hash=False, compare=False)


@dataclass(frozen=True)
class Reservation:
    """GPUs held for ``job_id``; nobody whose time limit ends after ``earliest_start`` gets them.

    ``earliest_start`` is ``inf`` when a card it needs is held by a job without a time
    limit; a preemption's hold starts ``now`` (nobody backfills it).
    """

    job_id: str
    gpus: tuple[int, ...]
    earliest_start: float
    preemption: bool = False


@dataclass(frozen=True)
class Plan:
    """What one pass decided.

    ``starts``: (job id, GPU indices sorted) in the order the pass chose them.
    ``preemptions``: (victim, for job). ``cancellations``: (job id, reason).
    Every queued job neither started nor cancelled has a ``positions`` entry
    (1..n, in the order the next pass considers them) and a ``reasons`` one.
    """

    starts: tuple[tuple[str, tuple[int, ...]], ...] = ()
    preemptions: tuple[tuple[str, str], ...] = ()
    cancellations: tuple[tuple[str, str], ...] = ()
    positions: Mapping[str, int] = field(default_factory=dict)
    reasons: Mapping[str, str] = field(default_factory=dict)
    reservation: Reservation | None = None

    @property
    def pending(self) -> dict[str, tuple[int, str]]:
        """Each waiting job's (position, reason)."""
        return {job_id: (i, self.reasons[job_id]) for job_id, i in self.positions.items()}
