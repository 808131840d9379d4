"""The queue as the dispatcher and ``GET /queue`` read it: kept per connection, read
incrementally while rows are only inserted, and always what the plain query says."""

from __future__ import annotations

import functools
import random
import sqlite3
from pathlib import Path

from forgather_lab.jobs import repository as repo
from forgather_lab.jobs.model import JobStatus
from forgather_lab.store import Database


def _plain(conn: sqlite3.Connection) -> list[str]:
    sql = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY priority DESC, seq"
    return [r[0] for r in conn.execute(sql)]


def test_the_kept_queue_is_always_the_plain_query_s(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.db")
    db.open()
    rnd = random.Random(7)
    try:

        def step(conn: sqlite3.Connection, i: int) -> None:
            action = rnd.choice(["batch", "batch", "batch", "claim", "priority", "cancel"])
            queued_ids = _plain(conn)
            if action == "batch" or not queued_ids:
                rows = [
                    repo.NewJob(f"j{i}.{k}", "command", rnd.randint(-2, 2), 0, {"argv": ["x"]})
                    for k in range(rnd.randint(1, 4))
                ]
                repo.insert_many(conn, rows)
            elif action == "claim":
                assert repo.claim(conn, rnd.choice(queued_ids), [0])
            elif action == "priority":
                repo.update_queued(conn, rnd.choice(queued_ids), rnd.randint(-3, 3), None)
            else:
                repo.finish(conn, rnd.choice(queued_ids), JobStatus.CANCELLED)
            assert [j.id for j in repo.queued(conn)] == _plain(conn), (i, action)

        for i in range(120):
            db.call(functools.partial(step, i=i))
        # A write through another connection (another process on the same state) is seen.
        other = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
        other.execute("UPDATE jobs SET priority = 9 WHERE id = (SELECT MAX(id) FROM jobs)")
        other.execute("DELETE FROM jobs WHERE status != 'queued'")
        other.close()
        assert db.call(lambda c: [j.id for j in repo.queued(c)] == _plain(c))
    finally:
        db.close()


def test_a_new_database_never_sees_another_s_queue(tmp_path: Path) -> None:
    for n in range(4):  # connections come and go; their ids may be reused
        db = Database(tmp_path / f"s{n}.db")
        db.open()
        try:
            rows = [repo.NewJob(f"d{n}.{k}", "command", 0, 0, {}) for k in range(n + 1)]
            db.call(functools.partial(repo.insert_many, jobs=rows))
            names = db.call(lambda c: [j.name for j in repo.queued(c)])
            assert names == [f"d{n}.{k}" for k in range(n + 1)]
        finally:
            db.close()
