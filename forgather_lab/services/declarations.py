"""What a service is: a declaration, from the settings or from the ``services`` table.

``ForgatherLab.services`` is ``{type: {name: {enabled, priority,
requested_gpus, ...job_params}}}``; a row of the table carries the same
fields. The SQL of that table lives here and nowhere else.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from ..models.services import ServiceSource

# The settings trait: {type: {name: {enabled, priority, requested_gpus, ...job_params}}}.
ConfiguredServices = dict[str, dict[str, dict[str, Any] | None] | None]


@dataclass(frozen=True)
class Declared:
    """One service as declared, in settings or in the table."""

    type: str
    name: str
    enabled: bool
    priority: int
    requested_gpus: int | None
    args: dict[str, Any] = field(default_factory=dict)
    source: ServiceSource = "user"

    @property
    def key(self) -> tuple[str, str]:
        """``(type, name)``: what identifies it to the operator."""
        return self.type, self.name


def from_settings(configured: ConfiguredServices) -> dict[tuple[str, str], Declared]:
    """The services ``ForgatherLab.services`` declares, by ``(type, name)``."""
    out = {}
    for type_, entries in configured.items():
        for name, entry in (entries or {}).items():
            args = dict(entry or {})
            gpus = args.pop("requested_gpus", None)
            out[(type_, name)] = Declared(
                type=type_,
                name=name,
                enabled=bool(args.pop("enabled", False)),
                priority=int(args.pop("priority", 0)),
                requested_gpus=None if gpus is None else int(gpus),
                args=args,
                source="settings",
            )
    return out


def stored(conn: sqlite3.Connection) -> list[Declared]:
    """The services created through the API (and the toggles of settings ones)."""
    rows = conn.execute(
        "SELECT type, name, enabled, args, priority, requested_gpus FROM services"
    ).fetchall()
    return [
        Declared(
            type=r[0],
            name=r[1],
            enabled=bool(r[2]),
            args=json.loads(r[3]),
            priority=int(r[4]),
            requested_gpus=None if r[5] is None else int(r[5]),
        )
        for r in rows
    ]


def store(conn: sqlite3.Connection, svc: Declared, only_enabled: bool = False) -> None:
    """Insert or replace a declaration; ``only_enabled`` keeps a stored entry's other fields."""
    update = (
        "enabled = excluded.enabled"
        if only_enabled
        else "enabled = excluded.enabled, args = excluded.args, priority = excluded.priority, "
        "requested_gpus = excluded.requested_gpus"
    )
    conn.execute(
        "INSERT INTO services (type, name, enabled, args, priority, requested_gpus, updated_at) "
        f"VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (type, name) DO UPDATE SET {update}, "
        "updated_at = excluded.updated_at",
        (
            svc.type,
            svc.name,
            int(svc.enabled),
            json.dumps(svc.args),
            svc.priority,
            svc.requested_gpus,
            time.time(),
        ),
    )


def remove(conn: sqlite3.Connection, type_: str, name: str) -> int:
    """Delete a stored declaration; how many rows went (0: none was stored)."""
    return conn.execute("DELETE FROM services WHERE type = ? AND name = ?", (type_, name)).rowcount
