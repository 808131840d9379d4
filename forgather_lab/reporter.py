"""What runs inside a training job: report progress, receive control commands.

    from forgather_lab import reporter

    rep = reporter.connect()            # a no-op reporter outside a forgather-lab job
    for step in range(1, max_steps + 1):
        loss = train_step()
        for command in rep.report(step, max_steps, loss=loss, lr=lr):
            if command in ("save", "stop", "save-stop"):
                save_checkpoint()
            if command in ("stop", "save-stop", "abort"):
                break_out = True

``report()`` appends to an in-memory buffer and returns at once; a daemon
thread posts the buffer to the server every half second and brings back the
commands queued for this job. When the server is away nothing blocks and
nothing is raised: the buffer keeps the newest ``max_buffer`` reports and
counts what it dropped. Only the standard library is used, so this imports
in milliseconds in any training environment.

Under ``torchrun`` only rank 0 reports (other ranks get the no-op reporter);
broadcast the commands to the other ranks yourself.
"""

from __future__ import annotations

import atexit
import contextlib
import http.client
import json
import logging
import math
import os
import sys
import threading
import time
import urllib.parse
from collections import deque
from collections.abc import Mapping
from typing import Any

log = logging.getLogger("forgather_lab.reporter")

ENV_JOB_ID = "FORGATHER_LAB_JOB_ID"
ENV_URL = "FORGATHER_LAB_URL"
ENV_TOKEN_FILE = "FORGATHER_LAB_TOKEN_FILE"  # noqa: S105 (a variable name, not a secret)
COMMANDS = ("save", "stop", "save-stop", "abort")
MAX_BATCH = 20_000  # records per POST; the rest go in the next one


class NullReporter:
    """The reporter outside a forgather-lab job: every call does nothing."""

    enabled = False
    job_id: str | None = None

    @property
    def dropped(self) -> int:
        """Reports dropped because the buffer was full (the server was away)."""
        return 0

    def report(self, step: int, max_steps: int | None = None, **metrics: Any) -> list[str]:
        """Record progress and metrics at ``step``; returns commands for the trainer."""
        return []

    def commands(self) -> list[str]:
        """Commands queued for the trainer since the last call (without reporting)."""
        return []

    def checkpoint(self, path: str, step: int | None = None) -> None:
        """Record that a checkpoint was written to ``path``."""

    def stage(self, name: str) -> None:
        """Record the training stage (e.g. "Preprocessing", "Training", "Validation")."""

    def eval_result(self, step: int | None = None, **metrics: Any) -> None:
        """Record evaluation metrics (stored as ``eval_<name>`` series)."""

    def flush(self, timeout: float = 5.0) -> bool:
        """Send what is buffered now; True once the server has it."""
        return True

    def close(self, timeout: float = 5.0) -> None:
        """Flush and stop the sender thread."""

    def __enter__(self) -> NullReporter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Reporter(NullReporter):
    """Buffers reports and exchanges them for commands with the server."""

    enabled = True

    def __init__(
        self,
        job_id: str,
        url: str,
        token: str,
        interval: float = 0.5,
        max_buffer: int = 10_000,
        timeout: float = 5.0,
    ) -> None:
        self.job_id = job_id
        parsed = urllib.parse.urlsplit(url)
        self._https = parsed.scheme == "https"
        self._netloc = parsed.netloc
        self._path = (
            parsed.path.rstrip("/") + f"/forgather/api/jobs/{urllib.parse.quote(job_id)}/callback"
        )
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
        }
        self._interval = interval
        self._max = max(1, max_buffer)
        self._timeout = timeout
        self._buf: deque[tuple[Any, ...]] = deque()
        self._retry: list[dict[str, Any]] = []  # a batch the server did not take yet
        self._pending: deque[tuple[int, str]] = deque()  # commands not yet handed over
        self._acks: deque[int] = deque()
        self._seen: set[int] = set()
        self._dropped_loop = 0  # counted by the training thread
        self._dropped_send = 0  # counted by the sender thread
        self._conn: http.client.HTTPConnection | None = None
        self._hello = True
        self._disabled = False
        self._failing = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._sent = threading.Condition()
        self._rounds = 0
        self._thread = threading.Thread(target=self._run, name="forgather-reporter", daemon=True)
        self._thread.start()

    # -- the training loop's side (cheap, never raises) -----------------------

    @property
    def dropped(self) -> int:
        return self._dropped_loop + self._dropped_send

    def _add(self, record: tuple[Any, ...]) -> None:
        buf = self._buf
        if len(buf) >= self._max:
            with contextlib.suppress(IndexError):  # the sender may have emptied it meanwhile
                buf.popleft()
                self._dropped_loop += 1
        buf.append(record)

    def report(self, step: int, max_steps: int | None = None, **metrics: Any) -> list[str]:
        # _add inlined: this is the one call on the training loop's hot path.
        buf = self._buf
        if len(buf) >= self._max:
            with contextlib.suppress(IndexError):
                buf.popleft()
                self._dropped_loop += 1
        buf.append(("progress", step, max_steps, metrics))
        return self._take() if self._pending else []

    def commands(self) -> list[str]:
        return self._take() if self._pending else []

    def checkpoint(self, path: str, step: int | None = None) -> None:
        self._add(("checkpoint", step, str(path), time.time()))

    def stage(self, name: str) -> None:
        self._add(("stage", str(name)))

    def eval_result(self, step: int | None = None, **metrics: Any) -> None:
        self._add(("eval", step, metrics))

    def _take(self) -> list[str]:
        out: list[str] = []
        while self._pending:
            try:
                command_id, command = self._pending.popleft()
            except IndexError:
                break
            out.append(command)
            self._acks.append(command_id)
        self._wake.set()  # acknowledge promptly
        return out

    def flush(self, timeout: float = 5.0) -> bool:
        if self._disabled or not self._thread.is_alive():
            return False
        deadline = time.monotonic() + timeout
        with self._sent:
            target = self._rounds + 2  # a whole round that started after this call
            while self._rounds < target:
                self._wake.set()
                left = deadline - time.monotonic()
                if left <= 0 or not self._sent.wait(left):
                    return False
        return not self._failing and not self._buf

    def close(self, timeout: float = 5.0) -> None:
        if self._stop.is_set():
            return
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    # -- the sender thread ----------------------------------------------------

    def _run(self) -> None:
        delay = self._interval
        while True:
            stopping = self._stop.is_set()
            try:
                ok = self._exchange(final=stopping)
            except Exception:  # never let the thread die; the loop must keep going
                log.debug("forgather reporter: unexpected error", exc_info=True)
                ok = False
            with self._sent:
                self._rounds += 1
                self._sent.notify_all()
            if stopping or self._disabled:
                break
            delay = self._interval if ok else min(10.0, delay * 2)
            self._wake.wait(delay)
            self._wake.clear()
        self._close_connection()

    def _records(self) -> list[dict[str, Any]]:
        records, self._retry = self._retry, []
        buf = self._buf
        for _ in range(min(len(buf), MAX_BATCH)):
            encoded = _encode(buf.popleft())
            if encoded is not None:
                records.append(encoded)
        return records

    def _exchange(self, final: bool = False) -> bool:
        if self._disabled:
            return False
        records = self._records()
        acks = [self._acks.popleft() for _ in range(len(self._acks))]
        body: dict[str, Any] = {"records": records, "ack": acks, "dropped": self.dropped}
        if self._hello:
            body["hello"] = {"pid": os.getpid(), "python": sys.version.split()[0]}
        if final:
            body["final"] = True
        try:
            status, reply = self._post(json.dumps(body).encode())
        except (OSError, http.client.HTTPException) as e:
            self._close_connection()
            self._keep(records, acks)
            if not self._failing:
                log.warning("forgather reporter: server unreachable (%s); buffering", e)
            self._failing = True
            return False
        if status in (401, 403, 404, 409):  # 409: the job has ended
            log.warning(
                "forgather reporter: the server refused job %s (HTTP %d); reporting stops",
                self.job_id,
                status,
            )
            self._disabled = True
            return False
        if status >= 500:
            self._keep(records, acks)
            self._failing = True
            return False
        if status >= 400:  # a batch the server cannot take: drop it, do not retry forever
            log.warning("forgather reporter: HTTP %d: %s", status, reply)
            self._dropped_send += len(records)
        self._failing = False
        self._hello = False
        for item in reply.get("commands", []) if isinstance(reply, dict) else []:
            command_id, command = item.get("id"), item.get("command")
            if command_id not in self._seen and command in COMMANDS:
                self._seen.add(command_id)
                self._pending.append((command_id, command))
        return True

    def _keep(self, records: list[dict[str, Any]], acks: list[int]) -> None:
        """Hold a batch the server did not take, newest ``max_buffer`` records only."""
        overflow = len(records) - self._max
        if overflow > 0:
            self._dropped_send += overflow
            records = records[overflow:]
        self._retry = records
        self._acks.extend(acks)

    def _post(self, body: bytes) -> tuple[int, Any]:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._netloc, timeout=self._timeout)
        self._conn.request("POST", self._path, body, self._headers)
        response = self._conn.getresponse()
        data = response.read()
        try:
            return response.status, json.loads(data) if data else {}
        except ValueError:
            return response.status, {}

    def _close_connection(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None


def _number(value: Any) -> float | None:
    try:
        f = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return f if math.isfinite(f) else None


def _metrics(metrics: Mapping[str, Any]) -> dict[str, float | None]:
    return {str(k): _number(v) for k, v in metrics.items() if not isinstance(v, (str, bytes, bool))}


def _step(value: Any) -> int | None:
    return None if value is None else max(0, int(value))


def _encode(record: tuple[Any, ...]) -> dict[str, Any] | None:
    """A buffered record as the callback's JSON (in the sender thread, never raising)."""
    try:
        kind = record[0]
        if kind == "progress":
            return {
                "kind": "progress",
                "step": _step(record[1]),
                "max_steps": _step(record[2]),
                "metrics": _metrics(record[3]),
            }
        if kind == "eval":
            return {"kind": "eval", "step": _step(record[1]), "metrics": _metrics(record[2])}
        if kind == "checkpoint":
            return {"kind": "checkpoint", "step": _step(record[1]), "path": record[2],
                    "time": record[3]}  # fmt: skip
        if kind == "stage":
            return {"kind": "stage", "name": record[1][:200]}
    except (TypeError, ValueError, OverflowError):
        pass
    return None


_shared: NullReporter | None = None
_lock = threading.Lock()


def connect(
    *,
    interval: float = 0.5,
    max_buffer: int = 10_000,
    timeout: float = 5.0,
    env: Mapping[str, str] | None = None,
) -> NullReporter:
    """The reporter of this job (shared by every caller in the process).

    Outside a forgather-lab job (no ``FORGATHER_LAB_*`` environment), on a
    rank other than 0, or when the token file cannot be read, this returns a
    ``NullReporter`` so the same script runs anywhere.
    """
    global _shared
    with _lock:
        if _shared is not None and env is None:
            return _shared
        e = os.environ if env is None else env
        job_id, url, token_file = e.get(ENV_JOB_ID), e.get(ENV_URL), e.get(ENV_TOKEN_FILE)
        reporter: NullReporter = NullReporter()
        if job_id and url and token_file and e.get("RANK", "0") in ("", "0"):
            try:
                with open(token_file) as f:
                    token = f.read().strip()
            except OSError as err:
                log.warning("forgather reporter: cannot read the job token (%s); disabled", err)
            else:
                reporter = Reporter(job_id, url, token, interval, max_buffer, timeout)
                atexit.register(reporter.close, 2.0)
        if env is None:
            _shared = reporter
        return reporter


__all__ = ["COMMANDS", "NullReporter", "Reporter", "connect"]
