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

from bisect import bisect_left
from collections.abc import Sequence
from operator import itemgetter
from typing import Any, TypeVar

Point = tuple[int, float]
#: A point: ``(x, y, ...)``; only the first two are read.
P = TypeVar("P", bound=tuple[Any, ...])


def lttb(points: Sequence[tuple[Any, ...]], threshold: int) -> list[int]:
    """Indices of the ``threshold`` points LTTB keeps (all, when there are no more), ascending."""
    n = len(points)
    if threshold >= n:
        return list(range(n))
    if threshold <= 2:
        return [0, n - 1][: max(threshold, 0)] if n > 1 else [0][: max(threshold, 0)]
    return _lttb(_xs(points), _ys(points), threshold)


# Columns at C speed (map, itemgetter): listcomps over 2,000 candidates showed in profiles.
# Steps stay ints: below 2^53 every difference and mean LTTB takes of them is the same
# number as of their floats (the textbook converts them).
def _xs(points: Sequence[tuple[Any, ...]]) -> list[Any]:
    return list(map(itemgetter(0), points))


def _ys(points: Sequence[tuple[Any, ...]]) -> list[float]:
    return list(map(float, map(itemgetter(1), points)))


def _lttb(xs: list[Any], ys: list[float], threshold: int) -> list[int]:
    # 3 <= threshold < n. The textbook loop's choices, exactly (a hypothesis test
    # compares them), written for what a compare offers: about two candidates per
    # slice, so the per-slice overhead is what counts. The next slice's average is
    # computed as the textbook does (sum() / count) except for one or two points,
    # where it is the same number without building a slice.
    n = len(xs)
    every = (n - 2) / (threshold - 2)
    # Slice i is [edges[i], edges[i + 1]); only the last edge can pass the end.
    edges = list(map((1).__add__, map(int, map(every.__rmul__, range(threshold)))))
    edges[-1] = min(edges[-1], n)
    kept = [0]
    ax, ay = xs[0], ys[0]
    for start, end, nxt_end in zip(edges, edges[1:], edges[2:], strict=False):
        nxt_start = end
        if nxt_start >= nxt_end:  # the last slice: the next "bucket" is the last point
            nxt_start, nxt_end = n - 1, n
        count = nxt_end - nxt_start
        if count == 1:
            avg_x, avg_y = xs[nxt_start], ys[nxt_start]
        elif count == 2:
            avg_x = (xs[nxt_start] + xs[nxt_start + 1]) / 2
            avg_y = (ys[nxt_start] + ys[nxt_start + 1]) / 2
        else:
            avg_x = sum(xs[nxt_start:nxt_end]) / count
            avg_y = sum(ys[nxt_start:nxt_end]) / count
        dx, dy = ax - avg_x, avg_y - ay
        best = start
        if end - start == 2:
            # Two candidates: the second wins only with a strictly larger area (and an
            # area that is not a number never wins), as in the loop below.
            first = abs(dx * (ys[start] - ay) - (ax - xs[start]) * dy)
            second = abs(dx * (ys[end - 1] - ay) - (ax - xs[end - 1]) * dy)
            if second > first or (second > -1.0 and not first > -1.0):
                best = end - 1
        elif end - start > 2:
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
    ys = _ys(points)
    lowest = ys.index(min(ys))
    highest = ys.index(max(ys))
    if max_points < 4:
        order = list(dict.fromkeys([0, n - 1, highest, lowest]))[:max_points]
        return [points[i] for i in sorted(order)]
    extra = sorted({lowest, highest} - {0, n - 1})
    threshold = max_points - len(extra)
    if threshold >= n:
        return list(points)
    kept = _lttb(_xs(points), ys, threshold) if threshold > 2 else [0, n - 1]
    for e in extra:  # kept ascends: insert in place instead of sorting a set
        at = bisect_left(kept, e)
        if at == len(kept) or kept[at] != e:
            kept.insert(at, e)
    return [points[i] for i in kept]
