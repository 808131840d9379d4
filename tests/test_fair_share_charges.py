"""Charges of jobs that end together are written in one transaction, each as if alone.

A real state database (``store.Database``) and a real bus: ends published back to
back are applied in order, the decay between them included, and survive a reopen.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from forgather_lab.events import EventBus
from forgather_lab.jobs.fair_share import FairShare
from forgather_lab.scheduler.fairness import decayed
from forgather_lab.store import Database

HALF_LIFE = 100.0


def _end(bus: EventBus, job_id: str, owner: str, started: float, ended: float) -> None:
    job = {"owner": owner, "gpus": [0, 1], "started_at": started, "ended_at": ended}
    bus.publish("job_status_changed", job_id=job_id, status="done", previous="running", job=job)


def test_ends_published_together_are_charged_in_order_and_kept(tmp_path: Path) -> None:
    async def main() -> dict[str, float]:
        db = Database(tmp_path / "state.sqlite")
        db.open()
        bus = EventBus()
        share = FairShare(db, bus, HALF_LIFE)
        # Three ends in one loop turn: alice twice (200 s apart), bob once.
        _end(bus, "a1", "alice", 1000.0, 1010.0)  # 2 GPUs x 10 s
        _end(bus, "a2", "alice", 1200.0, 1210.0)
        _end(bus, "b1", "bob", 1000.0, 1001.0)
        await share.close()  # waits for the charges being written
        db.close()
        reopened = Database(tmp_path / "state.sqlite")
        reopened.open()
        again = FairShare(reopened, EventBus(), HALF_LIFE)
        try:
            return await again.usage(1210.0)
        finally:
            await again.close()
            reopened.close()

    usage = asyncio.run(main())
    alice = 20.0 + decayed(20.0, 1010.0, 1210.0, HALF_LIFE)  # the first charge decayed 200 s
    assert abs(usage["alice"] - alice) < 1e-9
    assert abs(usage["bob"] - decayed(2.0, 1001.0, 1210.0, HALF_LIFE)) < 1e-9
