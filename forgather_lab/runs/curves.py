"""Reading a curve to compare: every point when it is small, bucket extremes when it is not.

LTTB needs points, and 100 runs of a million points each are 10^8 rows: far
too many to read for one chart. The metric rollups (``control/metrics.py``)
already hold, per bucket of 16 / 256 / 4096 / 65536 steps, the lowest and
the highest point. So a big curve is read as the extremes of groups of
about ``span / (max_points / 2)`` steps: the coarsest rollup level no wider
than that, merged ``k`` buckets at a time in SQL (``GROUP BY bucket / k``,
``k`` as many as fit; the point of a ``MIN()`` / ``MAX()`` aggregate comes
along as a bare column, which SQLite takes from the row holding the
extreme). That makes between ``max_points / 2`` and ``max_points`` groups,
so at most ``2 * max_points + 2`` candidates, read with the primary key's
prefix (``job_id, name, width``) scanning at most 16 rollup rows per group;
``compare.downsample`` then keeps at most ``max_points`` of them. Rows are
read as plain tuples: building ``sqlite3.Row`` objects cost more than the
reads themselves (measured: 4x on the 1,000,000-point curve).

What this costs in fidelity: every point answered is a real stored point;
the first and last are the series' own (read from ``metrics``), the lowest
and highest are exact (they are the extremes of some bucket); inside one
group only its two extremes can be chosen, so a point between them is
represented by the group's envelope rather than by itself. Rollups ignore
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
value, the caveat above.)
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any

from .compare import Point, downsample

#: ``(step, value, time)``; time None where the point was stored without one.
Timed = tuple[int, float, float | None]

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


def _end(conn: sqlite3.Connection, job_id: str, name: str, last: bool) -> Timed | None:
    order = "DESC" if last else "ASC"
    row = conn.execute(
        f"SELECT step, value, time FROM metrics WHERE {_KEY} AND value IS NOT NULL "
        f"ORDER BY step {order} LIMIT 1",
        (job_id, name),
    ).fetchone()
    return None if row is None else (int(row[0]), float(row[1]), row[2])


def _raw(conn: sqlite3.Connection, job_id: str, name: str) -> list[Timed]:
    sql = f"SELECT step, value, time FROM metrics WHERE {_KEY} AND value IS NOT NULL ORDER BY step"
    return _rows(conn, sql, (job_id, name))  # step INTEGER, value REAL: already typed


def _extremes(
    conn: sqlite3.Connection, job_id: str, name: str, width: int, merge: int
) -> list[Timed]:
    """Each group's lowest and highest point (by step within the group), in step order."""
    args = (job_id, name, width)
    where = f"FROM metric_rollups WHERE {_KEY} AND width = ?3"
    if merge <= 1:
        sql = f"SELECT min_step, min_value, min_time, max_step, max_value, max_time {where}"
        rows = _rows(conn, sql, args)
        pairs = [((r[0], r[1], r[2]), (r[3], r[4], r[5])) for r in rows]
    else:
        # The bare columns come from the row holding the MIN() / MAX(); both queries
        # group the same rows, so their groups pair up in order.
        group = f"{where} GROUP BY bucket / ?4 ORDER BY bucket / ?4"
        lows = _rows(conn, f"SELECT min_step, MIN(min_value), min_time {group}", (*args, merge))
        highs = _rows(conn, f"SELECT max_step, MAX(max_value), max_time {group}", (*args, merge))
        pairs = list(zip(lows, highs, strict=True))
    out: list[Timed] = []
    for low, high in pairs:  # a merge of two sorted lists, no sort
        if low[0] < high[0]:
            out += (low, high)
        elif low[0] > high[0]:
            out += (high, low)
        else:
            out.append(low)
    return out


def candidates(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> list[Timed]:
    """The points of one curve LTTB should choose from, in step order, with their times.

    ``levels``: the rollup widths, finest first (``control.metrics.LEVELS``).
    """
    count = _count(conn, job_id, name, levels[-1])
    if count == 0:
        return []
    if count <= RAW_FACTOR * max_points:
        return _raw(conn, job_id, name)
    first, last = _end(conn, job_id, name, False), _end(conn, job_id, name, True)
    if first is None or last is None:
        return []
    group = (last[0] - first[0] + 1) / (max_points / 2)  # steps per group
    fitting = [w for w in levels if w <= group]
    if not fitting:  # dense and short: at most 16 * max_points rows
        return _raw(conn, job_id, name)
    width = fitting[-1]
    points = _extremes(conn, job_id, name, width, int(group // width))
    if not points:
        return sorted({first[0]: first, last[0]: last}.values())
    if first[0] < points[0][0]:
        points.insert(0, first)
    if last[0] > points[-1][0]:
        points.append(last)
    steps = [p[0] for p in points]
    if steps == sorted(set(steps)):  # strictly increasing (checked at C speed)
        return points
    # Out of order only through stale rollups (a step re-reported as missing):
    # one candidate per step, sorted.
    return sorted({p[0]: p for p in (*points, first, last)}.values())


def curve(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> list[Point]:
    """One curve, downsampled to at most ``max_points`` points, on the step axis."""
    chosen = downsample(candidates(conn, job_id, name, max_points, levels), max_points)
    return [(s, v) for s, v, _ in chosen]


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
