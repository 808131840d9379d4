"""Metric rollups 4x apart: every level exact, old databases backfilled, one level per read."""

from __future__ import annotations

import functools
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.control import metrics
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.runs import curves
from forgather_lab.store import SCHEMA_VERSION, Database
from forgather_lab.store.db import DB_FILENAME
from forgather_lab.store.migrations import MIGRATIONS

T0 = 1_780_000_000.0
COLUMNS = "min_step, min_value, max_step, max_value, count, min_time, max_time"
Rollup = tuple[int, float, int, float, int, float | None, float | None]


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(tmp_path / "state" / DB_FILENAME)
    database.open()
    yield database
    database.close()


def _job(db: Database) -> str:
    job = db.call(
        lambda c: jobs_repo.insert(
            c, name="m", job_type="command", priority=0, requested_gpus=0, params={}
        )
    )
    return job.id


def _points(n: int, every: int, seed: int) -> list[tuple[int, float, float]]:
    """``n`` points ``every`` steps apart (from step 5), distinct values, a spike and a dip."""
    rng = random.Random(seed)
    values = rng.sample(range(10**9), n)
    out = [(5 + i * every, v / 1e6, T0 + i) for i, v in enumerate(values)]
    out[n // 3] = (out[n // 3][0], 5000.0, out[n // 3][2])
    out[2 * n // 3] = (out[2 * n // 3][0], -5000.0, out[2 * n // 3][2])
    return out


def _expected(points: list[tuple[int, float, float]], width: int) -> dict[int, Rollup]:
    """Each bucket's rollup row, from the points themselves."""
    buckets: dict[int, list[tuple[int, float, float]]] = {}
    for p in points:
        buckets.setdefault(p[0] // width, []).append(p)
    out: dict[int, Rollup] = {}
    for b, pts in buckets.items():
        low = min(pts, key=lambda p: p[1])
        high = max(pts, key=lambda p: p[1])
        out[b] = (low[0], low[1], high[0], high[1], len(pts), low[2], high[2])
    return out


def _stored(
    conn: sqlite3.Connection, job_id: str, width: int, name: str = "loss"
) -> dict[int, Rollup]:
    rows = conn.execute(
        f"SELECT bucket, {COLUMNS} FROM metric_rollups WHERE job_id = ? AND name = ? AND width = ?",
        (job_id, name, width),
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3], r[4], r[5], r[6], r[7]) for r in rows}


def _curve(conn: sqlite3.Connection, job_id: str, max_points: int) -> list[tuple[int, float]]:
    return curves.curve(conn, job_id, "loss", max_points, metrics.LEVELS)


def test_levels_are_4x_apart_and_the_coarsest_is_what_the_runs_table_reads() -> None:
    assert metrics.LEVELS[0] == 16
    assert metrics.LEVELS[-1] == 65536
    assert all(b == 4 * a for a, b in zip(metrics.LEVELS, metrics.LEVELS[1:], strict=False))


def test_every_level_holds_each_buckets_extremes_across_uneven_batches(db: Database) -> None:
    job_id = _job(db)
    points = _points(40_000, 7, seed=1)
    # Batches of every size, split inside buckets of every level, shuffled within a batch.
    rng = random.Random(2)
    at = 0
    while at < len(points):
        size = rng.choice([1, 3, 17, 500, 4099, 9000])
        batch = points[at : at + size]
        rng.shuffle(batch)
        rows: list[metrics.Row] = [("loss", s, v, t) for s, v, t in batch]
        db.call(functools.partial(metrics.append, job_id=job_id, rows=rows))
        at += size
    for width in metrics.LEVELS:
        stored = db.call(functools.partial(_stored, job_id=job_id, width=width))
        assert stored == _expected(points, width), width


@pytest.mark.parametrize("width", metrics.LEVELS)
def test_a_read_at_each_level_offers_its_buckets_and_keeps_ends_and_extremes(
    db: Database, width: int
) -> None:
    job_id = _job(db)
    max_points = 40
    # Span 40 * width: the coarsest level with >= max_points / 2 buckets is ``width``
    # (4x coarser would leave 10); sparse steps keep the points few at any width.
    every = max(1, width // 8)
    points = _points(40 * width // every, every, seed=width)
    db.call(lambda c: metrics.append(c, job_id, [("loss", s, v, t) for s, v, t in points]))
    assert len(points) > curves.RAW_FACTOR * max_points  # read from the rollups
    buckets = _expected(points, width)
    want = {(r[0], r[1], r[5]) for r in buckets.values()} | {
        (r[2], r[3], r[6]) for r in buckets.values()
    }
    want |= {points[0], points[-1]}
    offered = db.call(lambda c: curves.candidates(c, job_id, "loss", max_points, metrics.LEVELS))
    assert offered == sorted(want)  # exactly the level's extremes and the curve's ends
    assert max_points <= len(offered) <= 4 * max_points + 2
    untimed = db.call(
        lambda c: curves.candidates(c, job_id, "loss", max_points, metrics.LEVELS, False)
    )
    assert untimed == [(s, v) for s, v, _ in offered]

    for limit in (max_points, 4, 2):
        out = db.call(functools.partial(_curve, job_id=job_id, max_points=limit))
        assert 2 <= len(out) <= limit
        assert out[0] == points[0][:2]
        assert out[-1] == points[-1][:2]
        if limit >= 4:
            assert (points[len(points) // 3][0], 5000.0) in out
            assert (points[2 * len(points) // 3][0], -5000.0) in out
        steps = [s for s, _ in out]
        assert steps == sorted(set(steps))
    timed, partial = db.call(
        lambda c: curves.timed_curve(c, job_id, "loss", max_points, metrics.LEVELS)
    )
    assert not partial
    assert 2 <= len(timed) <= max_points
    by_step = {s: (t, v) for s, v, t in points}
    assert timed[0] == by_step[points[0][0]]
    assert (by_step[points[len(points) // 3][0]]) in timed
    assert [t for t, _ in timed] == sorted(t for t, _ in timed)


def test_a_database_from_before_the_4x_levels_is_backfilled_exactly(tmp_path: Path) -> None:
    # The migration that adds the levels, found by what it does (no version number here).
    added = next(i for i, m in enumerate(MIGRATIONS) if "INSERT OR IGNORE INTO metric_rollups" in m)
    old_levels = (16, 256, 4096, 65536)
    path = tmp_path / "state" / DB_FILENAME
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:added]:
        conn.executescript(script)
    conn.execute(f"PRAGMA user_version = {added}")
    conn.execute(
        "INSERT INTO jobs (id, name, job_type, status, created_at) "
        "VALUES ('old', 'old', 'command', 'done', 0)"
    )
    points = _points(30_000, 11, seed=3)
    conn.executemany(
        "INSERT INTO metrics (job_id, name, step, value, time) VALUES ('old', 'loss', ?, ?, ?)",
        points,
    )
    conn.executemany(
        f"INSERT INTO metric_rollups (job_id, name, width, bucket, {COLUMNS}) "
        "VALUES ('old', 'loss', ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(w, b, *r) for w in old_levels for b, r in _expected(points, w).items()],
    )
    # A second series whose points came before wall times (NULL times are carried over).
    conn.executemany(
        "INSERT INTO metrics (job_id, name, step, value) VALUES ('old', 'lr', ?, ?)",
        [(s, 0.1) for s in range(2000)],
    )
    conn.executemany(
        "INSERT INTO metric_rollups (job_id, name, width, bucket, min_step, min_value, "
        "max_step, max_value, count) VALUES ('old', 'lr', ?, ?, ?, 0.1, ?, 0.1, ?)",
        [
            (w, b, b * w, b * w, min(2000, (b + 1) * w) - b * w)
            for w in old_levels
            for b in range((2000 + w - 1) // w)
        ],
    )
    conn.commit()
    conn.close()
    db = Database(path)
    db.open()
    try:
        assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
        for width in metrics.LEVELS:
            stored = db.call(functools.partial(_stored, job_id="old", width=width))
            assert stored == _expected(points, width), width
        # A flat curve: every sub-bucket ties, any of their points may stand for it.
        lr = db.call(lambda c: _stored(c, "old", 1024, "lr"))
        assert sorted(lr) == [0, 1]
        assert [(r[1], r[3], r[4], r[5], r[6]) for r in lr.values()] == [
            (0.1, 0.1, 1024, None, None),
            (0.1, 0.1, 976, None, None),
        ]
        assert all(b * 1024 <= r[0] < (b + 1) * 1024 for b, r in lr.items())
        assert all(b * 1024 <= r[2] < (b + 1) * 1024 for b, r in lr.items())
        # The job goes on after the upgrade: its appends extend the backfilled buckets.
        more = [(points[-1][0] + 1 + i, -1e6 + i, T0 + 10**6) for i in range(3)]
        db.call(lambda c: metrics.append(c, "old", [("loss", s, v, t) for s, v, t in more]))
        for width in metrics.LEVELS:
            got = db.call(functools.partial(_stored, job_id="old", width=width))
            assert got == _expected(points + more, width), width
        out = db.call(lambda c: curves.curve(c, "old", "loss", 100, metrics.LEVELS))
        assert len(out) <= 100
        assert out[0] == points[0][:2]
        assert out[-1] == more[-1][:2]
        assert (more[0][0], more[0][1]) in out  # the new lowest
        assert (points[len(points) // 3][0], 5000.0) in out
    finally:
        db.close()
