"""The server's garbage-collector tuning (forgather_lab/collector.py, issue 19)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from traitlets import TraitError

from forgather_lab.collector import paused, tune_collector
from forgather_lab.settings import ForgatherLabSettings


@pytest.fixture
def pristine_collector() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)
    gc.unfreeze()


def test_tuning_freezes_what_exists_and_undo_restores(pristine_collector: None) -> None:
    before = gc.get_threshold()
    undo = tune_collector([50_000, 20, 10])
    assert gc.get_threshold() == (50_000, 20, 10)
    assert gc.get_freeze_count() > 0
    undo()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


def test_no_thresholds_leaves_the_collector_alone(pristine_collector: None) -> None:
    before = gc.get_threshold()
    tune_collector([])()
    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0


@pytest.mark.parametrize("bad", [[1, 2], [0, 10, 10], [700, -1, 10], [1, 2, 3, 4]])
def test_bad_thresholds_are_refused(bad: list[int]) -> None:
    with pytest.raises(TraitError, match="gc_thresholds"):
        ForgatherLabSettings(gc_thresholds=bad)


async def test_a_started_server_tunes_and_its_stop_undoes(jp_serverapp: Any) -> None:
    assert gc.get_threshold() == (50_000, 20, 10)
    assert gc.get_freeze_count() > 0
    ext = jp_serverapp.extension_manager.extension_apps["forgather_lab"]
    (app,) = ext
    await app.stop_extension()
    assert gc.get_threshold() != (50_000, 20, 10)


def test_paused_collects_nothing_inside_and_restores_the_state() -> None:
    assert gc.isenabled()
    with paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()  # a host that turned the collector off keeps it off
    try:
        with paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
