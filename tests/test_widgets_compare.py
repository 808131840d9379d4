"""``forgather_lab.widgets.Compare``: its traits, its checks, and its renderer in the bundle."""

from __future__ import annotations

from pathlib import Path

import pytest
import traitlets

from forgather_lab.widgets import Compare
from forgather_lab.widgets._live import STATIC

SOURCES = Path(__file__).resolve().parents[1] / "labextension" / "src" / "widgets"


def test_compare_says_which_runs_and_how() -> None:
    widget = Compare(["a1", "b2", "a1"], keys="loss,lr", smoothing=0.6, log_scale=True)
    state = widget.get_state()
    assert state["_view"] == "compare"
    assert state["job_ids"] == ["a1", "b2"]  # duplicates dropped, order kept
    assert state["metrics"] == ["loss", "lr"]
    assert state["smoothing"] == 0.6
    assert state["log_scale"] is True
    assert state["max_points"] == 1000
    assert Compare("x, y").job_ids == ["x", "y"]
    assert Compare(["x"]).metrics == []


def test_compare_refuses_what_the_server_would() -> None:
    with pytest.raises(ValueError, match="at least one job id"):
        Compare([])
    with pytest.raises(ValueError, match="at least one job id"):
        Compare(" , ")
    with pytest.raises(traitlets.TraitError, match="at most 100"):
        Compare([f"j{i}" for i in range(101)])
    with pytest.raises(traitlets.TraitError, match="max_points"):
        Compare(["a"], max_points=1)
    with pytest.raises(traitlets.TraitError, match="smoothing"):
        Compare(["a"], smoothing=1.5)


def test_the_bundle_renders_the_compare_view() -> None:
    entry = (SOURCES / "index.ts").read_text()
    assert "compare: renderCompare" in entry
    js = (STATIC / "forgather.js").read_text()
    # Built from src/widgets/compare.ts: the chart and the highlighted rows are in the bundle.
    assert "fg-compare-plot" in js
    assert "fg-differs" in (STATIC / "forgather.css").read_text()
