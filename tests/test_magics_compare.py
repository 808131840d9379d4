"""``%forgather compare``: a Compare widget of real runs, or their DataFrame with --frame."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest_server import LiveServer
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from test_client_compare import run_trainer

from forgather_lab.client import Client
from forgather_lab.widgets import Compare


@pytest.fixture(scope="module")
def two_runs(live_server: LiveServer) -> tuple[str, str]:
    with Client(live_server.url, live_server.token) as client:
        return (
            run_trainer(client, 1.0, 0.1, "magic-compare-a"),
            run_trainer(client, 3.0, 0.2, "magic-compare-b"),
        )


@pytest.fixture
def ip(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> InteractiveShell:
    for k, v in live_server.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "forgather_lab")
    shell.magics_manager.registry["ForgatherMagics"]._client = None  # rediscover per test
    return shell


def test_compare_returns_a_widget_of_the_runs(
    ip: InteractiveShell, two_runs: tuple[str, str]
) -> None:
    a, b = two_runs
    widget = ip.run_line_magic("forgather", f"compare {a} {b} --keys loss,lr --max-points 500")
    assert isinstance(widget, Compare)
    state = widget.get_state()
    assert state["_view"] == "compare"
    assert state["job_ids"] == [a, b]
    assert state["metrics"] == ["loss", "lr"]
    assert state["max_points"] == 500


def test_compare_frame_is_the_clients_dataframe(
    ip: InteractiveShell, two_runs: tuple[str, str]
) -> None:
    a, b = two_runs
    frame = ip.run_line_magic("forgather", f"compare {a},{b} --keys loss --frame")
    assert isinstance(frame, pd.DataFrame)
    assert set(frame.columns) == {(a, "loss"), (b, "loss")}
    assert frame.loc[1, (b, "loss")] == pytest.approx(3.0)


def test_compare_of_an_unknown_job_is_a_usage_error(
    ip: InteractiveShell, two_runs: tuple[str, str]
) -> None:
    with pytest.raises(UsageError, match=r"forgather:.*(not found|no such|404)"):
        ip.run_line_magic("forgather", f"compare {two_runs[0]} not-a-job")
    with pytest.raises(UsageError, match=r"max.points"):
        ip.run_line_magic("forgather", "compare --max-points -3 x")


def test_help_lists_compare(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    ip.run_line_magic("forgather", "help")
    assert "%forgather compare ID ID" in capsys.readouterr().out
    assert sys.modules["forgather_lab.magics"].COMMANDS[-1] == "compare"
