"""``GET /jobs`` pages: offset, the ``before`` cursor and the owner filter, on real SQLite.

Every way of finding a page (arithmetic on a gap-free history, a narrow
index walked from the nearer end, the keyset cursor) must give exactly the
rows a plain ``ORDER BY seq DESC LIMIT OFFSET`` gives, and the totals must
follow inserts, deletes and owner changes.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command

from forgather_lab.errors import BadRequest
from forgather_lab.jobs import repository as repo
from forgather_lab.store import Database

OWNERS = ("ann", "bob", "cid", None)


@pytest.fixture
def db(tmp_path: Path) -> Any:
    database = Database(tmp_path / "state.db")
    database.open()
    rows = [
        repo.NewJob(f"j{i}", "command", 0, 0, {"argv": ["true"]}, owner=OWNERS[i % 4])
        for i in range(400)
    ]
    database.call(lambda c: repo.insert_many(c, rows))
    # Some ended, some failed: the status filters have something to tell apart.
    database.call(
        lambda c: c.execute(
            "UPDATE jobs SET status = CASE WHEN seq % 5 = 0 THEN 'failed' ELSE 'done' END "
            "WHERE seq % 3 != 0"
        )
    )
    yield database
    database.close()


def _naive(
    conn: sqlite3.Connection, statuses: list[str] | None, owner: str | None, limit: int, offset: int
) -> list[str]:
    conds, args = [], []
    if statuses:
        conds.append(f"status IN ({','.join('?' * len(statuses))})")
        args += statuses
    if owner is not None:
        conds.append("owner = ?")
        args.append(owner)
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    sql = f"SELECT id FROM jobs {where} ORDER BY seq DESC LIMIT ? OFFSET ?"
    return [r[0] for r in conn.execute(sql, [*args, limit, offset])]


def _count(conn: sqlite3.Connection, statuses: list[str] | None, owner: str | None) -> int:
    return len(_naive(conn, statuses, owner, 10**6, 0))


FILTERS = [
    (None, None),
    (["failed"], None),
    (["done", "queued"], None),
    (None, "bob"),
    (["done"], "ann"),
]


@pytest.mark.parametrize(("statuses", "owner"), FILTERS)
def test_every_offset_page_is_the_plain_query_s_page(
    db: Any, statuses: list[str] | None, owner: str | None
) -> None:
    def check(conn: sqlite3.Connection) -> None:
        total = _count(conn, statuses, owner)
        for offset in (0, 1, 7, total // 3, total // 2, total - 60, total - 1, total, total + 5):
            offset = max(0, offset)
            jobs, got_total = repo.list_jobs(conn, statuses, 50, offset, owner=owner)
            assert [j.id for j in jobs] == _naive(conn, statuses, owner, 50, offset), offset
            assert got_total == total

    db.call(check)
    # Gaps in seq (deleted jobs) take the index walk instead of the arithmetic.
    gone = db.call(lambda c: repo.delete(c, [r[0] for r in c.execute("SELECT id FROM jobs")][5::9]))
    assert gone > 10
    db.call(check)


@pytest.mark.parametrize(("statuses", "owner"), FILTERS)
def test_the_before_cursor_continues_where_the_page_ended(
    db: Any, statuses: list[str] | None, owner: str | None
) -> None:
    def walk(conn: sqlite3.Connection) -> None:
        seen: list[str] = []
        before = None
        while True:
            jobs, total = repo.list_jobs(conn, statuses, 37, 0, owner=owner, before=before)
            if not jobs:
                break
            seen += [j.id for j in jobs]
            before = jobs[-1].id
        assert seen == _naive(conn, statuses, owner, 10**6, 0)
        assert total == len(seen)

    db.call(walk)


def test_an_unknown_cursor_is_refused(db: Any) -> None:
    with pytest.raises(BadRequest, match="before names no job"):
        db.call(lambda c: repo.list_jobs(c, None, 10, 0, before="nosuchjob"))


def test_owner_totals_follow_inserts_deletes_and_owner_changes(db: Any) -> None:
    def totals(conn: sqlite3.Connection) -> dict[str | None, int]:
        return {o: repo.list_jobs(conn, None, 1, 0, owner=o)[1] for o in OWNERS if o}

    assert db.call(totals) == {"ann": 100, "bob": 100, "cid": 100}
    ann = db.call(lambda c: repo.list_jobs(c, ["done"], 3, 0, owner="ann")[0])
    db.call(lambda c: repo.delete(c, [ann[0].id]))
    db.call(lambda c: repo.set_owner(c, ann[1].id, "dee"))
    nobody = db.call(lambda c: c.execute("SELECT id FROM jobs WHERE owner IS NULL").fetchone()[0])
    db.call(lambda c: repo.set_owner(c, nobody, "bob"))
    db.call(lambda c: repo.insert_many(c, [repo.NewJob("x", "command", 0, 0, {}, owner="cid")]))
    assert db.call(totals) == {"ann": 98, "bob": 101, "cid": 101}
    assert db.call(lambda c: repo.list_jobs(c, None, 1, 0, owner="dee")[1]) == 1
    assert db.call(lambda c: repo.list_jobs(c, None, 1, 0, owner="nobody")) == ([], 0)


async def test_owner_and_before_over_http(api: Any) -> None:
    ids = []
    for i in range(5):
        status, job = await api("queue", method="POST", json_body=command(f"print({i})"))
        assert status == 201, job
        ids.append(job["id"])
    owner = job["owner"]
    status, page = await api("jobs", params={"owner": owner, "limit": 2})
    assert status == 200
    assert [j["id"] for j in page["jobs"]] == ids[::-1][:2]
    assert page["total"] == 5
    status, rest = await api("jobs", params={"owner": owner, "before": ids[3], "limit": 10})
    assert [j["id"] for j in rest["jobs"]] == ids[::-1][2:]
    status, none = await api("jobs", params={"owner": owner + "-other"})
    assert (status, none["jobs"], none["total"]) == (200, [], 0)
    status, reply = await api("jobs", params={"before": "nosuchjob"})
    assert status == 400
    assert "before" in reply["message"]
