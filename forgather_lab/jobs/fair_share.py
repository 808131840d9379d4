"""Each user's decayed GPU-seconds, kept in the state database (``fair_share``).

A job's GPU-seconds (GPUs held times the seconds it ran) are charged to its
owner when it stops running (it ended, or went back to the queue); until then
the planner counts them from its ``started_at`` (``scheduler.fairness``). The
dispatcher reads ``usage`` each pass (the runtime hands it over: the
scheduler does no I/O).
Stored values halve every ``half_life`` seconds, so yesterday's burst weighs
half of today's. The table survives restarts; the charge of a job that stops
while the server is down is taken from its record when the next event names it.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from typing import Any

from ..events import Event, EventBus
from ..scheduler.fairness import decayed
from ..scheduler.model import ENDED
from ..store import Database
from ..store.db import transaction

_RUNNING = "running"


class FairShare:
    """Owners' decayed GPU-seconds: charged from job events, read by each dispatch pass."""

    def __init__(self, db: Database, bus: EventBus, half_life: float) -> None:
        self.db = db
        self.half_life = half_life
        self._stored: dict[str, tuple[float, float]] | None = None  # owner: (usage, as of)
        self._running: dict[str, tuple[str, int, float]] = {}  # job: (owner, GPUs, since)
        self._writes: set[asyncio.Task[None]] = set()
        self._unlisten: Callable[[], None] = bus.listen(self._on_event)

    async def usage(self, now: float) -> dict[str, float]:
        """Each owner's stored GPU-seconds as they weigh at ``now`` (running jobs excluded)."""
        stored = await self._load()
        return {o: decayed(u, at, now, self.half_life) for o, (u, at) in stored.items()}

    async def charge(self, owner: str, gpu_seconds: float, now: float | None = None) -> None:
        """Add ``gpu_seconds`` to ``owner``'s use (durable when this returns)."""
        now = time.time() if now is None else now
        stored = await self._load()
        value = await self.db.run(lambda c: _charge(c, owner, gpu_seconds, now, self.half_life))
        stored[owner] = (value, now)

    async def close(self) -> None:
        """Stop listening; wait for charges being written."""
        self._unlisten()
        if self._writes:
            await asyncio.gather(*self._writes, return_exceptions=True)

    async def _load(self) -> dict[str, tuple[float, float]]:
        if self._stored is None:
            rows = await self.db.run(_read)
            if self._stored is None:
                self._stored = rows
        return self._stored

    def _on_event(self, event: Event) -> None:
        if event.type != "job_status_changed":
            return
        job: dict[str, Any] = event.data.get("job") or {}
        job_id, owner = str(event.data.get("job_id", "")), job.get("owner")
        status, previous = event.data.get("status"), event.data.get("previous")
        if status == _RUNNING and owner and job.get("gpus") and job.get("started_at"):
            self._running[job_id] = (owner, len(job["gpus"]), float(job["started_at"]))
            return
        if previous not in (_RUNNING, "starting") or status in (_RUNNING, "starting"):
            return
        seen = self._running.pop(job_id, None)
        if seen is None and owner and job.get("gpus") and job.get("started_at"):
            seen = (owner, len(job["gpus"]), float(job["started_at"]))
        if seen is None:
            return
        who, gpus, since = seen
        end = float(job.get("ended_at") or event.time) if status in ENDED else event.time
        seconds = gpus * max(0.0, end - since)
        if seconds > 0:
            task = asyncio.ensure_future(self.charge(who, seconds, end))
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)


def _read(conn: sqlite3.Connection) -> dict[str, tuple[float, float]]:
    rows = conn.execute("SELECT owner, usage, updated_at FROM fair_share").fetchall()
    return {r[0]: (float(r[1]), float(r[2])) for r in rows}


def _charge(
    conn: sqlite3.Connection, owner: str, seconds: float, now: float, half_life: float
) -> float:
    with transaction(conn):
        row = conn.execute(
            "SELECT usage, updated_at FROM fair_share WHERE owner = ?", (owner,)
        ).fetchone()
        value = seconds + (decayed(float(row[0]), float(row[1]), now, half_life) if row else 0.0)
        conn.execute(
            "INSERT INTO fair_share (owner, usage, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (owner) DO UPDATE SET usage = excluded.usage, "
            "updated_at = excluded.updated_at",
            (owner, value, now),
        )
    return value


__all__ = ["FairShare"]
