"""The planner: one pass over the queue, as a pure, deterministic function.

It extends the Forgather algorithm (``placement.place``) and, without
reservations, preemption, dependencies or shared cards, decides exactly what
that does:

1. Order the queue by priority descending, then submission order; positions
   are 1-based in that order among the jobs left waiting.
2. A job whose dependency ended other than ``done`` is cancelled (the reason
   names the dependency); one whose dependencies have not all ended waits.
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
from collections.abc import Iterable

from . import preemption, reasons
from .model import ENDED, Card, Plan, PlanOptions, QueuedJob, Reservation, RunningJob
from .packing import Pool
from .reservations import may_backfill, reserve

_Key = tuple[int, int, int | None, bool]  # (GPUs, gates cleared, MiB each, may backfill)
_NO_KEY: _Key = (0, 0, None, False)


def plan(
    queue: Iterable[QueuedJob],
    gpus: Iterable[Card],
    running: Iterable[RunningJob],
    now: float,
    options: PlanOptions | None = None,
) -> Plan:
    """Decide what starts, what is preempted or cancelled, and why the rest waits."""
    options = options or PlanOptions()
    order = sorted(queue, key=lambda q: (-q.priority, q.seq, q.job_id))
    if options.paused:
        return Plan(pending={q.job_id: (i, reasons.PAUSED) for i, q in enumerate(order, 1)})
    walk = _Walk(Pool(gpus, running), now, options)
    for item in order:
        walk.consider(item)
    return walk.result()


class _Walk:
    """The state of one pass."""

    def __init__(self, pool: Pool, now: float, options: PlanOptions) -> None:
        self.pool = pool
        self.now = now
        self.options = options
        self.gates = sorted({c.gate for c in pool.cards})
        self.starts: list[tuple[str, tuple[int, ...]]] = []
        self.preemptions: list[tuple[str, str]] = []
        self.cancellations: list[tuple[str, str]] = []
        # (job id, what it asked for, a reason already known) in queue order
        self.waiting: list[tuple[str, _Key, str | None]] = []
        self.hold: Reservation | None = None
        self.first_blocked_seen = False
        self.blocked: set[_Key] = set()  # asked for, did not fit (at pool.version)
        self.blocked_version = -1
        self.feasible: dict[tuple[int, int, int | None], bool] = {}
        self.no_victims: set[tuple[int, int, int | None]] = set()

    def result(self) -> Plan:
        # Reasons are written against the pool as the pass leaves it, so "2 idle"
        # counts what is idle after every start; a job that could not start at its
        # turn cannot on that pool either (a pass only takes cards, never frees them).
        final: dict[_Key, str] = {}
        pending: dict[str, tuple[int, str]] = {}
        for i, (job_id, key, literal) in enumerate(self.waiting, 1):
            if literal is None:
                if key not in final:
                    final[key] = self._blocked(key)
                why = final[key]
                if self.hold is not None and self.hold.job_id == job_id:
                    why = reasons.holding(why, self.hold, self.now)
            else:
                why = literal
            pending[job_id] = (i, why)
        return Plan(
            starts=tuple(self.starts),
            preemptions=tuple(self.preemptions),
            cancellations=tuple(self.cancellations),
            pending=pending,
            reservation=self.hold,
        )

    def consider(self, item: QueuedJob) -> None:
        if item.depends_on and not self._dependencies_met(item):
            return
        want = item.requested_gpus
        if want <= 0:
            self.starts.append((item.job_id, ()))
            return
        pool = self.pool
        if self.blocked_version != pool.version:
            self.blocked.clear()
            self.blocked_version = pool.version
        hold = self.hold
        backfill = hold is not None and may_backfill(hold, item.time_limit, self.now)
        level = bisect.bisect_right(self.gates, item.priority)  # the gates it clears
        key = (want, level, item.gpu_memory, backfill)
        if key in self.blocked and not self._may_hold(item, key):
            self.waiting.append((item.job_id, key, None))
            return
        gpus = pool.choose(want, item.priority, item.gpu_memory, hold is None or backfill)
        if gpus is not None:
            end = math.inf if item.time_limit is None else self.now + item.time_limit
            pool.take(item.job_id, gpus, item.gpu_memory, end)
            self.starts.append((item.job_id, gpus))
            return
        if hold is None and self._try_hold(item, key):
            return
        self.blocked.add(key)
        self.waiting.append((item.job_id, key, None))

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
            self.waiting.append((item.job_id, _NO_KEY, reasons.waiting_for(unfinished)))
            return False
        return True

    def _is_feasible(self, key: _Key) -> bool:
        """Whether the job could start on this pool once every running job ended."""
        want, level, mib, _ = key
        static = (want, level, mib)
        known = self.feasible.get(static)
        if known is None:
            gate = self.gates[level - 1] if level else -math.inf
            fit = sum(1 for c in self.pool.cards if c.gate <= gate and c.could_ever_fit(mib))
            known = self.feasible[static] = fit >= want
        return known

    def _may_hold(self, item: QueuedJob, key: _Key) -> bool:
        if self.hold is not None or not self._is_feasible(key):
            return False
        could_preempt = item.priority >= self.options.preemption_min_priority
        return not self.first_blocked_seen or (could_preempt and key[:3] not in self.no_victims)

    def _try_hold(self, item: QueuedJob, key: _Key) -> bool:
        """Preempt for ``item`` or reserve for it; True when it now holds cards."""
        if not self._is_feasible(key):
            return False
        first = not self.first_blocked_seen
        self.first_blocked_seen = True
        pool, now = self.pool, self.now
        if item.priority >= self.options.preemption_min_priority and key[:3] not in self.no_victims:
            chosen = preemption.select(pool, item, now)
            if chosen is not None:
                victims, gpus = chosen
                self.preemptions.extend((v, item.job_id) for v in victims)
                going = [r.job_id for i in gpus for r in pool.by_index[i].running if r.preempting]
                self._held(Reservation(item.job_id, gpus, now, preemption=True))
                why = reasons.preempting(sorted({*victims, *going}), gpus)
                self.waiting.append((item.job_id, key, why))
                return True
            self.no_victims.add(key[:3])
        if first and now - item.queued_at >= self.options.reservation_after:
            hold = reserve(pool, item, now)
            if hold is not None:
                self._held(hold)
                self.waiting.append((item.job_id, key, None))
                return True
        return False

    def _held(self, hold: Reservation) -> None:
        self.hold = hold
        self.pool.hold(hold.gpus)

    def _blocked(self, key: _Key) -> str:
        want, level, mib, backfill = key
        priority = self.gates[level - 1] if level else -(2**62)  # the same gates cleared
        hold = self.hold
        fits_if_unheld = (
            hold is not None and not backfill and self.pool.choose(want, priority, mib, True)
        )
        if hold is not None and fits_if_unheld:
            return reasons.held(hold, self.now)
        return reasons.blocked(self.pool, want, priority, mib)
