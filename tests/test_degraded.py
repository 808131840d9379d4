"""A state directory the server cannot fully use: it still starts, and says why over HTTP.

A corrupt database makes the runtime degraded (every route but health
answers 503). A read-only one keeps the history readable: GETs work, every
write answers 503 saying the directory is read-only, and nothing suggests
moving the database aside (which would throw the history away).

Root ignores permission bits, so when the tests run as root a real
read-only directory is a read-only bind mount of it (``mount -o
remount,bind,ro``, which needs CAP_SYS_ADMIN); where neither works the
read-only tests skip. ``test_store.py`` covers the read-only code path
without either (a database opened with ``read_only=True``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.errors import StateError
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.models.jobs import JobStatus
from forgather_lab.store import Database, ReadOnlyState


@contextlib.contextmanager
def read_only(directory: Path) -> Iterator[None]:
    """``directory`` cannot be written while the block runs (by this user, root included)."""
    if os.geteuid() != 0:
        directory.chmod(0o500)
        try:
            yield
        finally:
            directory.chmod(0o700)
        return
    d = str(directory)
    try:
        subprocess.run(["mount", "--bind", d, d], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("running as root without mount: permission bits do not stop root")
    try:
        subprocess.run(["mount", "-o", "remount,bind,ro", d, d], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(["umount", d], check=False)
        pytest.skip("running as root, and a read-only bind mount is not allowed here")
    try:
        yield
    finally:
        # Lazily: the server's database connection may outlive the test by a moment.
        subprocess.run(["umount", "--lazy", d], check=True)


def _history(state: Path) -> str:
    """A state database with one finished job and one setting; returns the job id."""
    db = Database(state / "forgather.db")
    db.open()

    def write(conn: sqlite3.Connection) -> str:
        job = jobs_repo.insert(
            conn, name="old run", job_type="command", priority=0, requested_gpus=0,
            params={"argv": ["true"]},
        )  # fmt: skip
        jobs_repo.mark_running(conn, job.id, pid=1, create_time=0.0, log_path="x", token_hash="")
        jobs_repo.finish(conn, job.id, JobStatus.DONE, 0)
        conn.execute("INSERT INTO settings VALUES ('scheduler_enabled', '1')")
        return job.id

    try:
        return db.call(write)
    finally:
        db.close()


@pytest.fixture
def state_dir(request: Any, tmp_path: Path) -> Iterator[Path]:
    state = tmp_path / "broken-state"
    state.mkdir(mode=0o700)
    if getattr(request, "param", "corrupt") == "corrupt":
        (state / "forgather.db").write_bytes(b"definitely not sqlite\n" * 500)
        yield state
        return
    _history(state)
    with read_only(state):
        yield state


async def test_health_is_503_with_the_file_named(api: Any, state_dir: Path) -> None:
    status, body = await api("health")
    assert status == 503
    assert body["status"] == "error"
    assert str(state_dir.resolve() / "forgather.db") in body["message"]


async def test_openapi_still_answers(api: Any) -> None:
    status, body = await api("openapi.json")
    assert status == 200
    assert body["openapi"].startswith("3.")


# -- read-only ----------------------------------------------------------------


@pytest.mark.parametrize("state_dir", ["read-only"], indirect=True)
async def test_a_read_only_state_serves_reads_and_refuses_writes(api: Any, state_dir: Path) -> None:
    status, health = await api("health")
    assert status == 503
    assert health["status"] == "error"
    assert "read-only" in health["message"]
    assert "Move it aside" not in health["message"]
    assert health["schema_version"] is not None  # the database itself is fine
    # The history reads.
    status, jobs = await api("jobs")
    assert status == 200, jobs
    assert [(j["name"], j["status"]) for j in jobs["jobs"]] == [("old run", "done")]
    job_id = jobs["jobs"][0]["id"]
    status, job = await api("jobs", job_id)
    assert (status, job["name"]) == (200, "old run")
    status, _ = await api("queue")
    assert status == 200
    # Every write says why it cannot be done.
    for parts, method, body in [
        (("queue",), "POST", {"job_type": "command", "job_params": {"argv": ["true"]}}),
        (("queue", "scheduler"), "POST", {"enabled": False}),
        (("gpus", "0", "policy"), "POST", {"disabled": True}),
        (("jobs", job_id), "DELETE", None),
        (("generation-configs", "mine"), "PUT", {"temperature": 0.5}),
    ]:
        status, reply = await api(*parts, method=method, json_body=body)
        assert status == 503, (parts, reply)
        assert reply["reason"] == "state_read_only", (parts, reply)
        assert "read-only" in reply["message"]
        assert str(state_dir.resolve()) in reply["message"]
    status, jobs = await api("jobs")
    assert [j["name"] for j in jobs["jobs"]] == ["old run"]


@pytest.mark.parametrize("leftover_wal", [False, True])
def test_a_read_only_directory_opens_for_reading(tmp_path: Path, leftover_wal: bool) -> None:
    state = tmp_path / "state"
    state.mkdir(mode=0o700)
    if leftover_wal:
        # A server that died: the last writes are still in the -wal file.
        live = tmp_path / "live"
        live.mkdir(mode=0o700)
        db = Database(live / "forgather.db")
        db.open()
        db.call(lambda c: c.execute("PRAGMA wal_autocheckpoint = 0"))
        db.call(lambda c: c.execute("INSERT INTO settings VALUES ('last', 'in the wal')"))
        for f in live.iterdir():
            shutil.copy2(f, state / f.name)
        db.close()
        assert (state / "forgather.db-wal").stat().st_size > 0
    else:
        job_id = _history(state)
    with read_only(state):
        db = Database(state / "forgather.db")
        db.open()
        try:
            assert db.read_only is not None
            assert db.problem is not None
            assert "read-only" in db.problem
            if leftover_wal:
                row = db.call(lambda c: c.execute("SELECT value FROM settings").fetchone())
                assert row[0] == "in the wal"
            else:
                job = db.call(lambda c: jobs_repo.get(c, job_id))
                assert job is not None
                assert job.status == JobStatus.DONE
            with pytest.raises(ReadOnlyState, match="read-only") as info:
                db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
            assert info.value.status == 503
            # Still readable after a refused write.
            assert db.call(lambda c: c.execute("PRAGMA user_version").fetchone()[0]) > 0
        finally:
            db.close()


def test_a_read_only_directory_without_a_database_says_so(tmp_path: Path) -> None:
    state = tmp_path / "empty"
    state.mkdir(mode=0o700)
    with read_only(state):
        db = Database(state / "forgather.db")
        with pytest.raises(StateError, match="read-only") as info:
            db.open()
        db.close()
    assert "holds no state database" in info.value.message
    assert "Move it aside" not in info.value.message


def test_a_read_only_database_that_needs_a_migration_says_so(tmp_path: Path) -> None:
    state = tmp_path / "old"
    state.mkdir(mode=0o700)
    with sqlite3.connect(state / "forgather.db") as conn:
        conn.execute("PRAGMA user_version = 1")
    with read_only(state):
        db = Database(state / "forgather.db")
        with pytest.raises(ReadOnlyState, match="needs an upgrade") as info:
            db.open()
        db.close()
    assert "read-only" in info.value.message


_OPEN_AND_TRY = """
import json, sys
from pathlib import Path
from forgather_lab.store import Database, ReadOnlyState
db = Database(Path(sys.argv[1]))
db.open()
out = {"read_only": db.read_only, "rows": db.call(lambda c: c.execute(
    "SELECT COUNT(*) FROM jobs").fetchone()[0])}
try:
    db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
except ReadOnlyState as e:
    out["refused"] = e.message
db.close()
print(json.dumps(out))
"""


def test_a_directory_without_write_permission_opens_for_reading(tmp_path: Path) -> None:
    """Permission bits, not a mount: SQLite cannot create its -shm file there either."""
    state = tmp_path / "perm"
    state.mkdir(mode=0o700)
    _history(state)
    child = [sys.executable, "-c", _OPEN_AND_TRY, str(state / "forgather.db")]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: permission bits do not stop root")
        drop = "-dac_override,-dac_read_search"
        child = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *child]
    state.chmod(0o500)
    try:
        done = subprocess.run(child, capture_output=True, text=True, timeout=60, check=False)
    finally:
        state.chmod(0o700)
    if done.returncode != 0 and "setpriv" in done.stderr:
        pytest.skip(f"cannot drop capabilities here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["read_only"] == "the directory cannot be written"
    assert out["rows"] == 1
    assert "read-only" in out["refused"]
