"""SQL for jobs. Every function takes a connection and runs on the db thread.

Claiming a job (queued → starting with its GPUs) happens in one
``BEGIN IMMEDIATE`` transaction that re-checks the status, so two dispatch
passes can never start the same job, and a job is never deleted to claim it:
after a crash the row says exactly how far it got.

Every status change writes a ``job_history`` row (``history.py``) in the
same transaction, so a job's story survives a ``kill -9`` exactly as far as
its status does.

About 1,020 lines, on purpose: every statement that changes a job row lives
here, so the history rows and the status checks cannot be forgotten by a
second copy; and the reads share with the writes the parsed-record cache and
the column list their answers are built from. A split by reads and writes
would cut through both. The one part that could stand alone is the kept
queue (``_Queue`` and the TEMP triggers that feed it and ``counts``); it stays
beside the statements whose writes those triggers watch.
"""

from __future__ import annotations

import bisect
import itertools
import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from typing import Any

from ..errors import BadRequest
from ..models.jobs import JobHistory
from ..store.db import transaction
from .history import RECORD_SQL, read_history, record
from .model import ACTIVE, PUBLIC_COLUMNS, TERMINAL, DescribeJob, JobStatus, row_to_record

_COLS = ", ".join(PUBLIC_COLUMNS)
_TERMINAL_SQL = ",".join(f"'{s.value}'" for s in TERMINAL)

#: Parsed records by their row's exact values: the dispatcher reads the whole queue
#: on every pass, and parsing (JSON columns, validation) is most of that read.
_PARSED: dict[tuple[Any, ...], DescribeJob] = {}
_PARSED_MAX = 50_000
_PARSED_LOCK = threading.Lock()
#: A record by its row's values but the id and times (``_OWN``): see ``_record``.
_SHAPES: dict[tuple[Any, ...], DescribeJob] = {}
#: Where a row's id and times are: what differs between the jobs of one batch.
_OWN = frozenset(PUBLIC_COLUMNS.index(c) for c in ("id", "created_at", "queued_at"))


def _record(row: sqlite3.Row) -> DescribeJob:
    """``row_to_record`` once per distinct row: an unchanged row maps to the same record.

    Records are never changed in place (every caller copies with ``model_copy``),
    so sharing one between readers is safe; any change to the row is a new key.
    A row not seen before but of a known shape (every column equal but the id and
    times: the jobs of one batch) is a copy of that shape's record with its own
    id and times, without validating it again.
    """
    key = tuple(row)
    job = _PARSED.get(key)
    if job is None:
        shape = tuple(v for i, v in enumerate(key) if i not in _OWN)
        like = _SHAPES.get(shape)
        if like is None:
            job = row_to_record(row)
        else:
            # The id is ours (hex) and the times are REALs: nothing for validation to change.
            job = like.model_copy(
                update={
                    "id": row["id"],
                    "created_at": row["created_at"],
                    "queued_at": row["queued_at"],
                }
            )
        _remember(key, job)
        if like is None:
            with _PARSED_LOCK:
                _SHAPES[shape] = job
    return job


def _remember(key: tuple[Any, ...], job: DescribeJob) -> DescribeJob:
    """Keep ``job`` as the record of a row with the values ``key``."""
    with _PARSED_LOCK:
        if len(_PARSED) >= _PARSED_MAX:
            _PARSED.clear()
            _SHAPES.clear()
        _PARSED[key] = job
    return job


#: Put before every job id minted here. Cluster mode sets this node's tag (cluster/jobs.py),
#: so no two nodes mint the same id; standalone it is empty.
ID_PREFIX = ""


def new_job_id() -> str:
    """8 hex characters (after ``ID_PREFIX``): short enough to type, random enough not to
    collide in practice; the primary key refuses a repeat on this node."""
    return ID_PREFIX + secrets.token_hex(4)


@dataclass(frozen=True)
class NewJob:
    """Everything a job row is created with (validated by the service beforehand)."""

    name: str
    job_type: str
    priority: int
    requested_gpus: int
    params: dict[str, Any]
    depends_on: Sequence[str] = ()
    time_limit: float | None = None
    gpu_memory: int | None = None
    preemptible: bool = False
    max_retries: int = 0
    group: str | None = None
    rerun_of: str | None = None
    reason: str = "submitted"  # the first history row's
    owner: str | None = None


def insert(
    conn: sqlite3.Connection,
    *,
    name: str,
    job_type: str,
    priority: int,
    requested_gpus: int,
    params: dict[str, Any],
    depends_on: Sequence[str] = (),
    time_limit: float | None = None,
    gpu_memory: int | None = None,
    preemptible: bool = False,
    max_retries: int = 0,
    group: str | None = None,
    rerun_of: str | None = None,
) -> DescribeJob:
    """Create a queued job and return its record."""
    job = NewJob(
        name,
        job_type,
        priority,
        requested_gpus,
        params,
        depends_on=depends_on,
        time_limit=time_limit,
        gpu_memory=gpu_memory,
        preemptible=preemptible,
        max_retries=max_retries,
        group=group,
        rerun_of=rerun_of,
    )
    return insert_many(conn, [job])[0]


def insert_many(conn: sqlite3.Connection, jobs: Sequence[NewJob]) -> list[DescribeJob]:
    """Create queued jobs in one transaction (all or none) and return them in order.

    Dependencies are checked inside the same transaction, so a job cannot be
    queued behind one deleted a moment before: BadRequest, and nothing is created.
    The rows and their first history rows go in as two ``executemany``.
    """
    for _ in range(5):
        ids = [new_job_id() for _ in jobs]
        if len(set(ids)) < len(ids):
            continue  # drawn twice in one batch; draw every id again
        try:
            with transaction(conn):
                for job in jobs:
                    _check_dependencies(conn, job.depends_on)
                (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
                now = time.time()
                conn.execute(_INSERT_SQL, (json.dumps(_all_values(ids, jobs, now)),))
                reasons = {job.reason for job in jobs}
                if len(reasons) == 1:
                    conn.execute(_HISTORY_SQL, (now, reasons.pop(), last))
                else:
                    history = [(now, job.reason, i) for i, job in zip(ids, jobs, strict=True)]
                    conn.executemany(RECORD_SQL, history)
        except sqlite3.IntegrityError:
            continue  # id collision with an existing job; draw every id again
        records = _inserted(conn, ids, jobs)
        _hand_to_queue(conn, last, records)
        return records
    raise RuntimeError("could not allocate job ids")


#: Records of the rows ``insert_many`` committed on a connection, by seq, until its
#: kept queue takes them in (``_queue_entries``): reading a 1,000-job batch's rows back
#: there was most of the dispatcher's next read.
_FRESH: dict[int, dict[int, DescribeJob]] = {}
_FRESH_MAX = 100_000


def _hand_to_queue(conn: sqlite3.Connection, last: int, records: list[DescribeJob]) -> None:
    """Keep ``records`` (rows after seq ``last``) for the connection's kept queue, if any."""
    if id(conn) not in _QUEUES:
        return  # nothing keeps a queue here: it reads every row when it first does
    fresh = _FRESH.setdefault(id(conn), {})
    if len(fresh) + len(records) > _FRESH_MAX:
        fresh.clear()  # nobody took them: rows are read as before
        return
    by_id = {r.id: r for r in records}
    for seq, job_id in conn.execute("SELECT seq, id FROM jobs WHERE seq > ?", (last,)):
        if job_id in by_id:
            fresh[seq] = by_id[job_id]


_ID = PUBLIC_COLUMNS.index("id")
_NAME = PUBLIC_COLUMNS.index("name")


def _inserted(
    conn: sqlite3.Connection, ids: Sequence[str], jobs: Sequence[NewJob]
) -> list[DescribeJob]:
    """The records of rows ``insert_many`` just wrote, reading one row per run of equal jobs.

    A batch is mostly one job repeated, and its rows share their times, so an
    equal job's row differs from the one before only in its id (and its name,
    when it is named by its id): a copy of that record, remembered for the
    row's values as ``_record`` would (the dispatcher's next read finds it).
    Reading every row back was a third of a 1,000-job batch's insert.
    """
    out: list[DescribeJob] = []
    row: tuple[Any, ...] = ()
    before: NewJob | None = None
    for job_id, job in zip(ids, jobs, strict=True):
        if before is None or not (job is before or job == before):
            found = conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            row, before = tuple(found), job
            out.append(_record(found))
            continue
        named = job.name or job_id
        key = list(row)
        key[_ID], key[_NAME] = job_id, named
        out.append(_remember(tuple(key), out[-1].model_copy(update={"id": job_id, "name": named})))
    return out


# The rows of a batch as one statement over one JSON array (of ``_values``), and their
# first history rows as another, not one statement per row (``executemany``): each
# statement's step lets go of the interpreter lock and waits to take it back, which
# on a busy server is most of a 1,000-row insert. JSON numbers come back exact.
_INSERT_SQL = (
    "INSERT INTO jobs (id, name, job_type, status, priority, requested_gpus, params, "
    "created_at, queued_at, depends_on, time_limit, gpu_memory, preemptible, max_retries, "
    "group_id, rerun_of, owner) "
    "SELECT value->>0, value->>1, value->>2, 'queued', value->>3, value->>4, value->>5, "
    "value->>6, value->>7, value->>8, value->>9, value->>10, value->>11, value->>12, "
    "value->>13, value->>14, value->>15 FROM json_each(?) ORDER BY key"
)
#: The first history row of every job after seq ``?``, all with one time and reason.
_HISTORY_SQL = (
    "INSERT INTO job_history (job_id, at, status, attempt, reason) "
    "SELECT id, ?, status, attempt, ? FROM jobs WHERE seq > ? ORDER BY seq"
)


def _all_values(ids: Sequence[str], jobs: Sequence[NewJob], now: float) -> list[tuple[Any, ...]]:
    """Each job's row values; a job repeated (the same object) is encoded once."""
    out: list[tuple[Any, ...]] = []
    before: NewJob | None = None
    for job_id, job in zip(ids, jobs, strict=True):
        if job is before:
            out.append((job_id, job.name or job_id, *out[-1][2:]))
        else:
            out.append(_values(job_id, job, now))
            before = job
    return out


def _values(job_id: str, job: NewJob, now: float) -> tuple[Any, ...]:
    return (
        job_id,
        job.name or job_id,
        job.job_type,
        job.priority,
        job.requested_gpus,
        json.dumps(job.params),
        now,
        now,
        json.dumps(list(job.depends_on)),
        job.time_limit,
        job.gpu_memory,
        int(job.preemptible),
        job.max_retries,
        job.group,
        job.rerun_of,
        job.owner,
    )


def _check_dependencies(conn: sqlite3.Connection, depends_on: Sequence[str]) -> None:
    if not depends_on:
        return
    found = statuses(conn, depends_on)
    missing = [d for d in depends_on if d not in found]
    if missing:
        raise BadRequest(
            f"depends_on names no job {missing[0]!r}"
            + (f" (nor {len(missing) - 1} more)" if len(missing) > 1 else ""),
            reason="unknown_dependency",
        )
    hopeless = [(d, s) for d, s in found.items() if s in TERMINAL and s != JobStatus.DONE]
    if hopeless:
        dep, status = hopeless[0]
        raise BadRequest(
            f"depends_on: job {dep} already ended {status.value}, so this job could never start",
            reason="failed_dependency",
        )


def get(conn: sqlite3.Connection, job_id: str) -> DescribeJob | None:
    """One job record, or None."""
    row = conn.execute(f"SELECT {_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None else _record(row)


def statuses(conn: sqlite3.Connection, job_ids: Iterable[str]) -> dict[str, JobStatus]:
    """The status of each job named that exists (a deleted job is absent)."""
    ids = list(dict.fromkeys(job_ids))
    out: dict[str, JobStatus] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for job_id, status in conn.execute(
            f"SELECT id, status FROM jobs WHERE id IN ({marks})", chunk
        ):
            out[job_id] = JobStatus(status)
    return out


def dependency_statuses(
    conn: sqlite3.Connection, queue: Iterable[DescribeJob]
) -> dict[str, JobStatus]:
    """The status of every job some job of ``queue`` (the queued jobs, as ``queued`` read
    them) depends on, for the planner's snapshot. Taken from the records the pass has
    already read: a query over the queued rows' ``depends_on`` walks every one of them."""
    wanted = itertools.chain.from_iterable(filter(None, map(_DEPENDS_ON, queue)))
    return statuses(conn, wanted)


def list_jobs(
    conn: sqlite3.Connection,
    statuses: Iterable[str] | None = None,
    limit: int = 100,
    offset: int = 0,
    newest_first: bool = True,
    *,
    owner: str | None = None,
    before: str | None = None,
) -> tuple[list[DescribeJob], int]:
    """A page of jobs and the total count matching the filter (``before`` aside).

    ``before`` (a job id) is a keyset cursor: the page starts at the next job
    after that one in the listing's order, found through an index whatever
    the depth. ``offset`` pages are made cheap three ways: the total comes
    from ``counts`` and ``owner_total``, not a ``COUNT(*)`` over the history
    (but for an owner's jobs in some statuses); an unfiltered history without
    gaps in ``seq`` (nothing deleted) finds row ``offset`` by arithmetic;
    otherwise the skipped rows are walked in a narrow index (``jobs_seq``,
    ``jobs_status_seq``, ``jobs_owner_seq``) from whichever end of the
    listing is nearer, and only the page's rows are read whole.
    """
    wanted = list(dict.fromkeys(statuses or []))
    conds: list[str] = []
    args: list[Any] = []
    if wanted:
        conds.append(f"status IN ({','.join('?' * len(wanted))})")
        args += wanted
    if owner is not None:
        conds.append("owner = ?")
        args.append(owner)
    if owner is None:
        known = counts(conn)
        total = sum(known.values()) if not wanted else sum(known.get(s, 0) for s in wanted)
    elif not wanted:
        total = owner_total(conn, owner)
    else:  # an owner's jobs in some statuses: counted in the (owner, status) index
        where = " AND ".join(conds)
        total = conn.execute(f"SELECT COUNT(*) FROM jobs WHERE {where}", args).fetchone()[0]
    desc, asc = ("DESC", "") if newest_first else ("", "DESC")
    if before is not None:
        row = conn.execute("SELECT seq FROM jobs WHERE id = ?", (before,)).fetchone()
        if row is None:
            raise BadRequest(f"before names no job {before!r}", reason="unknown_cursor")
        conds.append("seq < ?" if newest_first else "seq > ?")
        args.append(row[0])
        where = "WHERE " + " AND ".join(conds)
        rows = conn.execute(
            f"SELECT {_COLS} FROM jobs {where} ORDER BY seq {desc} LIMIT ? OFFSET ?",
            [*args, limit, offset],
        ).fetchall()
        return [_record(r) for r in rows], total
    if offset >= total:
        return [], total
    where = ("WHERE " + " AND ".join(conds)) if conds else ""
    if offset == 0:
        rows = conn.execute(
            f"SELECT {_COLS} FROM jobs {where} ORDER BY seq {desc} LIMIT ?", [*args, limit]
        ).fetchall()
        return [_record(r) for r in rows], total
    if not conds:
        lo, hi = conn.execute(
            "SELECT (SELECT MIN(seq) FROM jobs), (SELECT MAX(seq) FROM jobs)"
        ).fetchone()
        if hi - lo + 1 == total:  # no gaps: row ``offset`` is a known seq
            edge, cmp = (hi - offset, "<=") if newest_first else (lo + offset, ">=")
            rows = conn.execute(
                f"SELECT {_COLS} FROM jobs WHERE seq {cmp} ? ORDER BY seq {desc} LIMIT ?",
                (edge, limit),
            ).fetchall()
            return [_record(r) for r in rows], total
    if offset + limit > total - offset:
        # Nearer the far end: skip ``total - offset - limit`` rows from there.
        skip = max(0, total - offset - limit)
        take = min(limit, total - offset)
        order = asc
    else:
        skip, take, order = offset, limit, desc
    # The rows skipped are stepped over in a covering index; only the page is read whole.
    index = "" if len(wanted) > 1 else " INDEXED BY " + _index_for(wanted, owner)
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs WHERE seq IN (SELECT seq FROM jobs{index} {where} "
        f"ORDER BY seq {order} LIMIT ? OFFSET ?) ORDER BY seq {desc}",
        [*args, take, skip],
    ).fetchall()
    return [_record(r) for r in rows], total


def _index_for(wanted: list[str], owner: str | None) -> str:
    """The narrow index whose order is ``seq`` within the filter's equality columns."""
    if owner is not None and not wanted:
        return "jobs_owner_seq"
    if wanted and owner is None:
        return "jobs_status_seq"
    if owner is not None:
        return "jobs_owner"  # owner and status: (owner, status), then rowid = seq
    return "jobs_seq"


_COUNTS_SQL = (
    "CREATE TEMP TABLE IF NOT EXISTS job_counts (status TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_counts_insert AFTER INSERT ON main.jobs BEGIN
        INSERT INTO job_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_counts_delete AFTER DELETE ON main.jobs BEGIN
        UPDATE job_counts SET n = n - 1 WHERE status = OLD.status;
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_counts_update AFTER UPDATE OF status ON main.jobs
    WHEN NEW.status != OLD.status BEGIN
        UPDATE job_counts SET n = n - 1 WHERE status = OLD.status;
        INSERT INTO job_counts (status, n) VALUES (NEW.status, 1)
            ON CONFLICT (status) DO UPDATE SET n = n + 1;
    END""",
    # Writes to job rows by kind, for the queue kept by ``queued``: one row.
    # (``epoch``: drawn per connection, so a cache kept for a closed one is never taken
    # for this one's, whatever its ``id``.)
    "CREATE TEMP TABLE IF NOT EXISTS job_writes (epoch INTEGER, inserts INTEGER, others INTEGER)",
    "INSERT INTO temp.job_writes SELECT random(), 0, 0 "
    "WHERE NOT EXISTS (SELECT 1 FROM temp.job_writes)",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_writes_insert AFTER INSERT ON main.jobs BEGIN
        UPDATE job_writes SET inserts = inserts + 1;
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_writes_update AFTER UPDATE ON main.jobs BEGIN
        UPDATE job_writes SET others = others + 1;
        INSERT OR IGNORE INTO job_touched (seq) VALUES (OLD.seq);
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_writes_delete AFTER DELETE ON main.jobs BEGIN
        UPDATE job_writes SET others = others + 1;
        INSERT OR IGNORE INTO job_touched (seq) VALUES (OLD.seq);
    END""",
    # Which rows were updated or deleted since ``queued`` last looked: only those are
    # read again (a drain claims and ends a job per start; the rest of the queue stays).
    "CREATE TEMP TABLE IF NOT EXISTS job_touched (seq INTEGER PRIMARY KEY)",
    # The same per owner (jobs without one are not counted): an owner's page total.
    "CREATE TEMP TABLE IF NOT EXISTS job_owner_counts (owner TEXT PRIMARY KEY, n INTEGER NOT NULL)",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_owner_counts_insert AFTER INSERT ON main.jobs
    WHEN NEW.owner IS NOT NULL BEGIN
        INSERT INTO job_owner_counts (owner, n) VALUES (NEW.owner, 1)
            ON CONFLICT (owner) DO UPDATE SET n = n + 1;
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_owner_counts_delete AFTER DELETE ON main.jobs
    WHEN OLD.owner IS NOT NULL BEGIN
        UPDATE job_owner_counts SET n = n - 1 WHERE owner = OLD.owner;
    END""",
    """CREATE TEMP TRIGGER IF NOT EXISTS job_owner_counts_update AFTER UPDATE OF owner ON main.jobs
    WHEN NEW.owner IS NOT OLD.owner BEGIN
        UPDATE job_owner_counts SET n = n - 1 WHERE owner = OLD.owner;
        INSERT INTO job_owner_counts (owner, n) SELECT NEW.owner, 1 WHERE NEW.owner IS NOT NULL
            ON CONFLICT (owner) DO UPDATE SET n = n + 1;
    END""",
)
#: Per connection: the ``PRAGMA data_version`` the counts were last taken at.
#: (A reused ``id`` of a closed connection finds no TEMP table: counted again.)
_COUNTED: dict[int, int] = {}


def counts(conn: sqlite3.Connection) -> dict[str, int]:
    """How many jobs there are in each status, without counting the history each time.

    Kept in a per-connection TEMP table by TEMP triggers (no schema change:
    they live and die with the connection), so this connection's own writes
    keep it exact inside their transactions. A write by another connection
    changes ``PRAGMA data_version``; then everything is counted again once.
    """
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    if _COUNTED.get(id(conn)) == version:
        try:
            rows = conn.execute("SELECT status, n FROM temp.job_counts WHERE n > 0").fetchall()
        except sqlite3.OperationalError:  # a new connection with a reused id
            rows = None
        if rows is not None:
            return {r[0]: r[1] for r in rows}
    # Deferred, not IMMEDIATE: only the TEMP table is written (a read-only state
    # database is counted too).
    conn.execute("BEGIN")
    try:
        for statement in _COUNTS_SQL:
            conn.execute(statement)
        conn.execute("DELETE FROM temp.job_counts")
        conn.execute(
            "INSERT INTO temp.job_counts (status, n) SELECT status, COUNT(*) FROM main.jobs "
            "GROUP BY status"
        )
        conn.execute("DELETE FROM temp.job_owner_counts")
        conn.execute(
            "INSERT INTO temp.job_owner_counts (owner, n) SELECT owner, COUNT(*) FROM main.jobs "
            "WHERE owner IS NOT NULL GROUP BY owner"
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    _COUNTED[id(conn)] = conn.execute("PRAGMA data_version").fetchone()[0]
    rows = conn.execute("SELECT status, n FROM temp.job_counts WHERE n > 0").fetchall()
    return {r[0]: r[1] for r in rows}


def owner_total(conn: sqlite3.Connection, owner: str) -> int:
    """How many jobs ``owner`` has, kept beside ``counts`` (fresh after it)."""
    counts(conn)
    row = conn.execute("SELECT n FROM temp.job_owner_counts WHERE owner = ?", (owner,)).fetchone()
    return 0 if row is None else int(row[0])


@dataclass
class _Queue:
    """The queue as last read on one connection, and the write counts it is valid for."""

    epoch: int  # which connection (see ``job_writes``)
    version: int  # PRAGMA data_version: another connection's write invalidates it
    others: int  # updates and deletes of job rows (which ones: ``job_touched``)
    inserts: int  # new rows (those after ``last_seq``)
    last_seq: int
    entries: list[tuple[int, int, DescribeJob]]  # (-priority, seq, record), dispatch order
    #: seq -> its entry: where it is in ``entries``, found by bisection.
    by_seq: dict[int, tuple[int, int, DescribeJob]] = field(init=False)
    with_memory: int = field(init=False)  # entries whose job declares GPU memory
    with_deps: int = field(init=False)  # entries whose job depends on others

    def __post_init__(self) -> None:
        self.by_seq = dict(zip(map(_SEQ, self.entries), self.entries, strict=True))
        self.with_memory = _declaring_memory(self.entries)
        self.with_deps = _depending(self.entries)

    # A claim or an end touches a row or two of a long queue: those are found by
    # bisection and moved in C. Many at once (a batch) are cheaper in one walk.

    def drop(self, seqs: set[int]) -> None:
        """Take the rows ``seqs`` out, those of them that are in it."""
        if len(seqs) > _FEW:
            self.entries = [e for e in self.entries if e[1] not in seqs]
            for seq in seqs:
                self.by_seq.pop(seq, None)
            self.with_memory = _declaring_memory(self.entries)
            self.with_deps = _depending(self.entries)
            return
        for seq in seqs:
            entry = self.by_seq.pop(seq, None)
            if entry is not None:
                del self.entries[bisect.bisect_left(self.entries, (entry[0], seq), key=_order)]
                self.with_memory -= entry[2].gpu_memory is not None
                self.with_deps -= bool(entry[2].depends_on)

    def add(self, entries: list[tuple[int, int, DescribeJob]]) -> None:
        """Put in ``entries`` (in dispatch order, none of them in it yet)."""
        if len(entries) > _FEW:
            # Two sorted runs: the sort finds them and merges them in C (a seq is never
            # repeated, so the records themselves are never compared).
            self.entries += entries
            self.entries.sort()
        else:
            for entry in entries:
                bisect.insort(self.entries, entry, key=_order)
        self.by_seq.update(zip(map(_SEQ, entries), entries, strict=True))
        self.with_memory += _declaring_memory(entries)
        self.with_deps += _depending(entries)


def _depending(entries: list[tuple[int, int, DescribeJob]]) -> int:
    """How many of ``entries`` depend on other jobs."""
    return _having(entries, _DEPENDS_ON)


def _declaring_memory(entries: list[tuple[int, int, DescribeJob]]) -> int:
    """How many of ``entries`` declare GPU memory (a declared amount is at least 1 MiB)."""
    return _having(entries, _GPU_MEMORY)


def _having(entries: list[tuple[int, int, DescribeJob]], attr: attrgetter[Any]) -> int:
    """How many of ``entries``' records have ``attr`` set (not empty, None or 0), in C."""
    return len(list(filter(None, map(attr, map(_RECORD, entries)))))


_QUEUES: dict[int, _Queue] = {}
# Of a queue entry and its record, in C (a pass reads them all).
_SEQ, _RECORD, _GPU_MEMORY = itemgetter(1), itemgetter(2), attrgetter("gpu_memory")
_DEPENDS_ON = attrgetter("depends_on")
_FEW = 64  # changes to the kept queue made one by one; more are merged in one walk


def queued(conn: sqlite3.Connection) -> list[DescribeJob]:
    """The queue in dispatch order: priority descending, then submission order."""
    return list(map(_RECORD, _queue_entries(conn)[0]))


def queued_with_seqs(
    conn: sqlite3.Connection,
) -> tuple[list[DescribeJob], list[int], bool, bool]:
    """``queued``; each job's submission number (``seq``: ascending in submission order,
    and the same at every read, so a caller can keep what it derived from a job);
    whether any of them declares GPU memory; and whether any depends on other jobs
    (kept counts: no walk of the queue)."""
    entries, with_memory, with_deps = _queue_entries(conn)
    return list(map(_RECORD, entries)), list(map(_SEQ, entries)), with_memory > 0, with_deps > 0


def _queue_entries(
    conn: sqlite3.Connection,
) -> tuple[list[tuple[int, int, DescribeJob]], int, int]:
    """(-priority, seq, record) of the queue in dispatch order, and how many of them
    declare GPU memory and depend on other jobs.

    Read whole once, then kept per connection and brought up to date from what
    changed since: rows inserted after the last one seen, and rows this
    connection updated or deleted (``job_touched``, filled by TEMP triggers),
    which leave the kept queue and come back if they are still queued. A write
    by another connection reads it whole again. The counts come from TEMP
    triggers (``counts``). Inside a transaction the queue is read whole and not
    kept: what it sees may yet be rolled back.
    """
    if conn.in_transaction:
        entries = _entries(conn, "seq > ?", (0,), _DISPATCH_ORDER)
        return entries, _declaring_memory(entries), _depending(entries)
    counts(conn)  # the TEMP tables and triggers exist and are current
    version = conn.execute("PRAGMA data_version").fetchone()[0]
    epoch, inserts, others = conn.execute(
        "SELECT epoch, inserts, others FROM temp.job_writes"
    ).fetchone()
    have = _QUEUES.get(id(conn))
    fresh = _FRESH.pop(id(conn), {})
    if have is None or (have.epoch, have.version) != (epoch, version):
        conn.execute("DELETE FROM temp.job_touched")
        entries = _entries(conn, "seq > ?", (0,), _DISPATCH_ORDER)
        (last,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
        have = _Queue(epoch, version, others, inserts, last, entries)
        _QUEUES[id(conn)] = have
        return list(have.entries), have.with_memory, have.with_deps
    changed: list[tuple[int, int, DescribeJob]] = []
    if have.others != others:
        touched = {r[0] for r in conn.execute("SELECT seq FROM temp.job_touched")}
        have.drop(touched)
        changed = _entries(conn, "seq IN (SELECT seq FROM temp.job_touched)", ())
        conn.execute("DELETE FROM temp.job_touched")
        have.others = others
        for seq in touched:  # changed since it was inserted: its record is the one read
            fresh.pop(seq, None)
    if have.inserts != inserts:
        added = _added(conn, have.last_seq, fresh)
        (have.last_seq,) = conn.execute("SELECT COALESCE(MAX(seq), 0) FROM jobs").fetchone()
        have.inserts = inserts
        changed = sorted({e[1]: e for e in (*changed, *added)}.values(), key=_order)
    if changed:
        have.add(changed)
    return list(have.entries), have.with_memory, have.with_deps


def _added(
    conn: sqlite3.Connection, after: int, fresh: dict[int, DescribeJob]
) -> list[tuple[int, int, DescribeJob]]:
    """``_entries`` of the queued rows after seq ``after``, taking the records
    ``insert_many`` handed over (``fresh``: unchanged since, same id) instead of
    reading their rows."""
    if not fresh:
        return _entries(conn, "seq > ?", (after,))
    found = conn.execute(
        "SELECT seq, id FROM jobs WHERE status = 'queued' AND seq > ? ORDER BY seq", (after,)
    ).fetchall()
    out, unread = [], []
    for seq, job_id in found:
        job = fresh.get(seq)
        if job is not None and job.id == job_id:
            out.append((-job.priority, seq, job))
        else:
            unread.append(seq)
    for start in range(0, len(unread), 500):  # SQLite caps bound parameters per statement
        chunk = unread[start : start + 500]
        out += _entries(conn, f"seq IN ({','.join('?' * len(chunk))})", tuple(chunk))
    out.sort(key=_order)
    return out


def _order(entry: tuple[int, int, DescribeJob]) -> tuple[int, int]:
    return entry[0], entry[1]


_DISPATCH_ORDER = "priority DESC, seq"


def _entries(
    conn: sqlite3.Connection, which: str, args: tuple[int, ...], order: str = "seq"
) -> list[tuple[int, int, DescribeJob]]:
    """(-priority, seq, record) of the queued jobs ``which`` selects, in dispatch order.

    Two reads in the same order (``seq``, then the public columns), so every row is
    the same shape as every other read's. A few rows (those new or changed since the
    last read) are read by ``seq`` and sorted here: in dispatch order SQLite walks every
    queued row of ``jobs_status`` to find them. The whole queue is read in that order
    (``order``), from the index.
    """
    where = f"WHERE status = 'queued' AND {which} ORDER BY {order}"
    found = conn.execute(f"SELECT seq FROM jobs {where}", args).fetchall()
    rows = conn.execute(f"SELECT {_COLS} FROM jobs {where}", args).fetchall()
    out = [(-r["priority"], q[0], _record(r)) for q, r in zip(found, rows, strict=True)]
    if order == "seq":
        out.sort(key=_order)
    return out


def active(conn: sqlite3.Connection) -> list[DescribeJob]:
    """Jobs holding (or about to hold) a process: starting and running."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs WHERE status IN ('starting', 'running') ORDER BY seq"
    ).fetchall()
    return [_record(r) for r in rows]


def in_group(conn: sqlite3.Connection, group: str) -> list[DescribeJob]:
    """Every job of a batch or sweep, in submission order."""
    rows = conn.execute(
        f"SELECT {_COLS} FROM jobs WHERE group_id = ? ORDER BY seq", (group,)
    ).fetchall()
    return [_record(r) for r in rows]


def claim(conn: sqlite3.Connection, job_id: str, gpus: list[int]) -> bool:
    """queued → starting with ``gpus``; False if it is no longer queued."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET status = 'starting', gpus = ? WHERE id = ? AND status = 'queued'",
            (json.dumps(gpus), job_id),
        )
        if cur.rowcount == 1:
            where = f"on GPU{'s' if len(gpus) != 1 else ''} {', '.join(map(str, gpus))}"
            record(conn, job_id, where if gpus else "without GPUs")
    return cur.rowcount == 1


def mark_running(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    pid: int,
    create_time: float | None,
    log_path: str,
    token_hash: str | None,
    executor: str = "local",
    external_id: str | None = None,
    node: str | None = None,
) -> None:
    """starting → running once the process exists (on this machine, or in an engine)."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET status = 'running', pid = ?, pid_create_time = ?, log_path = ?, "
            "token_hash = ?, executor = ?, external_id = ?, node = COALESCE(?, node), "
            "started_at = ? WHERE id = ?",
            (
                pid,
                create_time,
                log_path,
                token_hash,
                executor,
                external_id,
                node,
                time.time(),
                job_id,
            ),
        )
        if cur.rowcount == 1:
            where = f"{executor} job {external_id}" if external_id else f"pid {pid}"
            record(conn, job_id, where)


def handed_over(
    conn: sqlite3.Connection,
    job_id: str,
    *,
    pid: int,
    log_path: str,
    token_hash: str | None,
    executor: str,
    external_id: str | None,
    node: str | None,
) -> bool:
    """A starting job's engine id and log, recorded; it stays ``starting`` (False: not starting).

    Its ``pid`` is the executor's stand-in for the engine's id (the key of a watched job).
    """
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET pid = ?, pid_create_time = NULL, log_path = ?, "
            "token_hash = COALESCE(?, token_hash), executor = ?, external_id = ?, "
            "node = COALESCE(?, node) WHERE id = ? AND status = 'starting'",
            (pid, log_path, token_hash, executor, external_id, node, job_id),
        )
        if cur.rowcount == 1:
            record(conn, job_id, f"handed to {executor} as job {external_id}")
    return cur.rowcount == 1


def engine_running(conn: sqlite3.Connection, job_id: str, node: str | None, reason: str) -> bool:
    """starting → running: the engine runs the job now (False: it is not starting)."""
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET status = 'running', started_at = ?, node = COALESCE(?, node) "
            "WHERE id = ? AND status = 'starting' AND pid IS NOT NULL",
            (time.time(), node, job_id),
        )
        if cur.rowcount == 1:
            record(conn, job_id, f"{reason} on {node}" if node else reason)
    return cur.rowcount == 1


def finish(
    conn: sqlite3.Connection,
    job_id: str,
    status: JobStatus,
    exit_code: int | None = None,
    error: str | None = None,
    only_from: frozenset[JobStatus] = ACTIVE,
    reason: str | None = None,
) -> bool:
    """Move a job to a terminal status (from ``only_from``); False if it was not there.

    The history row says ``reason``, else ``error``.
    """
    assert status in TERMINAL
    marks = ",".join("?" * len(only_from))
    with transaction(conn):
        cur = conn.execute(
            f"UPDATE jobs SET status = ?, exit_code = ?, error = ?, ended_at = ? "
            f"WHERE id = ? AND status IN ({marks})",
            (status.value, exit_code, error, time.time(), job_id, *[s.value for s in only_from]),
        )
        if cur.rowcount == 1:
            record(conn, job_id, reason or error)
    return cur.rowcount == 1


def requeue(
    conn: sqlite3.Connection,
    job_id: str,
    reason: str,
    *,
    from_statuses: frozenset[JobStatus],
    retry: bool = False,
) -> bool:
    """Put a job back on the queue with the same id for its next attempt.

    ``attempt`` + 1 (and ``retries`` + 1 when ``retry``: a failure spent one
    of ``max_retries``; a preemption does not), no GPUs, no process,
    ``queued_at`` now (a reservation ages from it), ``reason`` as its error
    and in its history. False (and nothing changed) if the job is not in
    one of ``from_statuses``.
    """
    marks = ",".join("?" * len(from_statuses))
    with transaction(conn):
        cur = conn.execute(
            "UPDATE jobs SET status = 'queued', attempt = attempt + 1, retries = retries + ?, "
            "gpus = '[]', pid = NULL, pid_create_time = NULL, exit_code = NULL, "
            "started_at = NULL, ended_at = NULL, token_hash = NULL, "
            f"queued_at = ?, error = ? WHERE id = ? AND status IN ({marks})",
            (int(retry), time.time(), reason, job_id, *[s.value for s in from_statuses]),
        )
        if cur.rowcount == 1:
            record(conn, job_id, reason)
    return cur.rowcount == 1


def retries_used(conn: sqlite3.Connection, job_id: str) -> int:
    """How many of its ``max_retries`` the job has spent."""
    row = conn.execute("SELECT retries FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return 0 if row is None else int(row[0])


def update_queued(
    conn: sqlite3.Connection, job_id: str, priority: int | None = None, name: str | None = None
) -> bool:
    """Change a queued job's priority and / or name; False if it is not queued (any more)."""
    with transaction(conn):
        row = conn.execute(
            "SELECT priority, name FROM jobs WHERE id = ? AND status = 'queued'", (job_id,)
        ).fetchone()
        if row is None:
            return False
        changes = []
        if priority is not None and priority != row["priority"]:
            changes.append(f"priority {row['priority']} → {priority}")
        if name is not None and name != row["name"]:
            changes.append(f"renamed {row['name']!r} → {name!r}")
        conn.execute(
            "UPDATE jobs SET priority = COALESCE(?, priority), name = COALESCE(?, name) "
            "WHERE id = ?",
            (priority, name, job_id),
        )
        if changes:
            record(conn, job_id, "; ".join(changes))
    return True


def set_error(conn: sqlite3.Connection, job_id: str, error: str) -> None:
    """Record a problem on a job without changing its status."""
    with transaction(conn):
        conn.execute("UPDATE jobs SET error = ? WHERE id = ?", (error, job_id))


def delete(conn: sqlite3.Connection, job_ids: Iterable[str]) -> int:
    """Delete terminal jobs by id; returns how many went.

    A deleted job that ended ``done`` no longer gates the queued jobs that
    depend on it (it is struck from their ``depends_on``, they may start);
    one that ended otherwise stays listed, and the planner reads a missing
    dependency as one that will never be done.
    """
    ids = list(job_ids)
    if not ids:
        return 0
    deleted = 0
    with transaction(conn):
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            done = {
                r[0]
                for r in conn.execute(
                    f"SELECT id FROM jobs WHERE id IN ({marks}) AND status = 'done'", chunk
                )
            }
            if done:
                _strike_dependencies(conn, done)
            cur = conn.execute(
                f"DELETE FROM jobs WHERE id IN ({marks}) AND status IN ({_TERMINAL_SQL})", chunk
            )
            deleted += cur.rowcount
    return deleted


def _strike_dependencies(conn: sqlite3.Connection, done: set[str]) -> None:
    rows = conn.execute(
        "SELECT id, depends_on FROM jobs WHERE status = 'queued' AND depends_on != '[]'"
    ).fetchall()
    for row in rows:
        deps = json.loads(row["depends_on"])
        kept = [d for d in deps if d not in done]
        if len(kept) != len(deps):
            conn.execute(
                "UPDATE jobs SET depends_on = ? WHERE id = ?", (json.dumps(kept), row["id"])
            )


def terminal_ids(conn: sqlite3.Connection, owner: str | None = None) -> list[str]:
    """Ids of every job in a terminal status (only ``owner``'s when given)."""
    sql = f"SELECT id FROM jobs WHERE status IN ({_TERMINAL_SQL})"
    if owner is None:
        return [r[0] for r in conn.execute(sql)]
    return [r[0] for r in conn.execute(sql + " AND owner = ?", (owner,))]


def set_owner(conn: sqlite3.Connection, job_id: str, owner: str) -> None:
    """Record who a job belongs to (a job created outside the queue: an external trainer)."""
    with transaction(conn):
        conn.execute("UPDATE jobs SET owner = ? WHERE id = ?", (owner, job_id))


def queued_count(conn: sqlite3.Connection, owner: str) -> int:
    """How many jobs ``owner`` has queued."""
    row = conn.execute(
        "SELECT COUNT(*) FROM jobs WHERE status = 'queued' AND owner = ?", (owner,)
    ).fetchone()
    return int(row[0])


def all_ids(conn: sqlite3.Connection) -> set[str]:
    """Every job id known (for log garbage collection)."""
    return {r[0] for r in conn.execute("SELECT id FROM jobs")}


def token_hash(conn: sqlite3.Connection, job_id: str) -> str | None:
    """The stored hash of a job's callback token."""
    row = conn.execute("SELECT token_hash FROM jobs WHERE id = ?", (job_id,)).fetchone()
    return None if row is None or row[0] is None else str(row[0])


def history(conn: sqlite3.Connection, job_id: str) -> JobHistory:
    """Every recorded step of a job, oldest first (none for an unknown job)."""
    return read_history(conn, job_id)
