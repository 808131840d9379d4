"""``client.compare(ids, keys)``: several runs' metric curves, as a pandas DataFrame.

The server downsamples each curve (``GET /metrics/compare``, LTTB keeping the
first and last points and the extremes); this module turns its answer into
one DataFrame: a row per step, a column per (job, metric), NaN where a run has
no point at that step. pandas is optional: without it ``compare`` answers the
plain ``CompareMetrics`` model (``.series[job_id][key]`` is ``[(step, value),
...]``), and ``compare_series`` always does.
"""

from __future__ import annotations

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


def compare_params(
    job_ids: Sequence[str] | str, keys: Sequence[str] | str | None, max_points: int
) -> dict[str, Any]:
    """The query of ``GET /metrics/compare`` (ids and keys as lists or comma-separated)."""
    ids = _words(job_ids)
    if not ids:
        raise ValueError("compare needs at least one job id")
    params: dict[str, Any] = {"jobs": ",".join(ids), "max_points": int(max_points)}
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
    job_ids: Sequence[str] | str, keys: Sequence[str] | str | None, max_points: int
) -> Call[CompareMetrics]:
    """The request, read into the model."""
    params = compare_params(job_ids, keys, max_points)
    return Call("GET", "metrics/compare", CompareMetrics.model_validate, params=params)


def frame_call(
    job_ids: Sequence[str] | str, keys: Sequence[str] | str | None, max_points: int
) -> Call[CompareResult]:
    """The request, read into a DataFrame when pandas is there (else the model)."""
    params = compare_params(job_ids, keys, max_points)
    return Call("GET", "metrics/compare", _read_frame, params=params)


def _read_frame(data: Any) -> CompareResult:
    series = CompareMetrics.model_validate(data)
    return to_frame(series) if have_pandas() else series


def to_frame(series: CompareMetrics) -> pd.DataFrame:
    """Rows per step (the index, ``step``), columns per (``job``, ``key``), NaN for no point.

    The ids the server did not know are in ``frame.attrs["missing"]``.
    """
    import pandas as pd

    columns: dict[tuple[str, str], pd.Series[float]] = {}
    for job_id, by_key in series.series.items():
        for key, points in by_key.items():
            by_step = dict(points)  # one value per step, so the runs align on the index
            columns[(job_id, key)] = pd.Series(
                list(by_step.values()), index=list(by_step), dtype="float64"
            )
    if columns:
        frame = pd.concat(columns, axis=1).sort_index()
    else:
        empty = pd.MultiIndex.from_tuples([], names=["job", "key"])
        frame = pd.DataFrame(index=pd.Index([], dtype="int64"), columns=empty)
    frame.index.name = "step"
    frame.columns.names = ["job", "key"]
    frame.attrs["missing"] = list(series.missing)
    return frame
