"""Metric series: batched appends, range reads, downsampling that keeps the extremes."""

from __future__ import annotations

import math
import time
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, job_token, wait_for

from forgather_lab.control import metrics
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.store import Database

N = 1_000_000


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


def test_a_million_points_downsample_keeping_extremes(db: Database) -> None:
    job_id = _job(db)
    spike, dip = 654_321, 123_457

    def value(step: int) -> float:
        if step == spike:
            return 1e6
        if step == dip:
            return -1e6
        return math.sin(step / 1000)

    for start in range(0, N, 100_000):  # the callback's batches are far smaller
        rows = [("loss", s, value(s)) for s in range(start, start + 100_000)]
        db.call(lambda c, r=rows: metrics.append(c, job_id, r))
    t0 = time.perf_counter()
    points = db.call(lambda c: metrics.series(c, job_id, "loss", 0, 1000))
    elapsed = time.perf_counter() - t0
    print(f"downsampled {N} points to {len(points)} in {elapsed * 1000:.0f} ms")
    assert 500 <= len(points) <= 1000
    steps = [s for s, _ in points]
    assert steps == sorted(steps)
    assert (spike, 1e6) in points
    assert (dip, -1e6) in points
    assert points[0][0] < 1000  # the range is covered from start to end
    assert points[-1][0] > N - 1000
    since = db.call(lambda c: metrics.series(c, job_id, "loss", N - 10, 1000))
    assert [s for s, _ in since] == list(range(N - 10, N))


def test_repeated_steps_and_missing_values(db: Database) -> None:
    job_id = _job(db)
    db.call(lambda c: metrics.append(c, job_id, [("loss", 1, 2.0), ("loss", 2, None)]))
    db.call(lambda c: metrics.append(c, job_id, [("loss", 1, 1.5), ("lr", 1, 0.1)]))
    assert db.call(lambda c: metrics.series(c, job_id, "loss", 0, 10)) == [(1, 1.5), (2, None)]
    assert db.call(lambda c: metrics.names(c, job_id)) == ["loss", "lr"]
    assert metrics.finite(float("nan")) is None
    assert metrics.finite("x") is None
    assert metrics.finite(3) == 3.0


async def test_metrics_over_http(api: Any, state_dir: Path) -> None:
    _, job = await api("queue", method="POST", json_body=command("import time; time.sleep(60)"))
    job_id = job["id"]
    await wait_for(api, job_id, {"running"})
    token = await job_token(state_dir, job_id)
    records = [
        {
            "kind": "progress",
            "step": s,
            "max_steps": 100,
            "metrics": {"loss": 10 - s / 10, "lr": 0.1},
        }
        for s in range(1, 101)
    ]
    records.append({"kind": "eval", "step": 100, "metrics": {"loss": 0.5, "acc": "n/a"}})
    records.append({"kind": "progress", "step": 101, "metrics": {"loss": float("inf")}})
    code, _ = await api(
        "jobs", job_id, "callback", method="POST", json_body={"records": records},
        headers={"Authorization": f"Bearer {token}"},
    )  # fmt: skip
    assert code == 200
    code, body = await api("jobs", job_id, "metrics")
    assert code == 200
    assert sorted(body["series"]) == ["eval_loss", "loss", "lr"]
    assert body["series"]["eval_loss"] == [[100, 0.5]]
    assert body["series"]["loss"][-1] == [101, None]  # inf is not JSON: stored as a gap
    code, body = await api(
        "jobs", job_id, "metrics", params={"names": "loss", "since_step": 90, "max_points": 4}
    )
    assert code == 200
    assert list(body["series"]) == ["loss"]
    assert 1 <= len(body["series"]["loss"]) <= 4
    code, body = await api("jobs", job_id, "metrics", params={"max_points": 1})
    assert code == 400
    assert "max_points" in body["message"]
    code, body = await api("jobs", job_id, "metrics", params={"since_step": "x"})
    assert code == 400
    code, status = await api("jobs", job_id, "status")
    assert status["step"] == 101
    assert status["loss"] is None
    assert status["eval"] == {"step": 100, "metrics": {"loss": 0.5}}
    await api("jobs", job_id, "control", "kill", method="POST")
