"""Downsampling a curve for a chart: LTTB that keeps the first, last, lowest and highest point.

Largest-Triangle-Three-Buckets (Steinarsson, 2013) keeps a curve's shape in
few points: the first and last point, then from each of ``threshold - 2``
equal slices of the rest the point forming the largest triangle with the
point kept before it and the next slice's average. It may drop a curve's
extremes (a one-step loss spike next to a taller neighbour, or the minimum
inside a slice whose triangle another point wins), and a comparison of runs
is about exactly those. So ``downsample`` runs LTTB with as many fewer
slices as there are extremes not already at an end (0, 1 or 2), then adds
them back: the answer is at most ``max_points`` points, always holds the
first and the last point and, from ``max_points >= 4`` on, the lowest and
the highest value (the first of each when there are ties). Below 4 the
priority is first, last, highest, lowest.

Pure functions over ``(step, value, ...)`` sequences sorted by step (what
follows the value, such as the point's wall time, comes along untouched),
nothing else: the reads that feed them (``curves.py``) decide which points a
huge series offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

Point = tuple[int, float]
#: A point: ``(x, y, ...)``; only the first two are read.
P = TypeVar("P", bound=tuple[Any, ...])


def lttb(points: Sequence[tuple[Any, ...]], threshold: int) -> list[int]:
    """Indices of the ``threshold`` points LTTB keeps (all, when there are no more)."""
    n = len(points)
    if threshold >= n:
        return list(range(n))
    if threshold <= 2:
        return [0, n - 1][: max(threshold, 0)] if n > 1 else [0][: max(threshold, 0)]
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    every = (n - 2) / (threshold - 2)
    # Slice i is [edges[i], edges[i + 1]); computed once, as the textbook loop does per slice.
    edges = [int(i * every) + 1 for i in range(threshold)]
    edges[-1] = min(edges[-1], n)  # only the last can pass the end
    kept = [0]
    ax, ay = xs[0], ys[0]
    # A compare curve offers barely more candidates than it keeps: most slices hold
    # one or two points, so the per-slice overhead is what this loop is written for.
    for i in range(threshold - 2):
        start, end, nxt_end = edges[i], edges[i + 1], edges[i + 2]
        nxt_start = end
        if nxt_start >= nxt_end:  # the last slice: the next "bucket" is the last point
            nxt_start, nxt_end = n - 1, n
        count = nxt_end - nxt_start
        if count == 1:
            avg_x, avg_y = xs[nxt_start], ys[nxt_start]
        else:
            avg_x = sum(xs[nxt_start:nxt_end]) / count
            avg_y = sum(ys[nxt_start:nxt_end]) / count
        dx, dy = ax - avg_x, avg_y - ay
        best = start
        if end - start > 1:
            best_area = -1.0
            for j in range(start, end):
                area = abs(dx * (ys[j] - ay) - (ax - xs[j]) * dy)
                if area > best_area:
                    best, best_area = j, area
        kept.append(best)
        ax, ay = xs[best], ys[best]
    kept.append(n - 1)
    return kept


def downsample(points: Sequence[P], max_points: int) -> list[P]:
    """At most ``max_points`` of ``points``: LTTB's choice plus the ends and the extremes."""
    n = len(points)
    if n <= max_points:
        return list(points)
    values = [p[1] for p in points]
    lowest = values.index(min(values))
    highest = values.index(max(values))
    if max_points < 4:
        order = list(dict.fromkeys([0, n - 1, highest, lowest]))[:max_points]
        return [points[i] for i in sorted(order)]
    extra = {lowest, highest} - {0, n - 1}
    chosen = set(lttb(points, max_points - len(extra))) | extra
    return [points[i] for i in sorted(chosen)]
