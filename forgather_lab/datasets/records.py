"""User-added dataset servers: rows of ``dataset_servers`` and their token files.

A token is written to ``<state_dir>/dataset_servers/<id>.token`` (0600, in a
0700 directory) and never to the database, a log or an API answer; the row
keeps only ``has_token``. URLs are checked here before anything is stored:
http(s), a host, no credentials, query or fragment, no control characters,
and (with ``dataset_servers_loopback_only``) a literal loopback host.
"""

from __future__ import annotations

import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from ..errors import BadRequest
from ..proxy.inference import check_upstream_url
from ..store.db import ensure_private_dir

TOKENS_DIR = "dataset_servers"


@dataclass(frozen=True)
class UserServer:
    """A ``dataset_servers`` row."""

    id: str
    label: str
    url: str
    has_token: bool
    created_at: float


def has_control(text: str) -> bool:
    """CR, LF, NUL or any other control character (header and log injection)."""
    return any(ord(c) < 0x20 or ord(c) == 0x7F for c in text)


def check_url(raw: str, loopback_only: bool) -> str:
    """The normalised base URL (no trailing slash); 400 / 403 say why it is refused."""
    if has_control(raw):
        raise BadRequest("url: a URL cannot contain CR, LF or other control characters")
    checked = check_upstream_url(
        raw.strip(),
        "url",
        loopback_only=loopback_only,
        lock="dataset servers are locked to loopback (ForgatherLab.dataset_servers_loopback_only)",
        credentials="use auth_token",
    )
    parts = urlsplit(checked)
    # One server, one registry row, however its host was spelt.
    return urlunsplit((parts.scheme, parts.netloc.lower(), parts.path, "", ""))


def token_path(state_dir: Path, server_id: str) -> Path:
    """Where a user server's token is kept."""
    return state_dir / TOKENS_DIR / f"{server_id}.token"


def write_token(state_dir: Path, server_id: str, token: str) -> None:
    """Store a token 0600 (atomically: a reader never sees half of it)."""
    directory = ensure_private_dir(state_dir / TOKENS_DIR)
    path = token_path(state_dir, server_id)
    tmp = directory / f".{server_id}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(token)
    os.replace(tmp, path)


def read_token(path: Path) -> str | None:
    """A token file's contents, or None if it is missing or empty."""
    try:
        return path.read_text().strip() or None
    except FileNotFoundError:
        return None


def all_servers(conn: sqlite3.Connection) -> list[UserServer]:
    """Every user-added server, oldest first."""
    rows = conn.execute(
        "SELECT id, label, url, has_token, created_at FROM dataset_servers ORDER BY created_at"
    ).fetchall()
    return [UserServer(r[0], r[1], r[2], bool(r[3]), r[4]) for r in rows]


def insert(conn: sqlite3.Connection, server: UserServer) -> bool:
    """Add a row; False if the URL is registered already."""
    try:
        conn.execute(
            "INSERT INTO dataset_servers (id, label, url, has_token, created_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (server.id, server.label, server.url, int(server.has_token), server.created_at),
        )
    except sqlite3.IntegrityError:
        return False
    return True


def delete(conn: sqlite3.Connection, server_id: str) -> bool:
    """Remove a row; False if there was none."""
    return conn.execute("DELETE FROM dataset_servers WHERE id = ?", (server_id,)).rowcount > 0


def new_server(server_id: str, label: str, url: str, has_token: bool) -> UserServer:
    """A row to insert, stamped now."""
    return UserServer(server_id, label, url, has_token, time.time())
