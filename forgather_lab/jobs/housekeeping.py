"""Housekeeping: old job logs go on a schedule; a config job's log shows in its run.

Log TTL: every ``interval`` seconds one sweep looks at the jobs that ended
more than ``log_ttl`` seconds ago (0 = never) and replaces each one's
``output.log`` by a one-line note saying when and why it went, and removes
the job's spent token files. The job record, its history, metrics and
provenance stay: only the log text goes. Jobs that have not ended are never
looked at, so a running (or requeued) job's log is never touched.

tty.log: when a config job (training, eval: one whose params carry a
resolved ``job`` block with an ``output_dir``) starts, its log is
hard-linked to ``<output_dir>/logs/tty.log``, so the run's folder in the
project tree holds its console output, as the Forgather seed does. A hard
link is a plain file inside the search roots (the projects' path guards
read it) and keeps the text when the job's own log is collected; across
file systems a symbolic link is made instead. Nothing is written unless
the directory really lands inside the search roots (symlinks resolved
through the opened directory, not the name).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..events import Event, EventBus
from ..jobfiles import open_regular
from ..projects.paths import check_creatable, is_within
from ..store import Database
from ..tasks import TaskSet
from .model import TERMINAL

log = logging.getLogger("forgather_lab.jobs")

TTY_DIR, TTY_FILE = "logs", "tty.log"
NOTE_PREFIX = b"[forgather-lab] this job's log was removed"
_SPENT = ("token", "inference_token")  # callback / upstream tokens of an ended job
_TERMINAL_SQL = ",".join(f"'{s.value}'" for s in TERMINAL)


class Housekeeping:
    """The log TTL sweep and the tty.log links (one sweeper task, one bus listener)."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        job_dir: Callable[[str], Path],
        roots: Callable[[], list[Path]],
        *,
        log_ttl: float,
        interval: float,
    ) -> None:
        self.db = db
        self.bus = bus
        self.job_dir = job_dir
        self.roots = roots
        self.log_ttl = log_ttl
        self.interval = interval
        self._task: asyncio.Task[None] | None = None
        self._unlisten: Callable[[], None] | None = None
        self._links = TaskSet("forgather tty links")

    def start(self) -> None:
        """Link config jobs' logs from now on and sweep every ``interval`` (on the loop)."""
        if self._unlisten is None:
            self._unlisten = self.bus.listen(self._on_event)
        if self._task is None and self.log_ttl > 0:
            self._task = asyncio.create_task(self._run(), name="forgather-housekeeping")

    async def close(self) -> None:
        """Stop sweeping and linking."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self._links.close()

    # -- log TTL ----------------------------------------------------------------

    async def sweep(self, now: float | None = None) -> list[str]:
        """Remove the logs of jobs that ended more than ``log_ttl`` ago; their ids."""
        if self.log_ttl <= 0:
            return []
        cutoff = (time.time() if now is None else now) - self.log_ttl
        ids = await self.db.run(lambda c: _ended_before(c, cutoff))
        removed = await asyncio.to_thread(self._remove_logs, ids)
        if removed:
            log.info("housekeeping: removed the logs of %d ended job(s)", len(removed))
            self.bus.publish("job_logs_removed", job_ids=removed)
        return removed

    def _remove_logs(self, ids: list[str]) -> list[str]:
        note = (
            NOTE_PREFIX
            + f" on {time.strftime('%Y-%m-%d %H:%M:%S')} by housekeeping: the job "
            f"ended more than log_ttl={self.log_ttl:g}s ago (the record stays)\n".encode()
        )
        removed = []
        for job_id in ids:
            directory = self.job_dir(job_id)
            for name in _SPENT:
                with contextlib.suppress(FileNotFoundError):
                    (directory / name).unlink()
            path = directory / "output.log"
            try:
                if _is_note(path):
                    continue
                # Unlinked, never truncated: a hard link in the run's folder keeps the text.
                path.unlink()
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileNotFoundError:
                continue  # no log (never ran, deleted by hand)
            except OSError as e:
                log.warning("housekeeping: could not remove the log of job %s: %s", job_id, e)
                continue
            with os.fdopen(fd, "wb") as f:
                f.write(note)
            removed.append(job_id)
        return removed

    async def _run(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:  # one failed pass must not end the schedule
                log.exception("housekeeping sweep failed")
            await asyncio.sleep(self.interval)

    # -- tty.log ----------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type != "job_status_changed" or event.data.get("status") != "running":
            return
        if event.data.get("previous") == "running":
            return
        job: dict[str, Any] = event.data.get("job") or {}
        output_dir = _output_dir(job.get("params") or {})
        if output_dir is None:
            return
        job_id = str(event.data["job_id"])
        self._links.spawn(self.link_tty(job_id, output_dir), name=f"tty.log of job {job_id}")

    async def link_tty(self, job_id: str, output_dir: Path) -> Path | None:
        """Link the job's log into ``<output_dir>/logs/tty.log``; where, or None (logged)."""
        log_path = self.job_dir(job_id) / "output.log"
        try:
            return await asyncio.to_thread(link_log, log_path, output_dir, self.roots())
        except Exception as e:  # a run folder we may not write to must not fail the job
            log.warning("no tty.log for job %s in %s: %s", job_id, output_dir, e)
            return None


def link_log(log_path: Path, output_dir: Path, roots: list[Path]) -> Path:
    """Link ``log_path`` to ``<output_dir>/logs/tty.log``, replacing an older link.

    Raises ``Forbidden`` / ``BadRequest`` (the path guards) when the folder
    would land outside ``roots``, OSError when the file system refuses.
    """
    logs = output_dir / TTY_DIR
    check_creatable(logs, roots, "run log folder")
    logs.mkdir(parents=True, exist_ok=True)
    # The log exists from the start on, so the link has a file to point at
    # (the runner opens it in append mode a moment later, the same file). Its
    # directory too: a job handed to an idle runner is announced running before
    # the runner has made it (the runner accepts one already made, 0700, ours).
    with contextlib.suppress(FileExistsError):
        os.mkdir(log_path.parent, 0o700)
    os.close(open_regular(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND))
    fd = os.open(logs, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
    try:
        # Checked on the opened directory: a link swapped in after the check above is caught.
        real = Path(os.path.realpath(f"/proc/self/fd/{fd}"))
        if not any(is_within(real, r) for r in roots):
            raise PermissionError(f"{logs} resolves outside the search roots ({real})")
        tmp = f".{TTY_FILE}.{os.getpid()}.tmp"
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp, dir_fd=fd)
        try:
            os.link(log_path, tmp, dst_dir_fd=fd)
        except OSError:  # another file system (EXDEV), or hard links refused
            os.symlink(log_path, tmp, dir_fd=fd)
        os.replace(tmp, TTY_FILE, src_dir_fd=fd, dst_dir_fd=fd)
    finally:
        os.close(fd)
    return logs / TTY_FILE


def _output_dir(params: dict[str, Any]) -> Path | None:
    block = params.get("job")
    if not isinstance(block, dict) or not params.get("project_dir"):
        return None
    raw = block.get("output_dir")
    return Path(raw) if isinstance(raw, str) and raw else None


def _is_note(path: Path) -> bool:
    if path.stat().st_size > 512:
        return False
    with os.fdopen(open_regular(path), "rb") as f:
        return f.read(len(NOTE_PREFIX)) == NOTE_PREFIX


def _ended_before(conn: sqlite3.Connection, cutoff: float) -> list[str]:
    """Jobs in a terminal status that ended before ``cutoff`` (a read; no row changes)."""
    rows = conn.execute(
        f"SELECT id FROM jobs WHERE status IN ({_TERMINAL_SQL}) AND ended_at IS NOT NULL "
        "AND ended_at < ? ORDER BY seq",
        (cutoff,),
    )
    return [r[0] for r in rows]


__all__ = ["Housekeeping", "link_log"]
