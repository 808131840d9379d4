"""Scheduling options and tables for the CLI: where a job waits and why, its limits, sweeps.

``enqueue`` and ``sweep`` take ``--depends-on --time-limit --gpu-memory
--preemptible --max-retries``; ``sweep`` adds ``--grid K=V1,V2``; ``queue``
lists position and pending reason; ``history`` the transitions of one job.
"""

from __future__ import annotations

import argparse
import re
import time
from collections.abc import Iterable
from typing import Any

import yaml

from ..models.jobs import DescribeJob, JobHistory
from ._args import assignments, nonneg_int
from ._tables import Table

#: ``CreateJob.priority``'s upper bound.
MAX_PRIORITY = 1000

_UNITS = {"s": 1, "m": 60, "min": 60, "h": 3600, "d": 86400}
_PART = re.compile(r"(\d+(?:\.\d+)?)(min|s|m|h|d)")


def duration(text: str) -> float:
    """An argparse type: seconds from ``90``, ``90s``, ``30m``, ``2h``, ``1h30m``."""
    t = text.strip().lower().replace(" ", "")
    try:
        seconds = float(t)
    except ValueError:
        seconds, end = 0.0, 0
        for m in _PART.finditer(t):
            if m.start() != end:
                break
            seconds += float(m.group(1)) * _UNITS[m.group(2)]
            end = m.end()
        if end != len(t) or end == 0:
            raise argparse.ArgumentTypeError(
                f"expected seconds or a duration like 30m, 2h, 1h30m; got {text!r}"
            ) from None
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"a time limit must be > 0, got {text!r}")
    return seconds


def _positive(text: str) -> int:
    value = nonneg_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def add_scheduling_arguments(p: argparse.ArgumentParser) -> None:
    """``--depends-on ID --time-limit S --gpu-memory MIB --preemptible --max-retries N``."""
    g = p.add_argument_group("scheduling")
    g.add_argument(
        "--depends-on",
        action="append",
        default=[],
        metavar="ID",
        help="start only after this job ended done (repeatable, or comma-separated)",
    )
    g.add_argument(
        "--time-limit",
        type=duration,
        metavar="S",
        help="seconds the job may run (or 30m, 2h): then save-stop, kill, failed",
    )
    g.add_argument(
        "--gpu-memory",
        type=_positive,
        metavar="MIB",
        help="MiB per GPU: jobs that declare it share cards while their declarations fit",
    )
    g.add_argument(
        "--preemptible",
        action="store_true",
        default=None,
        help="a higher-priority job may checkpoint-stop this one and requeue it",
    )
    g.add_argument(
        "--max-retries", type=nonneg_int, metavar="N", help="requeue after a failure, N times"
    )


def scheduling_kwargs(ns: argparse.Namespace) -> dict[str, Any]:
    """The scheduling fields given on the line (only those), as ``CreateJob`` names them."""
    ids = [i.strip() for item in ns.depends_on for i in item.split(",") if i.strip()]
    given = {
        "depends_on": ids or None,
        "time_limit": ns.time_limit,
        "gpu_memory": ns.gpu_memory,
        "preemptible": ns.preemptible,
        "max_retries": ns.max_retries,
    }
    return {k: v for k, v in given.items() if v is not None}


def add_grid_argument(p: argparse.ArgumentParser) -> None:
    """``--grid K=V1,V2`` (repeatable): the sweep's dynamic arguments and their values."""
    p.add_argument(
        "--grid",
        action="append",
        default=[],
        required=True,
        metavar="K=V1,V2",
        help="a dynamic arg and its values, comma-separated (repeatable; values read as YAML)",
    )


def grid(items: list[str]) -> dict[str, list[Any]]:
    """``["lr=0.001,0.0003", "seed=1,2"]`` as ``{"lr": [0.001, 0.0003], "seed": [1, 2]}``."""
    out: dict[str, list[Any]] = {}
    for key, text in assignments(items, "--grid", typed=False).items():
        values = [_scalar(v.strip()) for v in str(text).split(",") if v.strip()]
        if not values:
            raise ValueError(f"--grid {key}= has no values (give V1,V2,...)")
        out[key] = values
    return out


def _scalar(text: str) -> Any:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return value if isinstance(value, (int, float, bool, str)) else text


def _limit(seconds: float | None) -> str:
    if not seconds:
        return ""
    s = int(seconds)
    return (
        f"{s}s" if s < 120 else f"{s // 60}m" if s < 7200 else f"{s // 3600}h{s % 3600 // 60:02d}"
    )


def queue_table(jobs: Iterable[DescribeJob]) -> Table:
    """pos, id, name, priority, GPUs, memory, limit, attempt, group, and why it waits."""
    cols = ["pos", "id", "name", "prio", "gpus", "mem", "limit", "try", "group", "waiting because"]
    rows = [
        [
            str(j.position or i),
            j.id,
            j.name,
            str(j.priority),
            str(j.requested_gpus),
            f"{j.gpu_memory}M" if j.gpu_memory else "",
            _limit(j.time_limit),
            str(j.attempt),
            j.group or "",
            j.pending_reason or "",
        ]
        for i, j in enumerate(jobs, start=1)
    ]
    return Table(cols, rows, "queue", empty="(nothing queued)")


def history_table(history: JobHistory) -> Table:
    """One row per transition: when, status, attempt, reason."""
    rows = [
        [
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(t.at)),
            str(t.status),
            str(t.attempt),
            t.reason or "",
        ]
        for t in history.transitions
    ]
    return Table(["at", "status", "attempt", "reason"], rows, f"history of {history.job_id}")


def top_priority(queue: list[DescribeJob], job_id: str) -> int | None:
    """The priority that puts ``job_id`` first: one above every other queued job's.

    None when it is first already (or alone); capped at the maximum priority.
    """
    others = [j.priority for j in queue if j.id != job_id]
    if not others or (queue and queue[0].id == job_id):
        return None
    return min(MAX_PRIORITY, max(others) + 1)


def job_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    """A ``CreateJob`` body of a config's job from ``enqueue_kwargs`` + ``scheduling_kwargs``."""
    body: dict[str, Any] = {
        "job_type": kwargs.get("job_type") or "training",
        "project_dir": kwargs["project_dir"],
        "config": kwargs["config"],
        "dynamic_args": kwargs.get("dynamic_args") or {},
        "priority": kwargs.get("priority", 0),
    }
    if kwargs.get("gpus") is not None:
        body["requested_gpus"] = kwargs["gpus"]
    if kwargs.get("name"):
        body["name"] = kwargs["name"]
    for key in ("depends_on", "time_limit", "gpu_memory", "preemptible", "max_retries"):
        if key in kwargs:
            body[key] = kwargs[key]
    return body


def queued_line(jobs: list[DescribeJob]) -> str:
    """What ``sweep`` prints: how many, their group, their ids."""
    group = jobs[0].group if jobs else None
    ids = ", ".join(j.id for j in jobs)
    return f"{len(jobs)} jobs queued" + (f" (group {group})" if group else "") + f": {ids}"
