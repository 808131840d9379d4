"""The planner: one pass over the queue, as a pure, deterministic function.

It extends the Forgather algorithm (``placement.place``) and, without
reservations, preemption, dependencies or shared cards, decides exactly what
that does:

1. Order the queue by priority descending, then submission order, equal
   priorities fair-shared between owners (``fairness.fair_order``); positions
   are 1-based in that order among the jobs left waiting. A job whose owner
   holds ``user_gpu_limit`` GPUs already waits, saying so.
2. A job whose dependency ended other than ``done`` (or was deleted before
   ending ``done``) is cancelled, the reason naming it; one whose dependencies
   have not all ended waits.
3. Each other job takes the cards best fit to its gate (``Pool.choose``):
   whole empty cards without ``gpu_memory``, shared cards with room for its
   declaration with it. A job that does not fit is skipped, not blocking.
4. The first job that cannot start but could run on this pool some day may
   hold a reservation (``reservations.py``) once it has waited
   ``reservation_after`` seconds; a job of priority >= ``preemption_min_priority``
   that cannot start may instead preempt lower-priority preemptible jobs
   (``preemption.py``) and hold their cards. At most one hold per pass; later
   jobs use held cards only if their time limit ends before the holder's start.

Every input is durable state, so the plan after a restart is the plan before it.
Cost stays O(n log n): jobs that cannot start are answered from a cache keyed by
what they ask for, which only a start or a hold invalidates.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Sequence
from itertools import count
from operator import attrgetter

from . import preemption, reasons
from .fairness import fair_order, held_by_owner
from .model import ENDED, Card, Plan, PlanOptions, QueuedJob, Reservation, RunningJob
from .packing import Pool
from .reservations import reserve

# What a job asks for: (GPUs, its priority class, MiB each, may backfill). The
# class is where its priority falls among the gates and preemption_min_priority:
# jobs of one class clear the same gates and may (or may not) preempt alike.
_Key = tuple[int, int, int | None, bool]
_Static = tuple[int, int, int | None]  # (GPUs, class, MiB): what never changes in a pass
_LOWEST = -(2**62)


def plan(
    queue: Iterable[QueuedJob],
    gpus: Iterable[Card],
    running: Iterable[RunningJob],
    now: float,
    options: PlanOptions | None = None,
) -> Plan:
    """Decide what starts, what is preempted or cancelled, and why the rest waits."""
    options = options or PlanOptions()
    # Priority descending, then submission: two sorts on C-level keys (a stable sort
    # keeps equal priorities in submission order, also with reverse=True).
    order = sorted(queue, key=_SEQ)
    order.sort(key=_PRIORITY, reverse=True)
    order = fair_order(order, options.usage)
    if options.paused:
        ids = [q.job_id for q in order]
        return Plan(
            positions=dict(zip(ids, count(1), strict=False)),
            reasons=dict.fromkeys(ids, reasons.PAUSED),
        )
    running = list(running)
    walk = _Walk(Pool(gpus, running), now, options)
    walk.held = held_by_owner(running)
    walk.run(order)
    return walk.result()


def extend_paused(last: Plan, added: Sequence[QueuedJob]) -> Plan:
    """``plan(queue + added, ..., paused)`` from ``last = plan(queue, ..., paused)``.

    Only when ``added`` (in queue order) comes after every job of ``queue`` in
    that order and one owner, or none, queues them all: fair sharing then keeps
    the order, so the new jobs are numbered after the old and wait, paused, like
    them. A paused pass over a long queue that submissions grow is O(submissions)
    but for two copies in C, not two sorts and a walk.
    """
    if not added:
        return last
    ids = list(map(_JOB_ID, added))
    positions = dict(last.positions)
    positions.update(zip(ids, count(len(positions) + 1)))
    said = dict(last.reasons)
    said.update(dict.fromkeys(ids, reasons.PAUSED))
    return Plan(positions=positions, reasons=said)


_SEQ = attrgetter("seq")
_PRIORITY = attrgetter("priority")
_JOB_ID = attrgetter("job_id")


class _Walk:
    """The state of one pass."""

    def __init__(self, pool: Pool, now: float, options: PlanOptions) -> None:
        self.pool = pool
        self.now = now
        self.options = options
        self.thresholds = sorted({c.gate for c in pool.cards} | {options.preemption_min_priority})
        self.starts: list[tuple[str, tuple[int, ...]]] = []
        self.preemptions: list[tuple[str, str]] = []
        self.cancellations: list[tuple[str, str]] = []
        # Jobs left waiting, in queue order, with what each asked for (its reason is
        # written at the end) or a reason already known. Two lists: no tuple per job.
        self.waiting: list[str] = []
        self.asked: list[_Key | str] = []
        self.distinct: set[_Key | str] = set()  # what ``asked`` holds, each once
        self.hold: Reservation | None = None
        self.first_blocked_seen = False
        self.blocked: set[_Key] = set()  # asked for, refused, no hold possible (this version)
        self.feasible: dict[_Static, bool] = {}
        self.no_victims: set[_Static] = set()
        self.held: dict[str, int] = {}  # GPUs each owner holds (running, and started this pass)

    def result(self) -> Plan:
        # Reasons are written against the pool as the pass leaves it, so "2 idle"
        # counts what is idle after every start; a job that could not start at its
        # turn cannot on that pool either (a pass only takes cards, never frees them).
        written: dict[tuple[int, int, int | None, bool], str] = {}
        said = {k: k if isinstance(k, str) else self._blocked(k, written) for k in self.distinct}
        why = dict(zip(self.waiting, map(said.__getitem__, self.asked), strict=True))
        hold = self.hold
        if hold is not None and not hold.preemption:
            why[hold.job_id] = reasons.holding(why[hold.job_id], hold, self.now)
        return Plan(
            starts=tuple(self.starts),
            preemptions=tuple(self.preemptions),
            cancellations=tuple(self.cancellations),
            positions=dict(zip(self.waiting, count(1), strict=False)),
            reasons=why,
            reservation=hold,
        )

    def run(self, order: list[QueuedJob]) -> None:
        """Consider each job in turn (the fast path inline: most jobs of a long queue
        ask for what an earlier one was refused, and are answered from ``blocked``)."""
        pool, now, thresholds = self.pool, self.now, self.thresholds
        blocked, version, hold = self.blocked, pool.version, self.hold
        starts, waiting, asked = self.starts, self.waiting.append, self.asked.append
        bisect_right = bisect.bisect_right
        cap, held = self.options.user_gpu_limit, self.held
        for item in order:
            if item.depends_on and not self._dependencies_met(item):
                continue
            want = item.requested_gpus
            if want <= 0:
                starts.append((item.job_id, ()))
                continue
            owner = item.owner
            if cap and owner is not None and held.get(owner, 0) + want > cap:
                self._wait(item, reasons.user_gpu_limit(owner, held.get(owner, 0), cap, want))
                continue
            # A job without a limit never ends, so it never backfills (reservations.py).
            limit = item.time_limit
            backfill = hold is not None and limit is not None and now + limit <= hold.earliest_start
            key = (want, bisect_right(thresholds, item.priority), item.gpu_memory, backfill)
            if key in blocked:
                waiting(item.job_id)
                asked(key)
                continue
            self._consider(item, key)
            if pool.version != version:  # a start or a hold: what was refused may fit now
                blocked.clear()
                version, hold = pool.version, self.hold

    def _priority(self, key: _Key) -> int:
        """The lowest priority of the key's class: it clears what the job clears."""
        return self.thresholds[key[1] - 1] if key[1] else _LOWEST

    def _consider(self, item: QueuedJob, key: _Key) -> None:
        pool, hold = self.pool, self.hold
        gpus = pool.choose(
            item.requested_gpus, item.priority, item.gpu_memory, hold is None or key[3]
        )
        if gpus is not None:
            end = math.inf if item.time_limit is None else self.now + item.time_limit
            pool.take(item.job_id, gpus, item.gpu_memory, end)
            self.starts.append((item.job_id, gpus))
            if item.owner is not None:
                self.held[item.owner] = self.held.get(item.owner, 0) + len(gpus)
            return
        if hold is None and self._try_hold(item, key):
            return
        if self._settled(key):
            self.blocked.add(key)
        self._wait(item, key)

    def _wait(self, item: QueuedJob, why: _Key | str) -> None:
        self.waiting.append(item.job_id)
        self.asked.append(why)
        self.distinct.add(why)

    def _settled(self, key: _Key) -> bool:
        """Whether every job asking for ``key`` will be refused until the pool changes."""
        if self.hold is not None or not self._is_feasible(key):
            return True
        may_preempt = self._priority(key) >= self.options.preemption_min_priority
        return self.first_blocked_seen and (not may_preempt or key[:3] in self.no_victims)

    def _dependencies_met(self, item: QueuedJob) -> bool:
        """Cancel or park a job whose dependencies are not all ``done``.

        A dependency that no longer exists will never be done: deleting a job that
        ended ``done`` strikes it from its dependents' lists (``jobs.repository``),
        so one still listed but gone ended otherwise.
        """
        for dep in item.depends_on:
            if dep.status is None or (dep.status in ENDED and dep.status != "done"):
                why = reasons.dependency_ended(dep.job_id, dep.status)
                self.cancellations.append((item.job_id, why))
                return False
        unfinished = [d.job_id for d in item.depends_on if d.status not in ENDED]
        if unfinished:
            self._wait(item, reasons.waiting_for(unfinished))
            return False
        return True

    def _is_feasible(self, key: _Key) -> bool:
        """Whether the job could start on this pool once every running job ended."""
        static: _Static = key[:3]
        known = self.feasible.get(static)
        if known is None:
            want, _, mib = static
            priority = self._priority(key)
            fit = sum(1 for c in self.pool.cards if c.gate <= priority and c.could_ever_fit(mib))
            known = self.feasible[static] = fit >= want
        return known

    def _try_hold(self, item: QueuedJob, key: _Key) -> bool:
        """Preempt for ``item`` or reserve for it; True when it now holds cards."""
        if not self._is_feasible(key):
            return False
        first = not self.first_blocked_seen
        self.first_blocked_seen = True
        pool, now = self.pool, self.now
        may_preempt = item.priority >= self.options.preemption_min_priority
        if may_preempt and key[:3] not in self.no_victims:
            chosen = preemption.select(pool, item, now)
            if chosen is not None:
                victims, gpus = chosen
                self.preemptions.extend((v, item.job_id) for v in victims)
                going = [r.job_id for i in gpus for r in pool.by_index[i].running if r.preempting]
                self._held(Reservation(item.job_id, gpus, now, preemption=True))
                why = reasons.preempting(sorted({*victims, *going}), gpus)
                self._wait(item, why)
                return True
            self.no_victims.add(key[:3])
        if first and now - item.queued_at >= self.options.reservation_after:
            hold = reserve(pool, item, now)
            if hold is not None:
                self._held(hold)
                self._wait(item, key)
                return True
        return False

    def _held(self, hold: Reservation) -> None:
        self.hold = hold
        self.pool.hold(hold.gpus)

    def _blocked(self, key: _Key, written: dict[tuple[int, int, int | None, bool], str]) -> str:
        """The reason for a job refused ``key`` (``written``: reasons by what decides them)."""
        want, level, mib, backfill = key
        held = self.hold is not None and not backfill
        known = written.get((want, level, mib, held))
        if known is not None:
            return known
        priority = self._priority(key)
        hold = self.hold
        if hold is not None and held and self.pool.choose(want, priority, mib, True):
            why = reasons.held(hold, self.now)
        else:
            why = reasons.blocked(self.pool, want, priority, mib)
        written[(want, level, mib, held)] = why
        return why
