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


def _end(conn: sqlite3.Connection, job_id: str, name: str, last: bool) -> Point | None:
    order = "DESC" if last else "ASC"
    row = conn.execute(
        f"SELECT step, value FROM metrics WHERE {_KEY} AND value IS NOT NULL "
        f"ORDER BY step {order} LIMIT 1",
        (job_id, name),
    ).fetchone()
    return None if row is None else (int(row[0]), float(row[1]))


def _raw(conn: sqlite3.Connection, job_id: str, name: str) -> list[Point]:
    sql = f"SELECT step, value FROM metrics WHERE {_KEY} AND value IS NOT NULL ORDER BY step"
    return [(int(s), float(v)) for s, v in _rows(conn, sql, (job_id, name))]


def _extremes(
    conn: sqlite3.Connection, job_id: str, name: str, width: int, merge: int
) -> list[Point]:
    args = (job_id, name, width)
    where = f"FROM metric_rollups WHERE {_KEY} AND width = ?"
    if merge <= 1:
        rows = _rows(conn, f"SELECT min_step, min_value, max_step, max_value {where}", args)
        return [(r[0], r[1]) for r in rows] + [(r[2], r[3]) for r in rows]
    # Rows come back as (step, value) already: no per-row work in Python.
    lows = _rows(
        conn, f"SELECT min_step, MIN(min_value) {where} GROUP BY bucket / ?", (*args, merge)
    )
    highs = _rows(
        conn, f"SELECT max_step, MAX(max_value) {where} GROUP BY bucket / ?", (*args, merge)
    )
    return lows + highs


def candidates(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> list[Point]:
    """The points of one curve LTTB should choose from, in step order.

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
    points += (first, last)
    return sorted(set(points))


def curve(
    conn: sqlite3.Connection, job_id: str, name: str, max_points: int, levels: Sequence[int]
) -> list[Point]:
    """One curve, downsampled to at most ``max_points`` points."""
    return downsample(candidates(conn, job_id, name, max_points, levels), max_points)
