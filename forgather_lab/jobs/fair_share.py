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
import functools
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from ..events import Event, EventBus
from ..scheduler.fairness import decayed
from ..scheduler.model import ENDED
from ..store import Database
from ..store.db import transaction

_RUNNING = "running"

log = logging.getLogger("forgather_lab")


class FairShare:
    """Owners' decayed GPU-seconds: charged from job events, read by each dispatch pass."""

    def __init__(self, db: Database, bus: EventBus, half_life: float) -> None:
        self.db = db
        self.half_life = half_life
        self._stored: dict[str, tuple[float, float]] | None = None  # owner: (usage, as of)
        self._running: dict[str, tuple[str, int, float]] = {}  # job: (owner, GPUs, since)
        # Charges not written yet, and the task writing them: the charges of jobs
        # that end together (a drain) are written in one transaction, in order.
        self._pending: list[tuple[str, float, float]] = []
        self._writer: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] = bus.listen(self._on_event)

    async def usage(self, now: float) -> dict[str, float]:
        """Each owner's stored GPU-seconds as they weigh at ``now`` (running jobs excluded)."""
        stored = await self._load()
        return {o: decayed(u, at, now, self.half_life) for o, (u, at) in stored.items()}

    async def close(self) -> None:
        """Stop listening; wait for charges being written."""
        self._unlisten()
        if self._writer is not None:
            await asyncio.gather(self._writer, return_exceptions=True)

    def _charge(self, owner: str, gpu_seconds: float, now: float) -> None:
        """Add ``gpu_seconds`` to ``owner``'s use as of ``now`` (written soon, in order)."""
        self._pending.append((owner, gpu_seconds, now))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.ensure_future(self._write_pending())

    async def _write_pending(self) -> None:
        while self._pending:
            batch, self._pending = self._pending, []
            try:
                stored = await self._load()
                write = functools.partial(_charge_all, charges=batch, half_life=self.half_life)
                # A job's end charges one owner: a statement or two, run in place
                # when the database thread is idle (a hop each way saved per job).
                values = await self.db.run(write, quick=len(batch) <= _QUICK_CHARGES)
            except Exception:  # the next charges are still written
                log.exception("could not record %d fair-share charges", len(batch))
                continue
            stored.update(values)

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
            self._charge(who, seconds, end)


def _read(conn: sqlite3.Connection) -> dict[str, tuple[float, float]]:
    rows = conn.execute("SELECT owner, usage, updated_at FROM fair_share").fetchall()
    return {r[0]: (float(r[1]), float(r[2])) for r in rows}


#: Charges written in place (``Database.run(quick=True)``) when the thread is idle.
_QUICK_CHARGES = 16


def _charge_all(
    conn: sqlite3.Connection, charges: list[tuple[str, float, float]], half_life: float
) -> dict[str, tuple[float, float]]:
    """Apply (owner, seconds, at) charges in order, in one transaction; owners' new values."""
    values: dict[str, tuple[float, float]] = {}
    with transaction(conn):
        for owner, seconds, now in charges:
            row = (
                values.get(owner)
                or conn.execute(
                    "SELECT usage, updated_at FROM fair_share WHERE owner = ?", (owner,)
                ).fetchone()
            )
            before = decayed(float(row[0]), float(row[1]), now, half_life) if row else 0.0
            values[owner] = (seconds + before, now)
        conn.executemany(
            "INSERT INTO fair_share (owner, usage, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (owner) DO UPDATE SET usage = excluded.usage, "
            "updated_at = excluded.updated_at",
            [(owner, value, at) for owner, (value, at) in values.items()],
        )
    return values


__all__ = ["FairShare"]
