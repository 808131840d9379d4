"""Placement: which queued jobs start now, on which GPUs. A pure function.

The algorithm is the Forgather scheduler's, exactly:

1. Order the queue by priority descending, then submission order.
2. The idle pool is every GPU minus the excluded (CUDA_VISIBLE_DEVICES at
   server start), the disabled and those reserved by starting / running jobs.
3. A job may only use GPUs whose ``min_priority`` gate it clears.
4. Best fit to the gate: among eligible GPUs prefer the highest gate the job
   still clears, ties by index, so ungated cards stay free for jobs that
   cannot use the gated ones.
5. Skip, don't block: a job that does not fit is passed over and the next
   one considered.
6. Commit the first N of the sorted eligible GPUs (reported sorted by index)
   and remove them from the pool for the rest of the pass.

No preemption and no backfill reservation, as in the original. The dispatcher
plans with ``planner.plan``, which extends this algorithm and, without the new
features, decides exactly what it does (a property test holds it to that);
``place`` stays as that reference and as the benchmark's baseline.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class QueueItem:
    """A queued job as placement sees it. ``seq`` is its submission order."""

    job_id: str
    priority: int
    requested_gpus: int
    seq: int


@dataclass(frozen=True)
class GpuSlot:
    """A GPU as placement sees it."""

    index: int
    min_priority: int = 0
    excluded: bool = False
    disabled: bool = False
    reserved: bool = False

    @property
    def idle(self) -> bool:
        return not (self.excluded or self.disabled or self.reserved)


@dataclass(frozen=True)
class Placement:
    """A decision: start ``job_id`` on ``gpus`` (sorted by index; empty for CPU jobs)."""

    job_id: str
    gpus: tuple[int, ...]


def place(queue: Iterable[QueueItem], gpus: Sequence[GpuSlot]) -> list[Placement]:
    """Decide which queued jobs start now. Deterministic; never double-books a GPU.

    Cost is O(n log n) for the sort plus O(n + k·G) for the pass, where k jobs
    are placed on G GPUs: a job that cannot fit is rejected in O(log G).
    """
    order = sorted(queue, key=lambda q: (-q.priority, q.seq))
    # The idle pool in best-fit order: highest gate first, then index.
    pool = sorted((g for g in gpus if g.idle), key=lambda g: (-g.min_priority, g.index))
    neg_gates = [-g.min_priority for g in pool]  # ascending, for bisect
    decisions: list[Placement] = []
    for item in order:
        want = item.requested_gpus
        if want <= 0:
            decisions.append(Placement(item.job_id, ()))
            continue
        if want > len(pool):
            continue
        # Eligible GPUs (gate <= priority) form a suffix of the pool.
        start = bisect.bisect_left(neg_gates, -item.priority)
        if len(pool) - start < want:
            continue
        chosen = pool[start : start + want]
        del pool[start : start + want]
        del neg_gates[start : start + want]
        decisions.append(Placement(item.job_id, tuple(sorted(g.index for g in chosen))))
    return decisions


def pool_slots(
    count: int,
    excluded: set[int],
    disabled: set[int],
    gates: dict[int, int],
    reserved: set[int],
) -> list[GpuSlot]:
    """Placement's view of a pool of ``count`` cards (gates: min_priority by index)."""
    return [
        GpuSlot(
            index=i,
            min_priority=gates.get(i, 0),
            excluded=i in excluded,
            disabled=i in disabled,
            reserved=i in reserved,
        )
        for i in range(count)
    ]
