"""The queue as the dispatcher and ``GET /queue`` read it: kept per connection, brought
up to date from the rows inserted, updated or deleted since, and always what the plain
query says (ids, order and each record's fields)."""

from __future__ import annotations

import functools
import random
import sqlite3
from pathlib import Path

from forgather_lab.jobs import repository as repo
from forgather_lab.jobs.model import PUBLIC_COLUMNS, DescribeJob, JobStatus, row_to_record
from forgather_lab.store import Database


def _plain(conn: sqlite3.Connection) -> list[str]:
    sql = "SELECT id FROM jobs WHERE status = 'queued' ORDER BY priority DESC, seq"
    return [r[0] for r in conn.execute(sql)]


def _fields(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    sql = "SELECT id, priority, name FROM jobs WHERE status = 'queued' ORDER BY priority DESC, seq"
    return [tuple(r) for r in conn.execute(sql)]


def _kept(conn: sqlite3.Connection) -> list[tuple[str, int, str]]:
    records, _, declared, depending = repo.queued_with_seqs(conn)
    (plain,) = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'queued' AND gpu_memory IS NOT NULL)"
    ).fetchone()
    assert declared == bool(plain)  # kept count of the queued jobs that declare GPU memory
    (plain,) = conn.execute(
        "SELECT EXISTS (SELECT 1 FROM jobs WHERE status = 'queued' AND depends_on != '[]')"
    ).fetchone()
    assert depending == bool(plain)  # and of those that depend on other jobs
    return [(j.id, j.priority, j.name) for j in records]


def test_the_kept_queue_is_always_the_plain_query_s(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.db")
    db.open()
    rnd = random.Random(7)
    try:

        def step(conn: sqlite3.Connection, i: int) -> None:
            action = rnd.choice(
                [
                    "batch",
                    "batch",
                    "batch",
                    "claim",
                    "priority",
                    "rename",
                    "cancel",
                    "delete",
                    "requeue",
                    "fresh-then-changed",
                    "rolled-back",
                    "big-batch",
                    "cancel-many",
                ]
            )
            queued_ids = _plain(conn)
            if action == "batch" or not queued_ids:
                rows = [
                    repo.NewJob(
                        f"j{i}.{k}",
                        "command",
                        rnd.randint(-2, 2),
                        0,
                        {"argv": ["x"]},
                        gpu_memory=rnd.choice([None, None, None, 512]),
                        depends_on=rnd.choice([(), (), (), queued_ids[:1]]),
                    )
                    for k in range(rnd.randint(1, 4))
                ]
                repo.insert_many(conn, rows)
            elif action == "big-batch":  # more than are put in one by one: one merge
                # Runs of one job (the same object, or an equal one, or unnamed: named by
                # its id) as a batch of one job many times makes them, among others.
                rows = []
                for k in range(rnd.randint(65, 90)):
                    name = rnd.choice([f"b{i}.{k}", "same", ""])
                    job = repo.NewJob(name, "command", rnd.randint(-2, 2), 0, {"argv": ["x"]})
                    rows += [job] * rnd.randint(1, 3)
                repo.insert_many(conn, rows)
            elif action == "cancel-many":  # some or more than are taken out one by one
                gone = rnd.sample(queued_ids, k=min(len(queued_ids), rnd.choice([3, 70])))
                conn.executemany(
                    "UPDATE jobs SET status = 'cancelled' WHERE id = ?", [(g,) for g in gone]
                )
            elif action == "claim":
                assert repo.claim(conn, rnd.choice(queued_ids), [0])
            elif action == "priority":
                repo.update_queued(conn, rnd.choice(queued_ids), rnd.randint(-3, 3), None)
            elif action == "rename":
                repo.update_queued(conn, rnd.choice(queued_ids), None, f"renamed-{i}")
            elif action == "delete":
                repo.finish(conn, (gone := rnd.choice(queued_ids)), JobStatus.CANCELLED)
                repo.delete(conn, [gone])
            elif action == "requeue":  # a started job back in the queue (a preemption)
                started = conn.execute("SELECT id FROM jobs WHERE status = 'starting'").fetchone()
                if started:
                    conn.execute("UPDATE jobs SET status = 'queued' WHERE id = ?", (started[0],))
            elif action == "fresh-then-changed":  # inserted and changed before any read
                (job,) = repo.insert_many(conn, [repo.NewJob(f"f{i}", "command", 0, 0, {})])
                repo.update_queued(conn, job.id, 5, None)
            elif action == "rolled-back":  # a read inside a transaction that is undone
                conn.execute("BEGIN")
                conn.execute("UPDATE jobs SET priority = 7 WHERE id = ?", (rnd.choice(queued_ids),))
                assert _kept(conn) == _fields(conn)
                conn.execute("ROLLBACK")
            else:
                repo.finish(conn, rnd.choice(queued_ids), JobStatus.CANCELLED)
            assert _kept(conn) == _fields(conn), (i, action)

        for i in range(300):
            db.call(functools.partial(step, i=i))
        # A write through another connection (another process on the same state) is seen.
        other = sqlite3.connect(tmp_path / "state.db", isolation_level=None)
        other.execute("UPDATE jobs SET priority = 9 WHERE id = (SELECT MAX(id) FROM jobs)")
        other.execute("DELETE FROM jobs WHERE status != 'queued'")
        other.close()
        assert db.call(lambda c: _kept(c) == _fields(c))
    finally:
        db.close()


def test_a_batch_s_records_are_what_its_rows_say(tmp_path: Path) -> None:
    """``insert_many`` reads one row per run of equal jobs and copies the rest: each
    record must still be its own row's (id, name), as a fresh read parses it."""
    db = Database(tmp_path / "state.db")
    db.open()
    try:
        named = repo.NewJob("named", "command", 1, 1, {"argv": ["true"]}, owner="ann")
        unnamed = repo.NewJob("", "command", 1, 1, {"argv": ["true"]}, owner="ann")
        other = repo.NewJob("named", "command", 2, 1, {"argv": ["true"]}, owner="ann")
        rows = [named, named, repo.NewJob(**vars(named)), other, unnamed, unnamed, named]
        got = db.call(lambda c: repo.insert_many(c, rows))

        def fresh(conn: sqlite3.Connection) -> list[DescribeJob]:
            cols = ", ".join(PUBLIC_COLUMNS)
            return [
                row_to_record(
                    conn.execute(f"SELECT {cols} FROM jobs WHERE id = ?", (j.id,)).fetchone()
                )
                for j in got
            ]

        assert [j.model_dump() for j in got] == [j.model_dump() for j in db.call(fresh)]
        assert len({j.id for j in got}) == len(rows)
        assert [j.name == j.id for j in got] == [False] * 4 + [True, True, False]
        assert [j.priority for j in got] == [1, 1, 1, 2, 1, 1, 1]
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
