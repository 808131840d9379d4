"""Metric series in SQLite: batched appends, cheap overviews of a million points.

A series is ``(job_id, name)`` → points ``(step, value)``, clustered on
``(job_id, name, step)`` (a WITHOUT ROWID table) so a range read is one index
walk. A browser is never sent a million points: a long range is cut into
buckets and each keeps its lowest and highest point, so a spike or a dip (a
loss blowing up for a few steps) survives downsampling. To keep that cheap,
every append also maintains per-bucket min / max *rollups* at widths of 16,
64, 256, 1024, 4096, 16384 and 65536 steps (4x apart; migration 12 added the
64 / 1024 / 16384 levels and derived them from the ones below); an overview
reads the coarsest rollup finer than the buckets it needs (at most ~4 rows
per output bucket) instead of the raw points. An append computes the 16-step
buckets from its points and each coarser level from the level below, so its
cost grows with the points, not with the number of levels. Rollups ignore
missing values and are not lowered when a step is re-reported with a smaller
value (a resumed run); both only affect overviews.

Each point also keeps the wall time it was recorded at (``time``, unix
seconds; migration 9): the reporter's own time (its records carry one),
else the moment the server stored the batch. Rollups keep the time of their
lowest and highest point, so a wall-time overview reads no more rows than a
step one. Points stored before migration 9 have no time (NULL).
"""

from __future__ import annotations

import math
import sqlite3
import time
from collections.abc import Iterable
from itertools import pairwise

from ..store.db import transaction

Point = tuple[int, float | None]
#: ``(name, step, value)``, or ``(name, step, value, time)`` with the reporter's own time.
Row = tuple[str, int, float | None] | tuple[str, int, float | None, float | None]
#: Rollup widths, finest first, each 4x the one before (a compare reads one level whole).
LEVELS = (16, 64, 256, 1024, 4096, 16384, 65536)

_UPSERT = """
INSERT INTO metric_rollups
    (job_id, name, width, bucket, min_step, min_value, max_step, max_value, count,
     min_time, max_time)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (job_id, name, width, bucket) DO UPDATE SET
    min_step = CASE WHEN excluded.min_value < min_value THEN excluded.min_step ELSE min_step END,
    min_time = CASE WHEN excluded.min_value < min_value THEN excluded.min_time ELSE min_time END,
    max_time = CASE WHEN excluded.max_value > max_value THEN excluded.max_time ELSE max_time END,
    min_value = MIN(min_value, excluded.min_value),
    max_step = CASE WHEN excluded.max_value > max_value THEN excluded.max_step ELSE max_step END,
    max_value = MAX(max_value, excluded.max_value),
    count = count + excluded.count
"""


def finite(value: object) -> float | None:
    """A number as a float, or None when it is not one (NaN, inf, a string)."""
    try:
        f = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _timed(rows: Iterable[Row], now: float) -> list[tuple[str, int, float | None, float]]:
    out: list[tuple[str, int, float | None, float]] = []
    for row in rows:
        at = finite(row[3]) if len(row) > 3 else None
        out.append((row[0], row[1], row[2], now if at is None else at))
    return out


def append(
    conn: sqlite3.Connection, job_id: str, rows: Iterable[Row], now: float | None = None
) -> int:
    """Store rows and their rollups in one transaction.

    A row without a time of its own (or with one that is not a finite
    number) is stamped ``now`` (default: the current time).
    """
    batch = _timed(rows, time.time() if now is None else now)
    if not batch:
        return 0
    rollups = _rollups(batch)
    with transaction(conn):
        conn.executemany(
            "INSERT OR REPLACE INTO metrics (job_id, name, step, value, time) "
            "VALUES (?, ?, ?, ?, ?)",
            [(job_id, *row) for row in batch],
        )
        conn.executemany(
            _UPSERT,
            [
                (job_id, name, width, bucket, *r)
                for width, level in zip(LEVELS, rollups, strict=True)
                for (name, bucket), r in level.items()
            ],
        )
    return len(batch)


def _rollups(
    batch: list[tuple[str, int, float | None, float]],
) -> list[dict[tuple[str, int], list[float]]]:
    """The batch's rollup rows of each level: ``(name, bucket)`` → its row's values.

    A row's values are ``[min_step, min_value, max_step, max_value, count,
    min_time, max_time]``. The finest level comes from the points, each
    coarser one from the level below (a bucket's extremes are the extremes of
    its sub-buckets), in the order the buckets were first seen.
    """
    finest: dict[tuple[str, int], list[float]] = {}
    width = LEVELS[0]
    for name, step, value, at in batch:
        if value is None:
            continue
        key = (name, step // width)
        r = finest.get(key)
        if r is None:
            finest[key] = [step, value, step, value, 1, at, at]
            continue
        if value < r[1]:
            r[0], r[1], r[5] = step, value, at
        if value > r[3]:
            r[2], r[3], r[6] = step, value, at
        r[4] += 1
    levels = [finest]
    for finer, coarser in pairwise(LEVELS):
        factor = coarser // finer
        level: dict[tuple[str, int], list[float]] = {}
        for (name, bucket), sub in levels[-1].items():
            key = (name, bucket // factor)
            r = level.get(key)
            if r is None:
                level[key] = sub.copy()
                continue
            if sub[1] < r[1]:
                r[0], r[1], r[5] = sub[0], sub[1], sub[5]
            if sub[3] > r[3]:
                r[2], r[3], r[6] = sub[2], sub[3], sub[6]
            r[4] += sub[4]
        levels.append(level)
    return levels


def names(conn: sqlite3.Connection, job_id: str) -> list[str]:
    """The metric names a job has reported (a skip-scan of the primary key)."""
    found: list[str] = []
    row = conn.execute(
        "SELECT name FROM metrics WHERE job_id = ? ORDER BY name LIMIT 1", (job_id,)
    ).fetchone()
    while row is not None:
        found.append(row[0])
        row = conn.execute(
            "SELECT name FROM metrics WHERE job_id = ? AND name > ? ORDER BY name LIMIT 1",
            (job_id, row[0]),
        ).fetchone()
    return found


def _raw(conn: sqlite3.Connection, job_id: str, name: str, lo: int, hi: int) -> list[Point]:
    return [
        (r[0], r[1])
        for r in conn.execute(
            "SELECT step, value FROM metrics WHERE job_id = ? AND name = ? "
            "AND step >= ? AND step <= ? ORDER BY step",
            (job_id, name, lo, hi),
        )
    ]


def _extremes(points: Iterable[Point], lo: int, span: int, buckets: int) -> list[Point]:
    """The lowest and highest point of each of ``buckets`` equal slices of the range."""
    best: dict[int, list[Point]] = {}
    for step, value in points:
        if value is None:
            continue
        b = (step - lo) * buckets // span
        pair = best.get(b)
        if pair is None:
            best[b] = [(step, value), (step, value)]
        else:
            if value < pair[0][1]:  # type: ignore[operator]
                pair[0] = (step, value)
            if value > pair[1][1]:  # type: ignore[operator]
                pair[1] = (step, value)
    return sorted({p for pair in best.values() for p in pair})


def series(
    conn: sqlite3.Connection, job_id: str, name: str, since_step: int, max_points: int
) -> list[Point]:
    """Points of one series from ``since_step`` on, at most ``max_points`` of them."""
    key = "FROM metrics WHERE job_id = ? AND name = ? AND step >= ?"
    args = (job_id, name, since_step)
    first = conn.execute(f"SELECT step {key} ORDER BY step LIMIT 1", args).fetchone()
    if first is None:
        return []
    lo = first[0]
    hi = conn.execute(f"SELECT step {key} ORDER BY step DESC LIMIT 1", args).fetchone()[0]
    span = hi - lo + 1
    if span <= max_points:  # steps are unique: this many points at most
        return _raw(conn, job_id, name, lo, hi)
    buckets = max(1, max_points // 2)
    fitting = [w for w in LEVELS if w <= span / buckets]
    if not fitting:
        return _extremes(_raw(conn, job_id, name, lo, hi), lo, span, buckets)
    coarse = conn.execute(
        "SELECT COALESCE(SUM(count), 0) FROM metric_rollups WHERE job_id = ? AND name = ? "
        "AND width = ? AND bucket >= ?",
        (job_id, name, LEVELS[-1], lo // LEVELS[-1]),
    ).fetchone()[0]
    if coarse <= max_points:  # sparse: every point fits
        return _raw(conn, job_id, name, lo, hi)
    width = fitting[-1]
    # The first rollup bucket may reach back before since_step: take it raw.
    edge = (lo // width + 1) * width
    candidates = _raw(conn, job_id, name, lo, min(hi, edge - 1))
    for min_step, min_value, max_step, max_value in conn.execute(
        "SELECT min_step, min_value, max_step, max_value FROM metric_rollups "
        "WHERE job_id = ? AND name = ? AND width = ? AND bucket >= ? AND bucket <= ?",
        (job_id, name, width, edge // width, hi // width),
    ):
        candidates.append((min_step, min_value))
        candidates.append((max_step, max_value))
    return _extremes(candidates, lo, span, buckets)
