"""Placement cost: one ``place()`` pass for 100 / 1,000 / 10,000 queued jobs on 8 and 64 GPUs.

The baseline is ``sorted()`` of the same queue by (priority, submission), the
n log n every pass must pay anyway; growth is reported as the pass time ratio
10,000 / 100 divided by the n log n ratio (<= 1: no worse than n log n).
"""

from __future__ import annotations

import functools
import math
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

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
    return figures
