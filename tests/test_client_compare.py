"""``client.compare``: two real runs' curves as a DataFrame, and as the model without pandas."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Iterator

import pandas as pd
import pytest
from conftest_server import LiveServer, wait_for

from forgather_lab.client import AsyncClient, Client, ForgatherClientError
from forgather_lab.models.runs import CompareMetrics

STEPS = 30

# A trainer that reports loss = scale / step and a constant lr through the reporter.
TRAINER = """\
import sys
from forgather_lab import reporter
scale, lr = float(sys.argv[1]), float(sys.argv[2])
with reporter.connect() as rep:
    for step in range(1, {steps} + 1):
        rep.report(step, {steps}, loss=scale / step, lr=lr)
"""


def run_trainer(client: Client, scale: float, lr: float, name: str) -> str:
    """Queue the trainer, wait until it is done and its points are in; its id."""
    argv = [sys.executable, "-c", TRAINER.format(steps=STEPS), str(scale), str(lr)]
    job = client.enqueue(argv, name=name)
    done = wait_for(lambda: (j := client.job(job.id)).status in {"done", "failed"} and j, 60)
    assert done.status == "done", client.tty(job.id)
    return job.id


@pytest.fixture(scope="module")
def runs(live_server: LiveServer) -> Iterator[tuple[Client, str, str]]:
    with Client(live_server.url, live_server.token) as client:
        a = run_trainer(client, 2.0, 0.1, "compare-a")
        b = run_trainer(client, 4.0, 0.01, "compare-b")
        yield client, a, b


def test_compare_is_a_frame_of_steps_by_run_and_key(runs: tuple[Client, str, str]) -> None:
    client, a, b = runs
    frame = client.compare([a, b], ["loss", "lr"])
    assert isinstance(frame, pd.DataFrame)
    assert frame.index.name == "step"
    assert list(frame.columns.names) == ["job", "key"]
    assert set(frame.columns) == {(a, "loss"), (a, "lr"), (b, "loss"), (b, "lr")}
    assert list(frame.index) == list(range(1, STEPS + 1))
    assert frame.loc[1, (a, "loss")] == pytest.approx(2.0)
    assert frame.loc[STEPS, (b, "loss")] == pytest.approx(4.0 / STEPS)
    assert frame[(b, "lr")].eq(0.01).all()
    assert frame.attrs["missing"] == []
    # One run's curves are one column group.
    assert list(frame[a].columns) == ["loss", "lr"]


def test_keys_default_to_every_metric_and_ids_may_be_comma_separated(
    runs: tuple[Client, str, str],
) -> None:
    client, a, b = runs
    frame = client.compare(f"{a},{b}")
    assert isinstance(frame, pd.DataFrame)
    assert {(a, "loss"), (b, "lr")} <= set(frame.columns)


def test_max_points_downsamples_on_the_server(runs: tuple[Client, str, str]) -> None:
    client, a, _ = runs
    series = client.compare_series([a], ["loss"], max_points=10)
    assert isinstance(series, CompareMetrics)
    points = series.series[a]["loss"]
    assert 2 <= len(points) <= 10
    assert points[0][0] == 1  # the first point kept
    assert points[-1][0] == STEPS  # and the last


def test_unknown_ids_and_bad_input(runs: tuple[Client, str, str]) -> None:
    client, a, _ = runs
    frame = client.compare([a, "no-such-job"], ["loss"])
    assert isinstance(frame, pd.DataFrame)
    assert frame.attrs["missing"] == ["no-such-job"]
    with pytest.raises(ValueError, match="at least one job id"):
        client.compare([])
    with pytest.raises(ForgatherClientError) as e:
        client.compare([a], max_points=1)
    assert e.value.status == 400


def test_the_async_client_compares_too(
    runs: tuple[Client, str, str], live_server: LiveServer
) -> None:
    _, a, b = runs

    async def go() -> object:
        async with AsyncClient(live_server.url, live_server.token) as client:
            return await client.compare([a, b], ["loss"])

    frame = asyncio.run(go())
    assert isinstance(frame, pd.DataFrame)
    assert set(frame.columns) == {(a, "loss"), (b, "loss")}


def test_without_pandas_compare_answers_the_series_model(
    runs: tuple[Client, str, str], live_server: LiveServer
) -> None:
    _, a, b = runs
    # A fresh interpreter where pandas cannot be imported, as if it were not installed.
    code = (
        "import sys, json\n"
        "sys.modules['pandas'] = None\n"
        "from forgather_lab.client import Client\n"
        f"r = Client({live_server.url!r}, {live_server.token!r}).compare([{a!r}, {b!r}], 'loss')\n"
        "print(json.dumps({'type': type(r).__name__, 'data': r.model_dump()}))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    answer = json.loads(out.stdout)
    assert answer["type"] == "CompareMetrics"
    assert answer["data"]["series"][a]["loss"][0] == [1, 2.0]
    assert len(answer["data"]["series"][b]["loss"]) == STEPS
