"""The wall-time axis from a notebook: client.compare, the Compare widget, %forgather compare."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
import traitlets
from conftest_server import LiveServer, wait_for
from IPython.core.interactiveshell import InteractiveShell

from forgather_lab.client import Client
from forgather_lab.models.runs import CompareMetrics
from forgather_lab.widgets import Compare

# 30 steps over about 1.5 s: several reporter batches, so several distinct times.
TRAINER = """\
import sys, time
from forgather_lab import reporter
scale = float(sys.argv[1])
with reporter.connect() as rep:
    for step in range(1, 31):
        rep.report(step, 30, loss=scale / step)
        time.sleep(0.05)
"""


def _run(client: Client, scale: float, name: str) -> str:
    job = client.enqueue([sys.executable, "-c", TRAINER, str(scale)], name=name)
    done = wait_for(lambda: (j := client.job(job.id)).status in {"done", "failed"} and j, 60)
    assert done.status == "done", client.tty(job.id)
    return job.id


@pytest.fixture(scope="module")
def runs(live_server: LiveServer) -> tuple[str, str]:
    with Client(live_server.url, live_server.token) as client:
        return _run(client, 2.0, "timed-a"), _run(client, 4.0, "timed-b")


def test_compare_on_the_time_axis_is_indexed_by_seconds_since_each_runs_start(
    live_server: LiveServer, runs: tuple[str, str]
) -> None:
    a, b = runs
    with Client(live_server.url, live_server.token) as client:
        series = client.compare_series([a, b], "loss", axis="time")
        steps = client.compare_series([a, b], "loss")
        frame = client.compare([a, b], "loss", axis="time")
        with pytest.raises(ValueError, match="axis"):
            client.compare([a], "loss", axis="clock")
    assert isinstance(series, CompareMetrics)
    assert series.axis == "time"
    assert steps.axis == "step"
    for job_id in (a, b):
        times = [t for t, _ in series.series[job_id]["loss"]]
        assert times == sorted(times)
        assert times[-1] - times[0] > 0.5  # it reported for about 1.5 s
        assert [v for _, v in series.series[job_id]["loss"]] == [
            v for _, v in steps.series[job_id]["loss"]
        ]
    assert isinstance(frame, pd.DataFrame)
    assert frame.index.name == "time"
    assert frame.index[0] == 0.0  # both runs start at 0
    assert frame.attrs["start"][a] == series.series[a]["loss"][0][0]
    assert frame.attrs["start"][b] > frame.attrs["start"][a]  # b ran after a
    assert frame.attrs["untimed"] == {}
    assert frame[(a, "loss")].dropna().iloc[0] == pytest.approx(2.0)
    assert frame[(b, "loss")].dropna().iloc[-1] == pytest.approx(4.0 / 30)


def test_the_widget_and_the_magic_take_the_axis(
    live_server: LiveServer,
    runs: tuple[str, str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    a, b = runs
    assert Compare([a, b]).axis == "step"
    assert Compare([a, b], axis="time").get_state()["axis"] == "time"
    with pytest.raises(traitlets.TraitError):
        Compare([a], axis="clock")
    for k, v in live_server.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "forgather_lab")
    shell.magics_manager.registry["ForgatherMagics"]._client = None  # rediscover
    widget = shell.run_line_magic("forgather", f"compare {a} {b} --axis time")
    assert isinstance(widget, Compare)
    assert widget.axis == "time"
    frame = shell.run_line_magic("forgather", f"compare {a},{b} --keys loss --axis time --frame")
    assert isinstance(frame, pd.DataFrame)
    assert frame.index.name == "time"
