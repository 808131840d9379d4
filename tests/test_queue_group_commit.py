"""Concurrent enqueues share one transaction (group commit), each with its own answer."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command

from forgather_lab.errors import BadRequest
from forgather_lab.jobs import repository as repo
from forgather_lab.jobs.submit import GroupCommit
from forgather_lab.store import Database


def _row(name: str, depends_on: tuple[str, ...] = ()) -> repo.NewJob:
    return repo.NewJob(name, "command", 0, 0, {"argv": ["true"]}, depends_on=depends_on)


async def test_a_refused_request_fails_alone_and_the_others_are_written(tmp_path: Path) -> None:
    db = Database(tmp_path / "state.db")
    db.open()
    try:
        commit = GroupCommit(db)
        # Started together: the first is written at once, the rest wait and go in as one group,
        # which the bad dependency makes fall back to one transaction each.
        tries = [
            commit.insert([_row("a")]),
            commit.insert([_row("b"), _row("c")]),
            commit.insert([_row("bad", depends_on=("nosuchjob",))]),
            commit.insert([_row("d")]),
        ]
        answers = await asyncio.gather(*tries, return_exceptions=True)
        assert isinstance(answers[2], BadRequest)
        assert "nosuchjob" in answers[2].message
        names = [[j.name for j in a] for a in answers if not isinstance(a, BaseException)]
        assert names == [["a"], ["b", "c"], ["d"]]
        stored = db.call(lambda c: sorted(r[0] for r in c.execute("SELECT name FROM jobs")))
        assert stored == ["a", "b", "c", "d"]
        # Each request's first history row is there too, once.
        history = db.call(lambda c: c.execute("SELECT COUNT(*) FROM job_history").fetchone()[0])
        assert history == 4
    finally:
        db.close()


async def test_sixteen_concurrent_posts_each_get_their_own_job(api: Any) -> None:
    replies = await asyncio.gather(
        *(
            api("queue", method="POST", json_body=command(f"print({i})", name=f"n{i}"))
            for i in range(16)
        )
    )
    assert all(status == 201 for status, _ in replies), replies
    names = {job["id"]: job["name"] for _, job in replies}
    assert sorted(names.values()) == sorted(f"n{i}" for i in range(16))
    _, listing = await api("jobs", params={"limit": 100})
    assert {j["id"]: j["name"] for j in listing["jobs"]} == names


@pytest.mark.parametrize("size", [1, 3])
async def test_a_lone_request_is_written_at_once(tmp_path: Path, size: int) -> None:
    db = Database(tmp_path / "state.db")
    db.open()
    try:
        jobs = await GroupCommit(db).insert([_row(f"j{i}") for i in range(size)])
        assert [j.name for j in jobs] == [f"j{i}" for i in range(size)]
    finally:
        db.close()
