"""A job's metrics as CSV, in pages: a million points never sit in memory at once.

The format is long, ``step,key,value``, one line per point, in the order of
the primary key (each key's points by step, keys by name): each page is one
index range read, with keyset paging (``step > last``) rather than OFFSET.
A wide table (one column per key) would need every key's series joined on
step before the first line could be written; the long form streams, loads
into pandas with ``pivot`` when wide is wanted, and keeps steps that only
some keys reported. A missing value (NaN / inf reported) is an empty cell.
"""

from __future__ import annotations

import csv
import io
import sqlite3

HEADER = "step,key,value\r\n"
PAGE = 50_000


def page(
    conn: sqlite3.Connection, job_id: str, name: str, after: int | None, limit: int = PAGE
) -> list[tuple[int, float | None]]:
    """Up to ``limit`` points of one series after step ``after`` (None: from the start)."""
    return [
        (int(s), v)
        for s, v in conn.execute(
            "SELECT step, value FROM metrics WHERE job_id = ? AND name = ? AND step > ? "
            "ORDER BY step LIMIT ?",
            (job_id, name, -(2**63) if after is None else after, limit),
        )
    ]


def lines(name: str, points: list[tuple[int, float | None]]) -> str:
    """CSV lines for ``points`` of series ``name``."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerows((step, name, "" if v is None else repr(v)) for step, v in points)
    return buf.getvalue()
