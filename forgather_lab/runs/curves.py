"""Reading a curve to compare: every point when it is small, bucket extremes when it is not.

LTTB needs points, and 100 runs of a million points each are 10^8 rows: far
too many to read for one chart. The metric rollups (``control/metrics.py``)
already hold, per bucket of 16 / 64 / 256 / 1024 / 4096 / 16384 / 65536
steps (4x apart), the lowest and the highest point. So a big curve is read as
the extremes of the buckets of the coarsest level that still has at least
``max_points / 2`` buckets over the curve's steps: one range read of the
primary key (``job_id, name, width``), no grouping. Levels 4x apart make that
between ``max_points / 2`` and ``2 * max_points`` buckets, so between
``max_points`` and ``4 * max_points + 2`` candidates (a 1,000,000-step curve
at ``max_points=1000``: 977 rows of width 1024, 1,954 candidates), and
``compare.downsample`` keeps at most ``max_points`` of them. Rows are read
as plain tuples: building ``sqlite3.Row`` objects cost more than the reads
themselves (measured: 4x on the 1,000,000-point curve). Until this level
spacing (migration 12) the levels were 16x apart and a read merged up to 15
buckets per group with ``GROUP BY``: 69% of the server's time at this size.

What this costs in fidelity: every point answered is a real stored point;
the first and last are the series' own (read from ``metrics``), the lowest
and highest are exact (they are the extremes of some bucket); inside one
bucket only its two extremes can be chosen, so a point between them is
represented by the bucket's envelope rather than by itself. Rollups ignore
missing values and are not lowered when a step is re-reported with a
smaller value (a resumed run), which can leave an overwritten value as a
candidate; ``series`` of the metrics endpoint has the same caveat.
Missing values (NaN / inf reported as null) are never points of a curve.

The wall-time axis (``timed_curve``) is the same machinery: every candidate
carries the time it was recorded at (``metrics.time``, or the rollup's
``min_time`` / ``max_time``: the time of the bucket's extreme), the ones
without a time (stored before migration 9) are left out, LTTB chooses among
the rest by step exactly as for the step axis, and the answer is those
points as ``(time, value)`` in time order. So both axes draw the same
values where every point has a time, and ``max_points`` bounds both. (A
rollup's time can be stale where its extreme was re-reported with the same
value, the caveat above.) The step axis reads no times at all (``NULL`` in
their place: two columns fewer per row).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .compare import Point, downsample

#: A curve of at most this many times ``max_points`` points is read whole.
RAW_FACTOR = 4
_KEY = "job_id = ? AND name = ?"


def _rows(conn: sqlite3.Connection, sql: str, args: tuple[object, ...]) -> list[tuple[Any, ...]]:
    # Plain tuples: the connection's sqlite3.Row factory costs more than the read itself.
    cur = conn.cursor()
    cur.row_factory = None
    try:
        return cur.execute(sql, args).fetchall()
    finally:
        cur.close()


def _count(conn: sqlite3.Connection, job_id: str, name: str, coarsest: int) -> int:
    row = conn.execute(
        f"SELECT COALESCE(SUM(count), 0) FROM metric_rollups WHERE {_KEY} AND width = ?",
        (job_id, name, coarsest),
    ).fetchone()
    return int(row[0])


def _end(
    conn: sqlite3.Connection, job_id: str, name: str, last: bool, cols: str
) -> tuple[Any, ...] | None:
    order = "DESC" if last else "ASC"
    rows = _rows(
        conn,
        f"SELECT {cols} FROM metrics WHERE {_KEY} AND value IS NOT NULL "
        f"ORDER BY step {order} LIMIT 1",
        (job_id, name),
    )
    return rows[0] if rows else None


def _extremes(
    conn: sqlite3.Connection, job_id: str, name: str, width: int, timed: bool
) -> list[tuple[Any, ...]]:
    """Each bucket's lowest and highest point (by step within the bucket), in step order.

    In step order without a sort: buckets come in bucket order, and a bucket's
    extremes lie inside it (``step // width == bucket``, as every append and
    the backfill write them), so only each pair needs ordering.
    """
    args = (job_id, name, width)
    where = f"FROM metric_rollups WHERE {_KEY} AND width = ?"
    out: list[tuple[Any, ...]] = []
    if not timed:
        rows = _rows(conn, f"SELECT min_step, min_value, max_step, max_value {where}", args)
        for s0, v0, s1, v1 in rows:
            if s0 < s1:
                out += ((s0, v0), (s1, v1))
            elif s0 > s1:
                out += ((s1, v1), (s0, v0))
            else:
                out.append((s0, v0))
        return out
    sql = f"SELECT min_step, min_value, min_time, max_step, max_value, max_time {where}"
    for s0, v0, t0, s1, v1, t1 in _rows(conn, sql, args):
        if s0 < s1:
            out += ((s0, v0, t0), (s1, v1, t1))
        elif s0 > s1:
            out += ((s1, v1, t1), (s0, v0, t0))
        else:
            out.append((s0, v0, t0))
    return out


def _candidates(
    conn: sqlite3.Connection,
    job_id: str,
    name: str,
    max_points: int,
    levels: Sequence[int],
    timed: bool,
) -> list[tuple[Any, ...]]:
    # ``(step, value, time)`` when timed, else ``(step, value)``: the step axis reads no
    # times, and its points are the answer as they are (no second list to build).
    cols = "step, value, time" if timed else "step, value"
    count = _count(conn, job_id, name, levels[-1])
    if count == 0:
        return []
    raw = f"SELECT {cols} FROM metrics WHERE {_KEY} AND value IS NOT NULL ORDER BY step"
    if count <= RAW_FACTOR * max_points:
        return _rows(conn, raw, (job_id, name))  # step INTEGER, value REAL: already typed
    first = _end(conn, job_id, name, False, cols)
    last = _end(conn, job_id, name, True, cols)
    if first is None or last is None:
        return []
    group = (last[0] - first[0] + 1) / (max_points / 2)  # steps per bucket, at most
    fitting = [w for w in levels if w <= group]
    if not fitting:  # dense and short: at most 16 * max_points rows
        return _rows(conn, raw, (job_id, name))
    points = _extremes(conn, job_id, name, fitting[-1], timed)
    if not points:
        return sorted({first[0]: first, last[0]: last}.values())
    # The true ends, unless a rollup already offers that step (or one beyond it: an
    # end re-reported as missing leaves a stale extreme behind, as the caveat above).
    if first[0] < points[0][0]:
        points.insert(0, first)
    if last[0] > points[-1][0]:
        points.append(last)
    return points


def candidates(
    conn: sqlite3.Connection,
    job_id: str,
    name: str,
    max_points: int,
    levels: Sequence[int],
    timed: bool = True,
) -> list[tuple[Any, ...]]:
    """The points of one curve LTTB should choose from, in step order.

    ``(step, value, time)`` each, or ``(step, value)`` with ``timed=False``.
    ``levels``: the rollup widths, finest first (``control.metrics.LEVELS``).
    """
    return _candidates(conn, job_id, name, max_points, levels, timed)


def curve(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> list[Point]:
    """One curve, downsampled to at most ``max_points`` points, on the step axis."""
    return downsample(_candidates(conn, job_id, name, max_points, levels, False), max_points)


def timed_curve(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> tuple[list[tuple[float, float]], bool]:
    """One curve on the wall-time axis: ``[(time, value), ...]`` in time order.

    At most ``max_points`` points. The flag says whether points were left out
    for having no time (stored before migration 9).
    """
    found = candidates(conn, job_id, name, max_points, levels)
    timed = [p for p in found if p[2] is not None]
    out = [(t, v) for _, v, t in downsample(timed, max_points) if t is not None]
    times = [p[0] for p in out]
    if times != sorted(times):
        # A resumed run re-reports steps after higher ones it had. Stable: the points
        # of one batch can share the server's receive time and keep their step order.
        out.sort(key=lambda p: p[0])
    return out, len(timed) < len(found)
