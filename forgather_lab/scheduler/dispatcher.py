"""The dispatcher: plans when something changed, and acts on the plan.

It wakes on events (a job queued, reordered or ended, a GPU policy changed,
the scheduler paused or resumed) plus a slow safety tick, never on a fast
poll. Each pass reads durable state in one go (``Snapshot``), calls the pure
planner and acts: cancels jobs whose dependency failed, asks the jobs service
to preempt victims (it works in the background; the preemptor holds their
cards until a later pass starts it) and starts what the plan chose. While
paused it still plans, so every queued job says why it waits, and acts on
nothing. After a pass whose positions or reasons changed it publishes
``queue_changed`` (which does not wake it, so there is no loop).

Over 500 lines, one class on purpose: the pass, the views it keeps between
passes, the starts in flight and the annotations of ``GET /queue`` all read
and write the same per-pass state; the pure decisions are ``planner.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import attrgetter, eq, is_, itemgetter
from typing import cast

from ..events import Event, EventBus
from ..models.jobs import DescribeJob, JobStatus
from ..tasks import wait_set
from .fairness import effective_usage
from .model import Card, Dependency, Plan, PlanOptions, QueuedJob, RunningJob
from .planner import extend_paused, plan
from .reasons import gpu_list

log = logging.getLogger("forgather_lab.scheduler")

WAKE_ON = {
    "job_queued",
    "job_status_changed",
    "gpu_policy_changed",
    "scheduler_changed",
    "queue_reordered",
}
#: The longest rest after a pass (seconds), however long the pass took.
PASS_REST_MAX = 1.0
#: The shortest rest after a paused pass (seconds): its plan only says where each job
#: waits, and a paused queue that submissions grow would otherwise be planned at
#: every one of them. Resuming cuts the rest short.
PAUSED_REST = 0.025
#: The reason of a queued job no pass has considered yet (just queued, or just started).
NOT_PLANNED = "waiting for the scheduler's next pass"


@dataclass(frozen=True)
class Snapshot:
    """What one pass reads, all from one moment of the store (and the GPU backend)."""

    queued: list[DescribeJob]  # in dispatch order: priority descending, then submission
    active: list[DescribeJob]  # starting and running
    cards: list[Card]
    now: float
    # status of every job a queued job depends on; an id missing here was deleted
    dependencies: Mapping[str, str] = field(default_factory=dict)
    #: Each queued job's submission number in the store, the same at every read (so the
    #: planner's view of a job is kept between passes); None: their places in ``queued``.
    seqs: Sequence[int] | None = None


@dataclass(frozen=True)
class _Viewed:
    """A pass's queue as it read it (copies) and the planner's view it made of it."""

    queued: list[DescribeJob]
    seqs: list[int]
    dependencies: dict[str, str]
    inflight: set[str]
    views: list[QueuedJob]


_OWNER = attrgetter("owner")
_ID = attrgetter("id")

#: A queued job's view as a pass made it: (record, seq, dependency statuses, view).
_Entry = tuple[DescribeJob, int, tuple[str | None, ...], QueuedJob]
_RECORD, _SEQ, _VIEW = itemgetter(0), itemgetter(1), itemgetter(3)
_MISSING = cast(_Entry, (None, -1, (), None))  # no entry: its None is no record

SnapshotReader = Callable[[], Awaitable[Snapshot]]
#: Starts a job on cards; True when it holds them now (started, or handed to an engine).
Starter = Callable[[DescribeJob, list[int]], Awaitable["bool | None"]]
#: (job id, reason): the jobs service's ``preempt`` and ``cancel_queued``.
JobAction = Callable[[str, str], Awaitable[None]]
#: Each owner's stored decayed GPU-seconds at a time (``jobs.fair_share.FairShare.usage``).
UsageReader = Callable[[float], Awaitable[Mapping[str, float]]]


class Dispatcher:
    """Owns the dispatch loop; ``enabled`` pauses it without losing the queue."""

    def __init__(
        self,
        bus: EventBus,
        snapshot: SnapshotReader,
        start_job: Starter,
        *,
        preempt: JobAction,
        cancel_queued: JobAction,
        being_preempted: Callable[[], Collection[str]] | None = None,
        enabled: bool = True,
        tick: float = 30.0,
        reservation_after: float = 600.0,
        preemption_min_priority: int = 100,
        usage: UsageReader | None = None,
        user_gpu_limit: int = 0,
    ) -> None:
        self.bus = bus
        self._usage = usage
        self.user_gpu_limit = user_gpu_limit
        self._resumed = asyncio.Event()  # set by resuming: ends a paused pass's rest
        self.enabled = enabled
        self.tick = tick
        self.reservation_after = reservation_after
        self.preemption_min_priority = preemption_min_priority
        self._snapshot = snapshot
        self._start_job = start_job
        self._preempt = preempt
        self._cancel_queued = cancel_queued
        # The durable view of preemptions in flight (they survive a restart); the
        # dispatcher's own set covers the moment between asking and the mark.
        self._being_preempted = being_preempted
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self._preempting: set[str] = set()  # victims asked to go, until they are no longer active
        # What the last pass said of queued jobs: positions, and reasons (also for
        # those it started or cancelled, until the store says so too).
        self._positions: Mapping[str, int] = {}
        self._reasons: dict[str, str] = {}
        #: job id -> (record, its annotated copy, the pass's token), reused by ``annotate``.
        self._annotated: dict[str, tuple[DescribeJob, DescribeJob, object]] = {}
        self._said = object()  # a new one whenever a pass changes positions or reasons
        # Starts handed out by a pass and not finished yet (claim, spawn, record), by
        # job: the next pass treats their cards as taken and does not place them again.
        self._starting: dict[str, tuple[DescribeJob, tuple[int, ...]]] = {}
        #: job id -> (record, seq, its dependencies' statuses, the planner's view of it).
        self._planned: dict[str, _Entry] = {}
        self._viewed: _Viewed | None = None  # the last pass's queue and its view, as given
        self._grew_from: int | None = None  # views kept from the last pass, when only grown
        # The last pass's plan and its queue's owners, when it was paused (None if not).
        self._paused: tuple[Plan, set[str | None]] | None = None
        self._start_tasks: set[asyncio.Task[bool]] = set()
        self.last_plan = Plan()
        self.passes = 0

    def start(self) -> None:
        """Begin dispatching (on the running loop)."""
        if self._task is not None:
            return
        self._unlisten = self.bus.listen(self._on_event)
        self._task = asyncio.create_task(self._run(), name="forgather-dispatcher")
        self.wake()

    async def stop(self) -> None:
        """Stop dispatching; running jobs are not touched."""
        if self._unlisten:
            self._unlisten()
            self._unlisten = None
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        starts = list(self._start_tasks)
        for task in starts:
            task.cancel()
        await asyncio.gather(*starts, return_exceptions=True)

    @property
    def enabled(self) -> bool:
        """Whether passes start jobs (False: paused, the queue planned and kept)."""
        return self._enabled

    @enabled.setter
    def enabled(self, value: bool) -> None:
        self._enabled = value
        if value:
            self._resumed.set()
        else:
            self._resumed.clear()

    def wake(self) -> None:
        """Ask for a pass as soon as possible."""
        self._wake.set()

    def _on_event(self, event: Event) -> None:
        if event.type not in WAKE_ON:
            return
        if event.type == "job_status_changed" and not self._moves_the_plan(event.data):
            return
        self._wake.set()

    def _moves_the_plan(self, change: Mapping[str, object]) -> bool:
        """Whether a job's new status can change what a pass decides.

        A job becoming ``starting`` was claimed by a pass of ours (its start, in
        flight, already holds its cards); one becoming ``running`` holds the same
        cards as before and only fixes when its time limit ends it, which matters
        to a reservation alone. In a drain these are two of every job's three
        changes: passes for them would only repeat the last one.
        """
        status = change.get("status")
        if status == JobStatus.STARTING.value:
            return False
        if status == JobStatus.RUNNING.value and change.get("previous") == JobStatus.STARTING.value:
            return self.last_plan.reservation is not None
        return True

    async def _run(self) -> None:
        while True:
            await wait_set(self._wake, self.tick)
            self._wake.clear()
            started = time.perf_counter()
            paused = not self.enabled
            try:
                await self.dispatch_once(wait=False)
            except asyncio.CancelledError:
                raise
            except Exception:  # a bad pass must not kill the loop; the next one retries
                log.exception("dispatch pass failed")
            # A pass reads and plans the whole queue. Back to back, at one per
            # submission, a long queue would keep the server doing nothing else;
            # resting as long as the pass took leaves it at least half the time
            # (a pass over a short queue takes about a millisecond: no delay).
            # The starts it handed out are not part of it: they go on meanwhile.
            rest = min(PASS_REST_MAX, time.perf_counter() - started)
            if paused and not self.enabled:
                await wait_set(self._resumed, max(rest, PAUSED_REST))
            else:
                await asyncio.sleep(rest)

    async def dispatch_once(self, *, wait: bool = True) -> Plan:
        """One pass: plan (also while paused) and, unless paused, act on the plan.

        ``wait=False`` (the loop's): return once the starts are handed out; each
        goes on in the background, its cards held for later passes until it is done.
        """
        self.passes += 1
        # Taken before the read: a start that ends while the snapshot is read may
        # or may not be in it, so it still counts as in flight for this pass.
        inflight = dict(self._starting)
        snap = await self._snapshot()
        paused = not self.enabled
        self._preempting &= {j.id for j in snap.active}
        going = set(self._being_preempted()) if self._being_preempted else set()
        going |= self._preempting
        running = [_running(j, j.id in going) for j in snap.active if j.gpus]
        active = {j.id for j in snap.active}
        running += [
            # Not a preemption victim before it is recorded as started.
            _running(job.model_copy(update={"gpus": list(gpus), "preemptible": False}), False)
            for job_id, (job, gpus) in inflight.items()
            if gpus and job_id not in active
        ]
        usage: dict[str, float] = {}
        if self._usage is not None:
            usage = effective_usage(await self._usage(snap.now), running, snap.now)
        views = self._planner_view(snap, inflight)
        decided = self._paused_extension(views) if paused else None
        if decided is None:
            decided = plan(
                views,
                snap.cards,
                running,
                snap.now,
                PlanOptions(
                    self.reservation_after,
                    self.preemption_min_priority,
                    paused,
                    user_gpu_limit=self.user_gpu_limit,
                    usage=usage,
                ),
            )
            self._paused = (decided, set(map(_OWNER, views))) if paused else None
        self.last_plan = decided
        said = self._reasons_of(decided)
        for job_id, (_, gpus) in inflight.items():  # until the store says they are starting
            said.setdefault(job_id, f"starting on {gpu_list(gpus)}" if gpus else "starting")
        changed = said != self._reasons or decided.positions != self._positions
        self._positions, self._reasons = decided.positions, said
        if changed:
            self._said = object()
        if not paused:
            await self._act(decided, wait)
        if changed:
            self.bus.publish("queue_changed")
        return decided

    def _paused_extension(self, views: list[QueuedJob]) -> Plan | None:
        """This paused pass's plan as the last paused one extended (``extend_paused``),
        when the queue only grew at its end since and one owner (or none) queues it all;
        else None (plan it whole)."""
        if self._paused is None or self._grew_from is None:
            return None
        last, owners = self._paused
        added = views[self._grew_from :]
        owners = owners | set(map(_OWNER, added))
        if len(owners) > 1:
            return None  # fair sharing: another owner's job may go ahead of the last ones
        decided = extend_paused(last, added)
        self._paused = (decided, owners)
        return decided

    def _planner_view(self, snap: Snapshot, inflight: Mapping[str, object]) -> list[QueuedJob]:
        """The queue as the planner reads it, less the starts in flight.

        A record the store did not change (the same object: the repository keeps
        its queue between reads), at the same seq and with its dependencies where
        they were, is the same ``QueuedJob`` as last pass: a pass over a long queue
        builds views only of what changed.
        """
        seqs = snap.seqs if snap.seqs is not None else range(len(snap.queued))
        deps = snap.dependencies
        last, queued = self._viewed, snap.queued
        n = len(last.queued) if last is not None else 0
        if (
            last is not None
            and len(queued) >= n
            and last.inflight == inflight.keys()
            and last.dependencies == deps
            # Compared in C, identity first: true when the queue only grew at its end,
            # which is what submissions do to a paused (or full) pool's long queue.
            and queued[:n] == last.queued
            and list(seqs[:n]) == last.seqs
        ):
            out = last.views + self._views_of(queued[n:], seqs[n:], deps, inflight, self._planned)
            self._grew_from = len(last.views)
        else:
            kept = self._kept_views(queued, seqs, deps, inflight, last)
            if kept is None:
                fresh: dict[str, _Entry] = {}
                out = self._views_of(queued, seqs, deps, inflight, fresh)
                self._planned = fresh
            else:
                out = kept
            self._grew_from = None
        self._viewed = _Viewed(list(queued), list(seqs), dict(deps), set(inflight), out)
        return out

    def _kept_views(
        self,
        queued: Sequence[DescribeJob],
        seqs: Sequence[int],
        deps: Mapping[str, str],
        inflight: Mapping[str, object],
        last: _Viewed | None,
    ) -> list[QueuedJob] | None:
        """The views of ``queued`` when each is kept from the last pass, else None.

        Kept: the same record at the same seq, with its dependencies where they
        were. That is a queue that only lost jobs since, as a drain's does at
        every pass; the checks and the gathering run in C (``map``), where the
        loop of ``_views_of`` takes a step of Python per queued job.
        """
        if last is None or last.dependencies != deps:
            return None
        ids = list(map(_ID, queued))
        entries = list(map(self._planned.get, ids, repeat(_MISSING)))
        if not all(map(is_, map(_RECORD, entries), queued)):
            return None
        if not all(map(eq, map(_SEQ, entries), seqs)):
            return None
        self._planned = dict(zip(ids, entries, strict=True))
        views = list(map(_VIEW, entries))
        if inflight:  # starts handed out the store does not show yet
            views = [view for view in views if view.job_id not in inflight]
        return views

    def _views_of(
        self,
        queued: Sequence[DescribeJob],
        seqs: Sequence[int],
        deps: Mapping[str, str],
        inflight: Mapping[str, object],
        fresh: dict[str, _Entry],
    ) -> list[QueuedJob]:
        """The views of ``queued``, each kept from the last pass where it can be, into ``fresh``."""
        kept = self._planned
        out: list[QueuedJob] = []
        for job, seq in zip(queued, seqs, strict=True):
            job_id = job.id
            if job_id in inflight:
                continue
            statuses = tuple(deps.get(d) for d in job.depends_on) if job.depends_on else ()
            entry = kept.get(job_id)
            if entry is None or entry[0] is not job or entry[1] != seq or entry[2] != statuses:
                entry = (job, seq, statuses, _queued(job, seq, statuses))
            fresh[job_id] = entry
            out.append(entry[3])
        return out

    def _reasons_of(self, decided: Plan) -> dict[str, str]:
        said = dict(decided.reasons)
        for job_id, gpus in decided.starts:
            said[job_id] = f"starting on {gpu_list(gpus)}" if gpus else "starting"
        for job_id, why in decided.cancellations:
            said[job_id] = f"being cancelled: {why}"
        return said

    async def _act(self, decided: Plan, wait: bool) -> None:
        queued = self._planned  # what this pass planned from, by job id
        for job_id, why in decided.cancellations:
            await self._attempt(self._cancel_queued(job_id, why), f"cancel job {job_id}")
        for victim, for_job in decided.preemptions:
            self._preempting.add(victim)
            why = f"preempted for job {for_job} (priority {queued[for_job][0].priority})"
            await self._attempt(self._preempt(victim, why), f"preempt job {victim}")
        # Starts run side by side: each waits on the store and a spawn, and the
        # plan gave them distinct cards, so one pass of 8 starts costs about one.
        # The next pass need not wait for them (a drain's exits come meanwhile).
        tasks = [self._begin_start(queued[job_id][0], gpus) for job_id, gpus in decided.starts]
        if wait and tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _begin_start(self, job: DescribeJob, gpus: tuple[int, ...]) -> asyncio.Task[bool]:
        self._starting[job.id] = (job, tuple(gpus))
        task = asyncio.create_task(self._start(job, gpus), name=f"forgather-start-{job.id}")
        self._start_tasks.add(task)

        def done(_: asyncio.Task[bool]) -> None:
            self._start_tasks.discard(task)
            self._starting.pop(job.id, None)
            # A start that did not happen (cancelled meanwhile, failed) gives its cards
            # back only now, and publishes nothing that wakes us. One that did leaves
            # them taken, by a job the store now has active: nothing a pass would see
            # differently (in a drain, half the passes were for this).
            if task.cancelled() or task.exception() is not None or not task.result():
                self._wake.set()

        task.add_done_callback(done)
        return task

    async def _start(self, job: DescribeJob, gpus: tuple[int, ...]) -> bool:
        # The start's coroutine is made here, inside the task: a task cancelled
        # before it ran (``stop``) leaves none behind that was never awaited.
        return await self._attempt(self._start_job(job, list(gpus)), f"start {job.id}") is True

    async def _attempt(self, action: Awaitable[object], what: str) -> object:
        # One failed action (a job cancelled meanwhile, a launcher error) must not
        # keep the rest of the plan from happening; the next pass replans anyway.
        try:
            return await action
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("could not %s", what)
            return None

    def annotate(self, jobs: list[DescribeJob]) -> list[DescribeJob]:
        """Copies of ``jobs`` with ``position`` and ``pending_reason`` from the last pass.

        Set for queued jobs (None for the others); a queued job no pass has seen
        yet says so. A starting job keeps the reason it carries: an engine's (it
        waits in Slurm's queue, say), which the pass knows nothing of.
        """
        out = []
        kept = self._annotated
        if len(kept) > 2 * len(self._positions) + 1000:  # drop the copies of jobs gone
            kept = self._annotated = {k: v for k, v in kept.items() if k in self._positions}
        said = self._said  # stands for this pass's positions and reasons
        for job in jobs:
            # The same record, annotated by the same pass, is the same copy as last
            # time: a poll of the whole queue makes none, reads no field, and its JSON
            # is reused too (models/encoding.py).
            entry = kept.get(job.id)
            if entry is not None and entry[0] is job and entry[2] is said:
                out.append(entry[1])
                continue
            position: int | None = None
            reason: str | None = None
            if job.status == JobStatus.QUEUED:
                position = self._positions.get(job.id)
                reason = self._reasons.get(job.id, NOT_PLANNED)
            elif job.status == JobStatus.STARTING:
                reason = job.pending_reason
            if job.position == position and job.pending_reason == reason:
                copy = job
            elif (
                entry is not None
                and entry[0] is job
                and (
                    entry[1].position,
                    entry[1].pending_reason,
                )
                == (position, reason)
            ):
                copy = entry[1]  # a later pass that said the same of it
            else:
                copy = job.model_copy(update={"position": position, "pending_reason": reason})
            kept[job.id] = (job, copy, said)
            out.append(copy)
        return out


def _queued(job: DescribeJob, seq: int, statuses: tuple[str | None, ...]) -> QueuedJob:
    return QueuedJob(
        job_id=job.id,
        priority=job.priority,
        requested_gpus=job.requested_gpus,
        seq=seq,
        gpu_memory=job.gpu_memory,
        time_limit=job.time_limit,
        depends_on=tuple(map(Dependency, job.depends_on, statuses)),
        queued_at=job.queued_at if job.queued_at is not None else job.created_at,
        owner=job.owner,
    )


def _running(job: DescribeJob, preempting: bool) -> RunningJob:
    return RunningJob(
        job_id=job.id,
        priority=job.priority,
        gpus=tuple(job.gpus),
        gpu_memory=job.gpu_memory,
        preemptible=job.preemptible,
        started_at=job.started_at,
        time_limit=job.time_limit,
        preempting=preempting,
        owner=job.owner,
    )
