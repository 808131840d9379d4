"""The trainer's latest status: folded from reporter records, kept per job.

``fold`` is pure (records in, new status and metric rows out) so it is easy
to test; ``load`` / ``save`` keep the result in ``job_trainer_status``.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import Any

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

EMPTY: dict[str, Any] = {
    "step": None,
    "max_steps": None,
    "progress": None,
    **{field: None for field in ALIASES},
    "stage": None,
    "last_checkpoint": None,
    "eval": None,
    "metrics": {},
    "dropped": 0,
}

MAX_METRICS_PER_RECORD = 256


def progress_percent(step: int | None, max_steps: int | None) -> float | None:
    """``step / max_steps`` as a percentage in [0, 100], or None when unknown."""
    if step is None or not max_steps or max_steps <= 0:
        return None
    return round(min(100.0, max(0.0, 100.0 * step / max_steps)), 2)


def _numbers(metrics: dict[str, Any]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for name, value in list(metrics.items())[:MAX_METRICS_PER_RECORD]:
        numeric = value is None or (isinstance(value, (int, float)) and not isinstance(value, bool))
        if isinstance(name, str) and 0 < len(name) <= 100 and numeric:
            out[name] = finite(value)
    return out


def fold(
    status: dict[str, Any], records: Iterable[dict[str, Any]]
) -> tuple[dict[str, Any], list[tuple[str, int, float | None]]]:
    """Apply reporter records to a status; returns it and the metric rows to store."""
    status = {**EMPTY, **status, "metrics": dict(status.get("metrics") or {})}
    rows: list[tuple[str, int, float | None]] = []
    for rec in records:
        kind = rec.get("kind")
        step = rec.get("step")
        if kind == "progress":
            if step is not None:
                status["step"] = step
            if rec.get("max_steps") is not None:
                status["max_steps"] = rec["max_steps"]
            values = _numbers(rec.get("metrics") or {})
            for name, value in values.items():
                status["metrics"][name] = value
                field = _FIELD_OF.get(name)
                if field is not None:
                    status[field] = value
                if step is not None:
                    rows.append((name, step, value))
            if status["stage"] is None:
                status["stage"] = "Training"
        elif kind == "eval":
            values = _numbers(rec.get("metrics") or {})
            at = step if step is not None else status["step"] or 0
            status["eval"] = {"step": at, "metrics": values}
            for name, value in values.items():
                key = name if name.startswith("eval") else f"eval_{name}"
                status["metrics"][key] = value
                rows.append((key, at, value))
        elif kind == "checkpoint":
            status["last_checkpoint"] = {
                "path": rec.get("path"),
                "step": step if step is not None else status["step"],
                "time": rec.get("time"),
            }
        elif kind == "stage":
            status["stage"] = rec.get("name")
    status["progress"] = progress_percent(status["step"], status["max_steps"])
    return status, rows


def load(conn: sqlite3.Connection, job_id: str) -> dict[str, Any] | None:
    """The stored status with ``connected_at`` / ``updated_at``, or None (no reporter yet)."""
    row = conn.execute(
        "SELECT status, connected_at, updated_at FROM job_trainer_status WHERE job_id = ?",
        (job_id,),
    ).fetchone()
    if row is None:
        return None
    return {**json.loads(row[0]), "connected_at": row[1], "updated_at": row[2]}


def save(conn: sqlite3.Connection, job_id: str, status: dict[str, Any], now: float) -> None:
    """Store the status (the first save records when the reporter connected)."""
    body = {k: v for k, v in status.items() if k not in {"connected_at", "updated_at"}}
    with transaction(conn):
        conn.execute(
            "INSERT INTO job_trainer_status (job_id, status, connected_at, updated_at) "
            "VALUES (?, ?, ?, ?) ON CONFLICT (job_id) DO UPDATE SET "
            "status = excluded.status, updated_at = excluded.updated_at",
            (job_id, json.dumps(body), now, now),
        )
