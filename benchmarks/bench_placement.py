"""Placement cost: one ``place()`` pass for 100 / 1,000 / 10,000 queued jobs on 8 and 64 GPUs,
and one ``plan()`` pass (reservations, packing, preemption, dependencies) against it.

The baseline is ``sorted()`` of the same queue by (priority, submission), the
n log n every pass must pay anyway; growth is reported as the pass time ratio
10,000 / 100 divided by the n log n ratio (<= 1: no worse than n log n).

The planner figure is the time of ``plan()`` over the time of ``place()`` (the
Forgather algorithm, today's pass before issue 14) on the same 10,000 jobs and
64 GPUs, measured interleaved in the same run so machine load cancels out; the
target is <= 2. Its pool is busy and mixed: whole-card and shared running jobs
with and without time limits, some preemptible; 30% of the queue declares
``gpu_memory``, 5% depends on another job, and jobs waited up to two hours, so
the pass holds a reservation (or a preemption) and backfills around it.
"""

from __future__ import annotations

import functools
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from forgather_lab.scheduler import (
    Card,
    Dependency,
    PlanOptions,
    QueuedJob,
    RunningJob,
    plan,
)
from forgather_lab.scheduler.placement import GpuSlot, QueueItem, place

from ._common import Figure, Settings

SIZES = (100, 1_000, 10_000)


def _queue(n: int, rng: random.Random) -> list[QueueItem]:
    return [
        QueueItem(f"j{i}", rng.choice((0, 0, 0, 10, 100)), rng.choice((0, 1, 1, 2, 4, 8)), i)
        for i in range(n)
    ]


def _gpus(count: int, rng: random.Random) -> list[GpuSlot]:
    # A realistic pool: a quarter busy, a few gated for high priority, one disabled.
    return [
        GpuSlot(
            i,
            min_priority=100 if i % 8 == 7 else 0,
            disabled=i == 3,
            reserved=rng.random() < 0.25,
        )
        for i in range(count)
    ]


def _dispatch_order(item: QueueItem) -> tuple[int, int]:
    return (-item.priority, item.seq)


def _time(fn: Callable[[], Any], budget: float = 0.3) -> float:
    """Median seconds per call over enough repeats to fill ``budget``."""
    samples: list[float] = []
    deadline = time.perf_counter() + budget
    while len(samples) < 5 or (time.perf_counter() < deadline and len(samples) < 200):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


NOW = 1_000_000.0
GIB = 1024


def _planner_world(
    n: int, gpu_count: int, rng: random.Random
) -> tuple[list[QueuedJob], list[Card], list[RunningJob], list[QueueItem], list[GpuSlot]]:
    """A busy mixed pool for ``plan()``, and the same jobs and cards as ``place()`` sees them."""
    cards = [
        Card(i, min_priority=100 if i % 8 == 7 else 0, disabled=i == 3, total_mib=80 * GIB)
        for i in range(gpu_count)
    ]
    running: list[RunningJob] = []
    for i in range(gpu_count):
        if rng.random() < 0.25:
            continue  # a quarter idle, as in the place() figures
        sharers = 2 if rng.random() < 0.3 else 1
        for k in range(sharers):
            running.append(
                RunningJob(
                    f"r{i}.{k}",
                    rng.choice((0, 10)),
                    (i,),
                    gpu_memory=20 * GIB if sharers > 1 else None,
                    preemptible=rng.random() < 0.4,
                    started_at=NOW - rng.uniform(0, 3600),
                    time_limit=rng.choice((None, 3600.0, 7200.0)),
                )
            )
    queue = []
    for i in range(n):
        deps: tuple[Dependency, ...] = ()
        if rng.random() < 0.05:
            deps = (Dependency(f"d{i}", rng.choice(("running", "done", "queued"))),)
        queue.append(
            QueuedJob(
                f"j{i}",
                rng.choice((0, 0, 0, 10, 100)),
                rng.choice((0, 1, 1, 2, 4, 8)),
                i,
                gpu_memory=rng.choice((4, 8, 16, 40)) * GIB if rng.random() < 0.3 else None,
                time_limit=rng.choice((None, 600.0, 3600.0, 86400.0)),
                depends_on=deps,
                queued_at=NOW - rng.uniform(0, 7200),
            )
        )
    rng.shuffle(queue)
    held = {i for r in running for i in r.gpus}
    slots = [GpuSlot(c.index, c.min_priority, False, c.disabled, c.index in held) for c in cards]
    items = [QueueItem(q.job_id, q.priority, q.requested_gpus, q.seq) for q in queue]
    return queue, cards, running, items, slots


def _interleaved(a: Callable[[], Any], b: Callable[[], Any], rounds: int) -> tuple[float, float]:
    """Median CPU seconds of ``a`` and of ``b``, called alternately.

    CPU time of this process, not wall time: on a shared machine another
    process taking the core mid-call would otherwise land on whichever side
    it happened to interrupt; alternating spreads what remains evenly.
    """
    ta: list[float] = []
    tb: list[float] = []
    for _ in range(rounds):
        for fn, out in ((a, ta), (b, tb)):
            t0 = time.process_time()
            fn()
            out.append(time.process_time() - t0)
    return statistics.median(ta), statistics.median(tb)


def _planner_figure(settings: Settings, rng: random.Random) -> Figure:
    n, gpu_count = SIZES[-1], 64
    queue, cards, running, items, slots = _planner_world(n, gpu_count, rng)
    # No job of this queue may preempt (min 1000), so the pass holds a reservation.
    options = PlanOptions(reservation_after=600.0, preemption_min_priority=1000)
    decided = plan(queue, cards, running, NOW, options)
    base, new = _interleaved(
        functools.partial(place, items, slots),
        functools.partial(plan, queue, cards, running, NOW, options),
        rounds=settings.n(40, 10),
    )
    ratio = new / base
    hold = decided.reservation
    held = "none" if hold is None else ("preemption" if hold.preemption else "reservation")
    return Figure(
        "placement",
        f"plan() vs place(): reservations, packing, {n:,} jobs, {gpu_count} GPUs",
        round(ratio, 3),
        "ratio",
        baseline=f"place() {base * 1000:.2f} ms; plan() {new * 1000:.2f} ms (CPU)",
        target="<= 2 (within 2x of the Forgather pass)",
        met=ratio <= 2.0,
        note=f"{len(decided.starts)} starts, {len(decided.pending)} waiting with a reason, "
        f"{len(decided.preemptions)} preemptions, hold: {held}",
        raw={"place_ms": round(base * 1000, 4), "plan_ms": round(new * 1000, 4)},
    )


def run(settings: Settings) -> list[Figure]:
    rng = random.Random(8)
    figures: list[Figure] = []
    for gpu_count in (8, 64):
        gpus = _gpus(gpu_count, rng)
        times, sorts = {}, {}
        for n in SIZES:
            queue = _queue(n, rng)
            rng.shuffle(queue)
            times[n] = _time(functools.partial(place, queue, gpus))
            sorts[n] = _time(functools.partial(sorted, queue, key=_dispatch_order))
        nlogn = (SIZES[-1] * math.log(SIZES[-1])) / (SIZES[0] * math.log(SIZES[0]))
        growth = (times[SIZES[-1]] / times[SIZES[0]]) / nlogn
        raw = {
            "pass_ms": {n: round(t * 1000, 4) for n, t in times.items()},
            "sort_ms": {n: round(t * 1000, 4) for n, t in sorts.items()},
        }
        big = times[SIZES[-1]] * 1000
        figures.append(
            Figure(
                "placement",
                f"pass at 10,000 jobs, {gpu_count} GPUs",
                round(big, 3),
                "ms",
                baseline=f"sort alone {sorts[SIZES[-1]] * 1000:.2f} ms "
                f"(x{times[SIZES[-1]] / sorts[SIZES[-1]]:.1f})",
                target="<= 20 ms" if gpu_count == 64 else "",
                met=big <= 20 if gpu_count == 64 else None,
                note="100 / 1k / 10k: "
                + " / ".join(f"{times[n] * 1000:.3f}" for n in SIZES)
                + " ms",
                raw=raw,
            )
        )
        figures.append(
            Figure(
                "placement",
                f"growth 100→10k vs n log n, {gpu_count} GPUs",
                round(growth, 3),
                "ratio",
                baseline=f"n log n ratio {nlogn:.0f}",
                target="<= 1 (no worse than n log n)",
                met=growth <= 1.0,
            )
        )
    figures.append(_planner_figure(settings, rng))
    return figures
