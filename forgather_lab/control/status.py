"""The trainer's latest status: folded from reporter records, kept per job.

``fold`` is pure (records in, new status and metric rows out) so it is easy
to test; ``load`` / ``save`` keep the result in ``job_trainer_status``.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from collections.abc import Iterable
from typing import Any

from ..models.control import Checkpoint, EvalResult, ReportRecord, TrainerStatus
from ..store.db import transaction
from .metrics import finite

# Well-known status fields and the metric names trainers use for them.
ALIASES: dict[str, tuple[str, ...]] = {
    "loss": ("loss", "train_loss"),
    "lr": ("lr", "learning_rate"),
    "grad_norm": ("grad_norm",),
    "epoch": ("epoch",),
    "tokens_per_s": ("tokens_per_s", "tokens_per_second", "train_tokens_per_second"),
    "peak_memory": ("peak_memory", "peak_mem", "peak_memory_bytes", "max_memory_allocated"),
}
_FIELD_OF = {name: field for field, names in ALIASES.items() for name in names}


@functools.cache
def empty() -> TrainerStatus:
    """The status before any report; built on first use, not at server start."""
    return TrainerStatus(
        step=None,
        max_steps=None,
        progress=None,
        loss=None,
        lr=None,
        grad_norm=None,
        epoch=None,
        tokens_per_s=None,
        peak_memory=None,
        stage=None,
        last_checkpoint=None,
        eval=None,
        metrics={},
        dropped=0,
        connected_at=None,
        updated_at=None,
    )


# Kept by their own columns, not in the stored JSON.
_STAMPS = frozenset({"connected_at", "updated_at"})

MetricRow = tuple[str, int, float | None, float | None]  # name, step, value, time
MAX_METRICS_PER_RECORD = 256


def progress_percent(step: int | None, max_steps: int | None) -> float | None:
    """``step / max_steps`` as a percentage in [0, 100], or None when unknown."""
    if step is None or not max_steps or max_steps <= 0:
        return None
    return round(min(100.0, max(0.0, 100.0 * step / max_steps)), 2)


def _numbers(metrics: dict[str, Any]) -> dict[str, float | None]:
    # The trainer sends whatever its loop holds: keep plain numbers under sane names.
    out: dict[str, float | None] = {}
    for name, value in list(metrics.items())[:MAX_METRICS_PER_RECORD]:
        numeric = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
        if isinstance(name, str) and 0 < len(name) <= 100 and numeric:
            out[name] = finite(value)
    return out


def fold(
    status: TrainerStatus, records: Iterable[ReportRecord]
) -> tuple[TrainerStatus, list[MetricRow]]:
    """Apply reporter records to a status; returns a new one and the metric rows to store."""
    new = status.model_copy(deep=True)
    rows: list[MetricRow] = []
    for rec in records:
        step = rec.step
        if rec.kind == "progress":
            if step is not None:
                new.step = step
            if rec.max_steps is not None:
                new.max_steps = rec.max_steps
            for name, value in _numbers(rec.metrics).items():
                new.metrics[name] = value
                field = _FIELD_OF.get(name)
                if field is not None:
                    setattr(new, field, value)
                if step is not None:
                    rows.append((name, step, value, rec.time))
            if new.stage is None:
                new.stage = "Training"
        elif rec.kind == "eval":
            values = _numbers(rec.metrics)
            at = step if step is not None else new.step or 0
            new.eval = EvalResult(step=at, metrics=values)
            for name, value in values.items():
                key = name if name.startswith("eval") else f"eval_{name}"
                new.metrics[key] = value
                rows.append((key, at, value, rec.time))
        elif rec.kind == "checkpoint":
            new.last_checkpoint = Checkpoint(
                path=rec.path, step=step if step is not None else new.step, time=rec.time
            )
        elif rec.kind == "stage":
            new.stage = rec.name
    new.progress = progress_percent(new.step, new.max_steps)
    return new, rows


def load(conn: sqlite3.Connection, job_id: str) -> TrainerStatus | None:
    """The stored status with ``connected_at`` / ``updated_at``, or None (no reporter yet)."""
    row = conn.execute(
        "SELECT status, connected_at, updated_at FROM job_trainer_status WHERE job_id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        return None
    # Over the empty status: a status stored by an older version may lack a newer field.
    stored = {**empty().model_dump(), **json.loads(row[0])}
    return TrainerStatus.model_validate({**stored, "connected_at": row[1], "updated_at": row[2]})


def save(conn: sqlite3.Connection, job_id: str, status: TrainerStatus, now: float) -> None:
    """Store the status (the first save records when the reporter connected)."""
    body = status.model_dump_json(exclude=set(_STAMPS))
    with transaction(conn):
        conn.execute(
            "INSERT INTO job_trainer_status (job_id, status, connected_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
            "status = excluded.status, updated_at = excluded.updated_at",
            (job_id, body, now, now),
        )
