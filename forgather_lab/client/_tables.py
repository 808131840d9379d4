"""Tables of jobs, GPUs and key/values, rendered three ways from one description.

The CLI prints them with rich, the magics as HTML in a notebook and as plain
text in terminal IPython: ``Table`` has ``_repr_html_`` and ``__str__`` so
IPython's display picks the right one by itself.
"""

from __future__ import annotations

import html
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..models.gpus import ListGpus
from ..models.jobs import DescribeJob

if TYPE_CHECKING:
    from rich.table import Table as RichTable


@dataclass
class Table:
    """A titled grid of strings."""

    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    title: str | None = None
    empty: str = "(none)"

    def __str__(self) -> str:
        lines = [self.title] if self.title else []
        if not self.rows:
            return "\n".join([*lines, self.empty])
        widths = [max(len(c), *(len(r[i]) for r in self.rows)) for i, c in enumerate(self.columns)]
        fmt = "  ".join(f"{{:<{w}}}" for w in widths)
        lines.append(fmt.format(*self.columns).rstrip())
        lines.extend(fmt.format(*r).rstrip() for r in self.rows)
        return "\n".join(lines)

    __repr__ = __str__

    def _repr_html_(self) -> str:
        esc = html.escape
        title = (
            f"<caption style='text-align:left'><b>{esc(self.title)}</b></caption>"
            if self.title
            else ""
        )
        if not self.rows:
            inner = f"<tr><td><i>{esc(self.empty)}</i></td></tr>"
            return f"<table class='forgather-table'>{title}{inner}</table>"
        head = "".join(f"<th style='text-align:left'>{esc(c)}</th>" for c in self.columns)
        body = "".join(
            "<tr>" + "".join(f"<td style='text-align:left'>{esc(v)}</td>" for v in r) + "</tr>"
            for r in self.rows
        )
        inner = f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody>"
        return f"<table class='forgather-table'>{title}{inner}</table>"

    def rich(self) -> RichTable:
        """A ``rich.table.Table`` (rich is imported only here)."""
        from rich.table import Table as RichTable

        t = RichTable(title=self.title, title_justify="left", show_edge=False)
        for c in self.columns:
            t.add_column(c, overflow="fold")
        for r in self.rows:
            t.add_row(*r)
        return t


def _ago(ts: float | None) -> str:
    if not ts:
        return ""
    s = max(0, int(time.time() - ts))
    return f"{s}s" if s < 90 else f"{s // 60}m" if s < 5400 else f"{s // 3600}h"


def _duration(job: DescribeJob) -> str:
    if not job.started_at:
        return ""
    s = int((job.ended_at or time.time()) - job.started_at)
    return f"{s // 60}:{s % 60:02d}"


def jobs_table(jobs: Iterable[DescribeJob], title: str | None = None) -> Table:
    """id, name, type, status, owner, priority, GPUs, pid, age, run time, exit code."""
    cols = ["id", "name", "type", "status", "owner", "prio", "gpus", "pid", "age", "time", "exit"]
    rows = [
        [
            j.id,
            j.name,
            j.job_type,
            str(j.status),
            j.owner or "-",
            str(j.priority),
            ",".join(map(str, j.gpus)) or (f"({j.requested_gpus})" if j.requested_gpus else "-"),
            str(j.pid or ""),
            _ago(j.created_at),
            _duration(j),
            "" if j.exit_code is None else str(j.exit_code),
        ]
        for j in jobs
    ]
    return Table(cols, rows, title, empty="(no jobs)")


def _mib(n: int) -> str:
    return f"{n / 2**30:.1f}G" if n >= 2**30 else f"{n / 2**20:.0f}M"


def gpus_table(gpus: ListGpus) -> Table:
    """util, mem, temp, power, disabled, min_priority, reservation and PIDs per card."""
    cols = ["gpu", "name", "util", "memory", "temp", "power", "state", "min_prio", "job", "pids"]
    rows = []
    for g in gpus.gpus:
        state = "excluded" if g.excluded else "disabled" if g.disabled else "enabled"
        rows.append(
            [
                str(g.index),
                g.name,
                "" if g.utilization is None else f"{g.utilization}%",
                f"{_mib(g.memory_used)}/{_mib(g.memory_total)}",
                "" if g.temperature is None else f"{g.temperature}C",
                "" if g.power is None else f"{g.power:.0f}W",
                state,
                str(g.min_priority),
                g.reserved_by or "",
                ",".join(str(p.pid) for p in g.processes),
            ]
        )
    simulated = ", simulated" if gpus.simulated and gpus.backend != "simulated" else ""
    title = f"GPUs ({gpus.backend}{simulated})"
    return Table(cols, rows, title, empty="(no GPUs)")


def kv_table(data: dict[str, Any] | Sequence[tuple[str, Any]], title: str | None = None) -> Table:
    """Two columns, key and value."""
    items = data.items() if isinstance(data, dict) else data
    rows = [[str(k), "" if v is None else str(v)] for k, v in items]
    return Table(["field", "value"], rows, title)
