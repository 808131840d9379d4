"""Backfill reservations: the GPUs that free first, held for a job that waited long.

When the highest-priority job that cannot start has waited (``now -
queued_at``) longer than ``reservation_after``, it holds the cards it needs
that free first. A card frees when the jobs on it end: ``started_at +
time_limit`` for a running job; a job without a limit never ends for this
purpose (``inf``). The reservation's earliest start is when the last of the
chosen cards frees. A lower-priority job may still use a reserved card if its
own time limit ends by then (backfill); any other job waits.

Nothing here is remembered between passes: ``queued_at``, ``started_at`` and
``time_limit`` are durable columns, so the same reservation is recomputed by
the first pass after a restart (``kill -9`` included) and by every pass after.
"""

from __future__ import annotations

import math

from .model import QueuedJob, Reservation
from .packing import CardState, Pool


def reserve(pool: Pool, job: QueuedJob, now: float) -> Reservation | None:
    """The reservation ``job`` would hold now, or None if no set of cards can ever take it."""
    mib = job.gpu_memory
    ready = sorted(
        (_ready_at(c, mib, now), -c.gate, c.index)
        for c in pool.cards
        if c.gate <= job.priority and c.could_ever_fit(mib)
    )
    if len(ready) < job.requested_gpus:
        return None
    chosen = ready[: job.requested_gpus]
    start = max(now, max(t for t, _, _ in chosen))
    return Reservation(job.job_id, tuple(sorted(i for _, _, i in chosen)), start)


def _ready_at(card: CardState, mib: int | None, now: float) -> float:
    """When a job declaring ``mib`` (None: whole card) could start on ``card`` at the latest."""
    holders = sorted(
        [(job.expected_end(now), job.job_id) for job in card.running]
        + [(end, job_id) for job_id, _, end in card.placed]
    )
    gone: set[str] = set()
    if card.fits_after(mib, gone):
        return now
    for end, job_id in holders:
        if math.isinf(end):
            return math.inf
        gone.add(job_id)
        if card.fits_after(mib, gone):
            return end
    return math.inf  # something outside Forgather keeps the memory
