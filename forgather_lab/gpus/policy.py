"""Per-GPU runtime policy (disabled, min_priority), persisted in the database,
and the exclusion set read from CUDA_VISIBLE_DEVICES at server start."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from ..store.db import transaction


@dataclass(frozen=True)
class GpuPolicy:
    """What an operator set for one card."""

    disabled: bool = False
    min_priority: int = 0


def load_all(conn: sqlite3.Connection) -> dict[int, GpuPolicy]:
    """Every stored policy, by GPU index (cards never touched are absent)."""
    return {
        r["gpu_index"]: GpuPolicy(bool(r["disabled"]), int(r["min_priority"]))
        for r in conn.execute("SELECT gpu_index, disabled, min_priority FROM gpu_policy")
    }


def upsert(
    conn: sqlite3.Connection, index: int, disabled: bool | None, min_priority: int | None
) -> GpuPolicy:
    """Change the given fields of one card's policy; unset fields are left alone."""
    with transaction(conn):
        row = conn.execute(
            "SELECT disabled, min_priority FROM gpu_policy WHERE gpu_index = ?", (index,)
        ).fetchone()
        current = GpuPolicy(bool(row[0]), int(row[1])) if row else GpuPolicy()
        new = GpuPolicy(
            current.disabled if disabled is None else disabled,
            current.min_priority if min_priority is None else min_priority,
        )
        conn.execute(
            "INSERT INTO gpu_policy (gpu_index, disabled, min_priority) VALUES (?, ?, ?) "
            "ON CONFLICT (gpu_index) DO UPDATE SET disabled = excluded.disabled, "
            "min_priority = excluded.min_priority",
            (index, int(new.disabled), new.min_priority),
        )
    return new


def excluded_indices(visible: str | None, uuids: list[str]) -> set[int]:
    """Cards hidden by CUDA_VISIBLE_DEVICES (indices or GPU-UUIDs) at server start.

    Unset means every card is usable; an empty string hides them all.
    """
    if visible is None:
        return set()
    allowed: set[int] = set()
    for token in (t.strip() for t in visible.split(",")):
        if not token:
            continue
        if token.isdigit():
            allowed.add(int(token))
            continue
        allowed.update(i for i, u in enumerate(uuids) if u.startswith(token))
    return set(range(len(uuids))) - allowed
