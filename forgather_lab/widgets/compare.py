"""``Compare(ids)``: several runs' curves overlaid in a cell, as the Lab's Compare view.

The browser asks the server for the curves itself (``GET /metrics/compare``,
downsampled there) and draws them with the Lab's own chart (uPlot): one
colour per run, a metric picker, a step or wall-time axis (seconds since
each run's first point), log scale and smoothing, and the runs' differing
parameters under it. The kernel only says which runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import traitlets

from ._live import _ForgatherWidget

MAX_RUNS = 100  # what GET /metrics/compare takes in one request


def _ids(value: Sequence[str] | str) -> list[str]:
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out


class Compare(_ForgatherWidget):
    """Runs side by side: their curves of one metric, their parameters, a summary.

    ``Compare(["a1b2", "c3d4"])`` (or ``"a1b2,c3d4"``); ``keys`` (the
    ``metrics`` trait) narrows the metrics offered (default: every metric any
    run reported), ``metric`` picks the one drawn first.
    """

    _view = traitlets.Unicode("compare").tag(sync=True)
    job_ids = traitlets.List(traitlets.Unicode(), help="the runs to compare").tag(sync=True)
    # Not ``keys``: ipywidgets' Widget.keys lists the synced traits.
    metrics = traitlets.List(
        traitlets.Unicode(), help="metrics to offer; empty: every metric of the runs"
    ).tag(sync=True)
    metric = traitlets.Unicode("", help="the metric drawn first; empty: loss, else the first").tag(
        sync=True
    )
    max_points = traitlets.Int(1000, help="points per curve (the server downsamples)").tag(
        sync=True
    )
    smoothing = traitlets.Float(0.0, help="EMA weight as TensorBoard's slider, 0 to 0.99").tag(
        sync=True
    )
    log_scale = traitlets.Bool(False, help="a log y axis").tag(sync=True)
    axis = traitlets.Enum(
        ("step", "time"),
        "step",
        help="x: the step, or time (the wall time since each run's first point)",
    ).tag(sync=True)

    def __init__(
        self,
        job_ids: Sequence[str] | str,
        keys: Sequence[str] | str | None = None,
        **kwargs: Any,
    ) -> None:
        ids = _ids(job_ids)
        if not ids:
            raise ValueError("Compare needs at least one job id")
        super().__init__(job_ids=ids, metrics=_ids(keys) if keys else [], **kwargs)

    @traitlets.validate("job_ids")
    def _check_ids(self, proposal: Any) -> list[str]:
        ids = list(proposal["value"])
        if len(ids) > MAX_RUNS:
            raise traitlets.TraitError(f"at most {MAX_RUNS} runs in one comparison")
        return ids

    @traitlets.validate("max_points")
    def _check_points(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 2 <= value <= 10_000:
            raise traitlets.TraitError("max_points must be between 2 and 10000")
        return value

    @traitlets.validate("smoothing")
    def _check_smoothing(self, proposal: Any) -> float:
        value = float(proposal["value"])
        if not 0.0 <= value <= 0.99:
            raise traitlets.TraitError("smoothing must be between 0 and 0.99")
        return value
