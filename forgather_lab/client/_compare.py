"""``client.compare(ids, keys)``: several runs' metric curves, as a pandas DataFrame.

The server downsamples each curve (``GET /metrics/compare``, LTTB keeping the
first and last points and the extremes); this module turns its answer into
one DataFrame: a row per step, a column per (job, metric), NaN where a run has
no point at that step. pandas is optional: without it ``compare`` answers the
plain ``CompareMetrics`` model (``.series[job_id][key]`` is ``[(step, value),
...]``), and ``compare_series`` always does.

``axis="time"``: the server answers each point's recorded wall time (unix
seconds) instead of its step; the DataFrame's index is then ``time``, the
seconds since each run's first point (over the keys asked for), so runs that
ran at different hours line up at their start. Each run's start is in
``frame.attrs["start"]`` (job id → unix seconds), and the metrics some of
whose points had no time (stored before wall times were kept) in
``frame.attrs["untimed"]``. Points of one reporter batch can share a time
(the server stamps a batch when it arrives): they follow each other a
microsecond apart, in step order, so every point keeps a row.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from ..models.runs import CompareMetrics
from ._call import Call

if TYPE_CHECKING:
    import pandas as pd

#: What ``compare`` answers: a DataFrame when pandas is installed, else the model.
CompareResult: TypeAlias = "pd.DataFrame | CompareMetrics"


def have_pandas() -> bool:
    """Whether pandas imports here (it is only imported when a DataFrame is asked for)."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        return False
    return True


AXES = ("step", "time")


def compare_params(
    job_ids: Sequence[str] | str,
    keys: Sequence[str] | str | None,
    max_points: int,
    axis: str = "step",
) -> dict[str, Any]:
    """The query of ``GET /metrics/compare`` (ids and keys as lists or comma-separated)."""
    ids = _words(job_ids)
    if not ids:
        raise ValueError("compare needs at least one job id")
    if axis not in AXES:
        raise ValueError(f"axis must be one of {', '.join(AXES)}, not {axis!r}")
    params: dict[str, Any] = {"jobs": ",".join(ids), "max_points": int(max_points)}
    if axis != "step":  # the default: a query an older server also takes
        params["axis"] = axis
    names = _words(keys) if keys is not None else []
    if names:
        params["keys"] = ",".join(names)
    return params


def _words(value: Sequence[str] | str | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else [str(v) for v in value]
    out: list[str] = []
    for item in (i.strip() for i in items):
        if item and item not in out:
            out.append(item)
    return out


def series_call(
    job_ids: Sequence[str] | str,
    keys: Sequence[str] | str | None,
    max_points: int,
    axis: str = "step",
) -> Call[CompareMetrics]:
    """The request, read into the model."""
    params = compare_params(job_ids, keys, max_points, axis)
    return Call("GET", "metrics/compare", CompareMetrics.model_validate, params=params)


def frame_call(
    job_ids: Sequence[str] | str,
    keys: Sequence[str] | str | None,
    max_points: int,
    axis: str = "step",
) -> Call[CompareResult]:
    """The request, read into a DataFrame when pandas is there (else the model)."""
    params = compare_params(job_ids, keys, max_points, axis)
    return Call("GET", "metrics/compare", _read_frame, params=params)


def _read_frame(data: Any) -> CompareResult:
    series = CompareMetrics.model_validate(data)
    return to_frame(series) if have_pandas() else series


def starts(series: CompareMetrics) -> dict[str, float]:
    """Each run's first recorded time over its curves (axis=time answers; runs with points)."""
    out: dict[str, float] = {}
    for job_id, by_key in series.series.items():
        firsts = [points[0][0] for points in by_key.values() if points]
        if firsts:
            out[job_id] = float(min(firsts))
    return out


#: Points of one reporter batch can share the time the server stamped the batch with:
#: each is put this much after the one before, as the Lab draws them, so none is lost.
SAME_TIME_NUDGE_S = 1e-6


def _elapsed(points: Sequence[tuple[int | float, float]], start: float) -> dict[float, float]:
    out: dict[float, float] = {}
    last = -math.inf
    for t, v in points:
        x = max(t - start, last + SAME_TIME_NUDGE_S)
        out[x] = v
        last = x
    return out


def to_frame(series: CompareMetrics) -> pd.DataFrame:
    """Rows per step (the index, ``step``), columns per (``job``, ``key``), NaN for no point.

    The ids the server did not know are in ``frame.attrs["missing"]``. An
    ``axis="time"`` answer is indexed by ``time``: seconds since each run's
    first point (see the module's docstring).
    """
    import pandas as pd

    timed = series.axis == "time"
    origin = starts(series) if timed else {}
    columns: dict[tuple[str, str], pd.Series[float]] = {}
    for job_id, by_key in series.series.items():
        start = origin.get(job_id, 0.0)
        for key, points in by_key.items():
            # One value per x, so the runs align on the index.
            by_step = _elapsed(points, start) if timed else dict(points)
            columns[(job_id, key)] = pd.Series(
                list(by_step.values()), index=list(by_step), dtype="float64"
            )
    if columns:
        frame = pd.concat(columns, axis=1).sort_index()
    else:
        empty = pd.MultiIndex.from_tuples([], names=["job", "key"])
        dtype = "float64" if timed else "int64"
        frame = pd.DataFrame(index=pd.Index([], dtype=dtype), columns=empty)
    frame.index.name = "time" if timed else "step"
    frame.columns.names = ["job", "key"]
    frame.attrs["missing"] = list(series.missing)
    if timed:
        frame.attrs["start"] = origin
        frame.attrs["untimed"] = {k: list(v) for k, v in series.untimed.items()}
    return frame
