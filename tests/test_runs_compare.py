"""Compare: LTTB that keeps ends and extremes, reads that scale, the runs table."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jobs_helpers import command, wait_for

from forgather_lab.control import metrics
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.runs import curves, table
from forgather_lab.runs.compare import downsample, lttb
from forgather_lab.store import Database

# -- the pure function -------------------------------------------------------------

values = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)


@st.composite
def curves_(draw: Any) -> list[tuple[int, float]]:
    steps = sorted(draw(st.sets(st.integers(0, 10**7), min_size=1, max_size=400)))
    return [(s, draw(values)) for s in steps]


@settings(max_examples=300, deadline=None)
@given(points=curves_(), max_points=st.integers(2, 60))
def test_downsample_keeps_ends_and_extremes_within_max_points(
    points: list[tuple[int, float]], max_points: int
) -> None:
    out = downsample(points, max_points)
    assert len(out) <= max_points
    assert len(out) == min(len(points), max_points) or len(out) >= max_points - 2
    assert set(out) <= set(points)
    steps = [s for s, _ in out]
    assert steps == sorted(set(steps))
    assert out[0] == points[0]
    if len(points) > 1:
        assert out[-1] == points[-1]
    kept = [v for _, v in out]
    if max_points >= 4:
        assert min(kept) == min(v for _, v in points)
        assert max(kept) == max(v for _, v in points)


def test_lttb_picks_the_shape_and_downsample_adds_back_a_lost_extreme() -> None:
    # A sawtooth with one deep, one-step dip next to a deeper-looking triangle winner.
    points = [(i, float(i % 10)) for i in range(1000)]
    points[503] = (503, -50.0)
    picked = lttb(points, 20)
    assert len(picked) == 20
    assert picked[0] == 0
    assert picked[-1] == 999
    out = downsample(points, 20)
    assert (503, -50.0) in out
    assert len(out) <= 20
    assert (9, 9.0) in out or max(v for _, v in out) == 9.0
    assert downsample(points[:5], 10) == points[:5]
    assert downsample(points, 2) == [points[0], points[-1]]


# -- the reads -----------------------------------------------------------------------

N = 300_000


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(tmp_path / "state" / "forgather.db")
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


def test_big_curves_are_read_from_the_rollups_keeping_ends_and_extremes(db: Database) -> None:
    job_id = _job(db)
    spike, dip = 200_001, 77_777
    rows = [("loss", s, 2.0 + math.sin(s / 5000)) for s in range(3, N)]
    rows[spike - 3] = ("loss", spike, 1e6)
    rows[dip - 3] = ("loss", dip, -1e6)
    db.call(lambda c: metrics.append(c, job_id, rows))
    t0 = time.perf_counter()
    out = db.call(lambda c: curves.curve(c, job_id, "loss", 1000, metrics.LEVELS))
    elapsed = time.perf_counter() - t0
    assert 900 <= len(out) <= 1000
    assert out[0] == (3, rows[0][2])
    assert out[-1] == (N - 1, rows[-1][2])
    assert (spike, 1e6) in out
    assert (dip, -1e6) in out
    assert [s for s, _ in out] == sorted({s for s, _ in out})
    assert elapsed < 0.5, elapsed  # from ~2,400 rollup rows, not 300,000 points
    # The candidates came from one rollup level, read whole: far fewer than the points
    # (levels 4x apart: between max_points / 2 and 2 * max_points buckets of two points).
    offered = db.call(lambda c: curves.candidates(c, job_id, "loss", 1000, metrics.LEVELS))
    assert 1000 <= len(offered) <= 4 * 1000 + 2
    # A small curve is answered whole; a missing one is empty; nulls are never points.
    db.call(lambda c: metrics.append(c, job_id, [("lr", s, 0.1) for s in range(50)]))
    db.call(lambda c: metrics.append(c, job_id, [("lr", 50, None)]))
    assert db.call(lambda c: curves.curve(c, job_id, "lr", 1000, metrics.LEVELS)) == [
        (s, 0.1) for s in range(50)
    ]
    assert db.call(lambda c: curves.curve(c, job_id, "nothing", 1000, metrics.LEVELS)) == []


def test_runs_table_summary_uses_the_primary_keys(db: Database) -> None:
    job_id = _job(db)
    db.call(lambda c: metrics.append(c, job_id, [("loss", s, 10.0 - s) for s in range(100)]))
    db.call(lambda c: metrics.append(c, job_id, [("loss", 100, 50.0)]))
    found = db.call(lambda c: table.summaries(c, job_id, ["loss"], metrics.LEVELS[-1]))
    assert found["loss"].last == 50.0
    assert found["loss"].last_step == 100
    assert found["loss"].min == -89.0
    assert found["loss"].max == 50.0
    plan = db.call(
        lambda c: [
            r[3]
            for r in c.execute(
                "EXPLAIN QUERY PLAN " + table.PLAN_CHECK,
                {"job": job_id, "name": "loss", "width": metrics.LEVELS[-1]},
            )
        ]
    )
    # The outer SELECT has no table ("SCAN CONSTANT ROW"); every table access is a key search.
    reads = [p for p in plan if p.startswith(("SEARCH", "SCAN")) and p != "SCAN CONSTANT ROW"]
    assert len(reads) == 4, plan
    assert all(p.startswith("SEARCH") and "PRIMARY KEY" in p for p in reads), plan
    assert sum("width=?" in p for p in reads) == 2, plan  # rollups: (job_id, name, width)


# -- over HTTP -----------------------------------------------------------------------


async def _finished(api: Any, name: str) -> str:
    status, job = await api("queue", method="POST", json_body=command("pass", name=name))
    assert status == 201, job
    await wait_for(api, job["id"], {"done"})
    return str(job["id"])


def _report(jp_serverapp: Any, job_id: str, rows: list[tuple[str, int, float | None]]) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    runtime.db.call(lambda c: metrics.append(c, job_id, rows))


async def test_compare_over_http(api: Any, jp_serverapp: Any) -> None:
    a, b = await _finished(api, "a"), await _finished(api, "b")
    _report(jp_serverapp, a, [("loss", s, 1.0 / (s + 1)) for s in range(5000)])
    _report(jp_serverapp, b, [("loss", s, 2.0 / (s + 1)) for s in range(10)])
    _report(jp_serverapp, b, [("lr", s, 0.01) for s in range(10)])
    status, body = await api(
        "metrics",
        "compare",
        params={"jobs": f"{a},{b},nosuch", "keys": "loss,lr", "max_points": 100},
    )
    assert status == 200, body
    assert body["missing"] == ["nosuch"]
    assert set(body["series"]) == {a, b}
    loss_a = body["series"][a]["loss"]
    assert len(loss_a) <= 100
    assert loss_a[0] == [0, 1.0]
    assert loss_a[-1] == [4999, 1.0 / 5000]
    assert body["series"][a]["lr"] == []
    assert body["series"][b]["loss"] == [[s, 2.0 / (s + 1)] for s in range(10)]
    status, body = await api("metrics", "compare", params={"jobs": a})
    assert status == 200
    assert set(body["series"][a]) == {"loss"}


@pytest.mark.parametrize(
    "params",
    [
        {"jobs": "a", "max_points": "1"},
        {"jobs": "a", "max_points": "10001"},
        {"jobs": "a", "max_points": "many"},
        {"jobs": ",".join(f"j{i}" for i in range(101))},
        {"jobs": "a", "keys": ",".join(f"k{i}" for i in range(51))},
        {"jobs": ""},
        {},
        {"jobs": "a", "bogus": "1"},
    ],
)
async def test_compare_bad_input_is_400(api: Any, params: dict[str, str]) -> None:
    status, body = await api("metrics", "compare", params=params)
    assert status == 400, body
    assert body["message"]


async def test_runs_table_over_http(api: Any, jp_serverapp: Any) -> None:
    project = "forgather-examples/hello_script"
    ids = []
    for steps in (2, 3):
        status, job = await api(
            "queue",
            method="POST",
            json_body={
                "job_type": "training",
                "project_dir": project,
                "config": "count_words.yaml",
                "dynamic_args": {"steps": steps, "delay": 0},
            },
        )
        assert status == 201, job
        ids.append(job["id"])
    for job_id in ids:
        await wait_for(api, job_id, {"done"}, timeout=60)
    _report(jp_serverapp, ids[0], [("loss", s, 5.0 - s) for s in range(4)])
    other = await _finished(api, "not a config job")
    status, body = await api("runs", params={"project_dir": project, "config": "count_words.yaml"})
    assert status == 200, body
    rows = {r["id"]: r for r in body["runs"]}
    assert set(rows) == set(ids)
    assert other not in rows
    assert [r["id"] for r in body["runs"]] == ids[::-1]  # newest first
    first = rows[ids[0]]
    assert first["dynamic_args"] == {"steps": 2, "delay": 0}
    assert first["status"] == "done"
    assert first["attempt"] == 1
    assert first["owner"] is None
    assert first["duration"] is not None
    assert first["duration"] >= 0
    assert first["metrics"]["loss"] == {"last": 2.0, "last_step": 3, "min": 2.0, "max": 5.0}
    assert "loss" in body["metric_keys"]
    # A config the project does not have is a 404, as for every config endpoint.
    status, body = await api("runs", params={"project_dir": project, "config": "other.yaml"})
    assert status == 404, body
    assert "other.yaml" in body["message"]
    status, body = await api("runs", params={"project_dir": project, "limit": "0"})
    assert status == 400
    status, body = await api("runs", params={})
    assert status == 400
