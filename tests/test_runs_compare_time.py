"""Compare on a wall-time axis: each point's recorded time, old points without one, max_points."""

from __future__ import annotations

import functools
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jobs_helpers import command, wait_for

from forgather_lab.control import metrics
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.runs import curves
from forgather_lab.runs.compare import lttb
from forgather_lab.store import SCHEMA_VERSION, Database
from forgather_lab.store.db import DB_FILENAME
from forgather_lab.store.migrations import MIGRATIONS

T0 = 1_780_000_000.0

# -- LTTB: the faster loop chooses exactly what the textbook loop chooses ----------------


def _textbook_lttb(points: list[tuple[int, float]], threshold: int) -> list[int]:
    """LTTB as first written here (and by Steinarsson): the reference for the faster loop."""
    n = len(points)
    if threshold >= n:
        return list(range(n))
    if threshold <= 2:
        return [0, n - 1][: max(threshold, 0)] if n > 1 else [0][: max(threshold, 0)]
    xs = [float(p[0]) for p in points]
    ys = [float(p[1]) for p in points]
    every = (n - 2) / (threshold - 2)
    kept, a = [0], 0
    for i in range(threshold - 2):
        start, end = int(i * every) + 1, int((i + 1) * every) + 1
        nxt_start, nxt_end = end, min(int((i + 2) * every) + 1, n)
        if nxt_start >= nxt_end:
            nxt_start, nxt_end = n - 1, n
        count = nxt_end - nxt_start
        avg_x = sum(xs[nxt_start:nxt_end]) / count
        avg_y = sum(ys[nxt_start:nxt_end]) / count
        ax, ay = xs[a], ys[a]
        dx, dy = ax - avg_x, avg_y - ay
        best, best_area = start, -1.0
        for j in range(start, end):
            area = abs(dx * (ys[j] - ay) - (ax - xs[j]) * dy)
            if area > best_area:
                best, best_area = j, area
        kept.append(best)
        a = best
    kept.append(n - 1)
    return kept


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(
        st.floats(allow_nan=False, allow_infinity=False, min_value=-1e9, max_value=1e9),
        min_size=1,
        max_size=300,
    ),
    gaps=st.integers(1, 50),
    threshold=st.integers(0, 320),
)
def test_lttb_chooses_what_the_textbook_loop_chooses(
    values: list[float], gaps: int, threshold: int
) -> None:
    points = [(i * gaps, v) for i, v in enumerate(values)]
    assert lttb(points, threshold) == _textbook_lttb(points, threshold)


# -- the reads ---------------------------------------------------------------------------


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


def _curve(c: sqlite3.Connection, job_id: str, max_points: int) -> list[tuple[int, float]]:
    return curves.curve(c, job_id, "loss", max_points, metrics.LEVELS)


def _timed(
    c: sqlite3.Connection, job_id: str, max_points: int
) -> tuple[list[tuple[float, float]], bool]:
    return curves.timed_curve(c, job_id, "loss", max_points, metrics.LEVELS)


def test_time_axis_is_the_step_axis_at_each_points_time(db: Database) -> None:
    job_id = _job(db)
    n = 300_000  # read from the rollups, not point by point
    rows = [("loss", s, 3.0 - s / n, T0 + 0.01 * s) for s in range(n)]
    rows[123_456] = ("loss", 123_456, 99.0, T0 + 0.01 * 123_456)
    db.call(lambda c: metrics.append(c, job_id, rows))
    for max_points in (2, 3, 10, 1000):
        steps = db.call(functools.partial(_curve, job_id=job_id, max_points=max_points))
        timed, partial = db.call(functools.partial(_timed, job_id=job_id, max_points=max_points))
        assert not partial
        assert len(timed) == len(steps) <= max_points
        # The same points: each value at the time its step was recorded, in time order.
        assert [v for _, v in timed] == [v for _, v in steps]
        assert [t for t, _ in timed] == pytest.approx([T0 + 0.01 * s for s, _ in steps])
        assert [t for t, _ in timed] == sorted(t for t, _ in timed)
    assert timed[0] == (T0, 3.0)
    assert (T0 + 0.01 * 123_456, 99.0) in timed  # the spike survives on this axis too


def test_points_without_a_time_are_left_off_the_time_axis(db: Database) -> None:
    job_id = _job(db)
    db.call(lambda c: metrics.append(c, job_id, [("lr", s, 0.1, T0 + s) for s in range(200)]))
    # As a server before wall times stored them (migration 9 leaves them NULL).
    db.call(lambda c: c.execute("UPDATE metrics SET time = NULL WHERE step < 50"))
    assert len(db.call(lambda c: curves.curve(c, job_id, "lr", 1000, metrics.LEVELS))) == 200
    timed, partial = db.call(lambda c: curves.timed_curve(c, job_id, "lr", 1000, metrics.LEVELS))
    assert partial
    assert timed == [(T0 + s, 0.1) for s in range(50, 200)]
    # Nothing timed at all: an empty curve, flagged.
    db.call(lambda c: c.execute("UPDATE metrics SET time = NULL"))
    assert db.call(lambda c: curves.timed_curve(c, job_id, "lr", 1000, metrics.LEVELS)) == (
        [],
        True,
    )


def _old_rollup(width: int, bucket: int, n: int) -> tuple[int | float, ...]:
    """A rollup row of ``1 / (step + 1)`` for steps below ``n``, as migration 3 stored it."""
    low = min(n, (bucket + 1) * width) - 1  # the curve falls: the lowest is the last step
    high = bucket * width
    return (width, bucket, low, 1.0 / (low + 1), high, 1.0 / (high + 1), low - high + 1)


def test_a_database_from_before_wall_times_migrates_and_its_points_stay_untimed(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state" / DB_FILENAME
    path.parent.mkdir()
    conn = sqlite3.connect(path)
    for script in MIGRATIONS[:8]:  # the schema as it was before migration 9
        conn.executescript(script)
    conn.execute("PRAGMA user_version = 8")
    conn.execute(
        "INSERT INTO jobs (id, name, job_type, status, created_at) "
        "VALUES ('old', 'old', 'command', 'done', 0)"
    )
    conn.executemany(
        "INSERT INTO metrics (job_id, name, step, value) VALUES ('old', 'loss', ?, ?)",
        [(s, 1.0 / (s + 1)) for s in range(20_000)],
    )
    conn.executemany(
        "INSERT INTO metric_rollups (job_id, name, width, bucket, min_step, min_value, "
        "max_step, max_value, count) VALUES ('old', 'loss', ?, ?, ?, ?, ?, ?, ?)",
        [_old_rollup(w, b, 20_000) for w in metrics.LEVELS for b in range((20_000 + w - 1) // w)],
    )
    conn.commit()
    conn.close()
    db = Database(path)
    db.open()
    try:
        assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION
        # The job runs on after the upgrade: its new points have a time.
        db.call(
            lambda c: metrics.append(
                c, "old", [("loss", s, 1.0 / (s + 1)) for s in range(20_000, 30_000)], now=T0
            )
        )
        steps = db.call(lambda c: curves.curve(c, "old", "loss", 500, metrics.LEVELS))
        timed, partial = db.call(
            lambda c: curves.timed_curve(c, "old", "loss", 500, metrics.LEVELS)
        )
        assert partial
        assert steps[0] == (0, 1.0)
        assert 2 <= len(timed) <= 500
        assert {t for t, _ in timed} == {T0}  # only the points stored after the upgrade
        assert min(v for _, v in timed) == pytest.approx(1.0 / 30_000)
    finally:
        db.close()


def test_a_rows_own_time_wins_over_the_receive_time(db: Database) -> None:
    job_id = _job(db)
    rows: list[metrics.Row] = [("x", 1, 1.0, T0), ("x", 2, 2.0), ("x", 3, 3.0, float("nan"))]
    db.call(lambda c: metrics.append(c, job_id, rows, now=T0 + 60))
    timed, _ = db.call(lambda c: curves.timed_curve(c, job_id, "x", 10, metrics.LEVELS))
    assert timed == [(T0, 1.0), (T0 + 60, 2.0), (T0 + 60, 3.0)]


# -- over HTTP, from a real job's reporter --------------------------------------------------

# Four batches of points (the reporter sends every half second), so times differ.
TRAINER = """
import time
from forgather_lab import reporter
with reporter.connect() as rep:
    for step in range(1, 41):
        rep.report(step, 40, loss=2.0 / step, lr=0.01)
        if step % 10 == 0:
            rep.flush()
            time.sleep(0.3)
"""


async def test_compare_over_http_on_the_time_axis(api: Any) -> None:
    status, job = await api("queue", method="POST", json_body=command(TRAINER, name="timed"))
    assert status == 201, job
    job = await wait_for(api, job["id"], {"done", "failed"}, timeout=60)
    assert job["status"] == "done", job
    job_id = job["id"]
    params = {"jobs": f"{job_id},nosuch", "keys": "loss,lr"}
    status, steps = await api("metrics", "compare", params=params)
    assert status == 200, steps
    assert steps["axis"] == "step"
    assert steps["series"][job_id]["loss"] == [[s, 2.0 / s] for s in range(1, 41)]
    status, timed = await api("metrics", "compare", params={**params, "axis": "time"})
    assert status == 200, timed
    assert timed["axis"] == "time"
    assert timed["missing"] == ["nosuch"]
    assert timed["untimed"] == {}
    for key in ("loss", "lr"):
        pairs = timed["series"][job_id][key]
        assert [v for _, v in pairs] == [v for _, v in steps["series"][job_id][key]]
        times = [t for t, _ in pairs]
        assert times == sorted(times)
        # Recorded while the job ran, each point at its own moment (the reporter's
        # time, not the batch's arrival: ten points per flush are ten instants).
        assert job["started_at"] - 1 <= times[0] <= times[-1] <= job["ended_at"] + 1
        assert len(set(times)) == len(times)
        assert time.time() - times[-1] < 600
    # max_points bounds the time axis too, keeping its first and last point.
    status, few = await api(
        "metrics",
        "compare",
        params={"jobs": job_id, "keys": "loss", "max_points": 5, "axis": "time"},
    )
    assert status == 200, few
    pairs = few["series"][job_id]["loss"]
    assert len(pairs) <= 5
    assert pairs[0] == timed["series"][job_id]["loss"][0]
    assert pairs[-1][1] == 2.0 / 40
    status, bad = await api("metrics", "compare", params={"jobs": job_id, "axis": "clock"})
    assert status == 400, bad
    assert "axis" in bad["message"]
