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

Started outside the queue (a Lab terminal, a notebook), a trainer finds the
server as the client does and registers itself as an ``external`` job
(``ExternalReporter``), then reports the same way. Over 600 lines because
this one module is all a training environment needs: it may import nothing
of forgather_lab, so discovery is repeated here in the standard library.
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
        parsed = urllib.parse.urlsplit(url)
        self._https = parsed.scheme == "https"
        self._netloc = parsed.netloc
        self._api = parsed.path.rstrip("/") + "/forgather/api"
        self._aim(job_id, token)
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

    def _aim(self, job_id: str, token: str) -> None:
        """Report for ``job_id`` with its callback ``token`` from now on."""
        self._path = f"{self._api}/jobs/{urllib.parse.quote(job_id)}/callback"
        self._headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.job_id = job_id

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
        # The time it happened, for the wall-time axis (the server's receive time
        # would put a whole send batch on one instant).
        buf.append(("progress", step, max_steps, metrics, time.time()))
        return self._take() if self._pending else []

    def commands(self) -> list[str]:
        return self._take() if self._pending else []

    def checkpoint(self, path: str, step: int | None = None) -> None:
        self._add(("checkpoint", step, str(path), time.time()))

    def stage(self, name: str) -> None:
        self._add(("stage", str(name)))

    def eval_result(self, step: int | None = None, **metrics: Any) -> None:
        self._add(("eval", step, metrics, time.time()))

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

    def _post(
        self, body: bytes, path: str | None = None, headers: Mapping[str, str] | None = None
    ) -> tuple[int, Any]:
        if self._conn is None:
            cls = http.client.HTTPSConnection if self._https else http.client.HTTPConnection
            self._conn = cls(self._netloc, timeout=self._timeout)
        self._conn.request("POST", path or self._path, body, headers or self._headers)
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
                "time": record[4],
            }
        if kind == "eval":
            return {"kind": "eval", "step": _step(record[1]), "metrics": _metrics(record[2]),
                    "time": record[3]}  # fmt: skip
        if kind == "checkpoint":
            return {"kind": "checkpoint", "step": _step(record[1]), "path": record[2],
                    "time": record[3]}  # fmt: skip
        if kind == "stage":
            return {"kind": "stage", "name": record[1][:200]}
    except (TypeError, ValueError, OverflowError):
        pass
    return None


class ExternalReporter(Reporter):
    """A trainer started outside the queue: registers with the server, then reports.

    Registration happens in the sender thread (``connect()`` returns at once
    and the loop never waits): ``POST /jobs/external`` with the Jupyter
    token discovery found, which answers a job id and a callback token;
    from then on it is a job's reporter like any other. Closing it tells the
    server how the trainer ended: ``done``, or ``failed`` / ``aborted`` when
    it closes because of an unhandled exception or Ctrl-C.
    """

    def __init__(
        self,
        url: str,
        jupyter_token: str | None,
        name: str | None = None,
        interval: float = 0.5,
        max_buffer: int = 10_000,
        timeout: float = 5.0,
    ) -> None:
        self.job_id = None
        self._auth = {"Content-Type": "application/json"}
        if jupyter_token:
            self._auth["Authorization"] = f"token {jupyter_token}"
        self._name = name
        self._ending: tuple[str, str | None] = ("done", None)
        super().__init__("", url, "", interval, max_buffer, timeout)

    def _aim(self, job_id: str, token: str) -> None:
        if job_id:  # "" from the constructor: not registered yet
            super()._aim(job_id, token)

    def close(self, timeout: float = 5.0) -> None:
        self.close_with(None, timeout)

    def close_with(self, exc: BaseException | None, timeout: float = 5.0) -> None:
        """Close, telling the server the trainer ended because of ``exc`` (None: done)."""
        if exc is not None:
            self._ending = _ending_of(exc)
        super().close(timeout)

    def _at_exit(self) -> None:
        exc = None
        if "IPython" in sys.modules:  # IPython keeps every cell's error in sys.last_value
            self._ending = ("aborted", "the kernel shut down with the reporter open")
        elif _unhandled:  # the script ended by an exception (Ctrl-C included)
            exc = _unhandled[-1]
        self.close_with(exc, 2.0)

    def __exit__(self, *exc: object) -> None:
        self.close_with(exc[1] if isinstance(exc[1], BaseException) else None)

    def _exchange(self, final: bool = False) -> bool:
        if self.job_id is None and not self._disabled and not self._register():
            return False
        ok = super()._exchange(final)
        if final and ok and not self._disabled:
            self._end()
        return ok

    def _register(self) -> bool:
        body = {
            "pid": os.getpid(),
            "name": self._name,
            "cuda_visible_devices": os.environ.get("CUDA_VISIBLE_DEVICES"),
            "python": sys.version.split()[0],
        }
        try:
            status, reply = self._post(
                json.dumps(body).encode(), self._api + "/jobs/external", self._auth
            )
        except (OSError, http.client.HTTPException) as e:
            self._close_connection()
            if not self._failing:
                log.warning(
                    "forgather reporter: cannot register with %s (%s); buffering", self._netloc, e
                )
            self._failing = True
            return False
        job, token = (reply.get("job"), reply.get("token")) if isinstance(reply, dict) else ({}, "")
        if status != 201 or not isinstance(job, dict) or not job.get("id") or not token:
            message = reply.get("message") if isinstance(reply, dict) else None
            log.warning(
                "forgather reporter: the server refused to register this trainer "
                "(HTTP %d: %s); reporting stops",
                status,
                message,
            )
            self._disabled = True
            return False
        self._aim(str(job["id"]), str(token))
        log.info("forgather reporter: registered as job %s at %s", self.job_id, self._netloc)
        return True

    def _end(self) -> None:
        outcome, error = self._ending
        body = json.dumps({"outcome": outcome, "error": error and error[:2000]}).encode()
        path = f"{self._api}/jobs/external/{urllib.parse.quote(str(self.job_id))}/end"
        try:
            self._post(body, path)
        except (OSError, http.client.HTTPException):
            log.debug("forgather reporter: could not say how job %s ended", self.job_id)


_unhandled: list[BaseException] = []


def _catch_unhandled() -> None:
    """Remember the exception that ends the script (atexit runs after sys.excepthook)."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], value: BaseException, tb: Any) -> None:
        _unhandled.append(value)
        previous(kind, value, tb)

    if not getattr(previous, "_forgather", False):
        hook._forgather = True  # type: ignore[attr-defined]  # marks ours: installed once
        sys.excepthook = hook


def _ending_of(exc: BaseException) -> tuple[str, str | None]:
    if isinstance(exc, KeyboardInterrupt):
        return "aborted", "interrupted (KeyboardInterrupt)"
    if isinstance(exc, SystemExit) and exc.code in (None, 0):
        return "done", None
    return "failed", f"{type(exc).__name__}: {exc}"


# -- finding the server from outside a job (stdlib only: no jupyter_core here) --


def _runtime_dir(env: Mapping[str, str]) -> str:
    """Jupyter's runtime directory, as jupyter_core computes it (without importing it)."""
    if env.get("JUPYTER_RUNTIME_DIR"):
        return env["JUPYTER_RUNTIME_DIR"]
    if env.get("JUPYTER_DATA_DIR"):
        data = env["JUPYTER_DATA_DIR"]
    elif sys.platform == "darwin":
        data = os.path.expanduser("~/Library/Jupyter")
    elif os.name == "nt":
        data = os.path.join(env.get("APPDATA") or os.path.expanduser("~"), "jupyter")
    else:
        xdg = env.get("XDG_DATA_HOME") or os.path.expanduser("~/.local/share")
        data = os.path.join(xdg, "jupyter")
    return os.path.join(data, "runtime")


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _servers(env: Mapping[str, str]) -> list[dict[str, Any]]:
    """The live Jupyter servers of this user, newest first."""
    directory = _runtime_dir(env)
    try:
        names = [n for n in os.listdir(directory) if n.startswith("jpserver-")]
    except OSError:
        return []
    found = []
    for name in names:
        path = os.path.join(directory, name)
        if not name.endswith(".json"):
            continue
        try:
            with open(path) as f:
                info = json.load(f)
            info["_mtime"] = os.stat(path).st_mtime
        except (OSError, ValueError, TypeError):
            continue  # half-written or gone
        if isinstance(info, dict) and info.get("url") and _alive(info.get("pid")):
            found.append(info)
    return sorted(found, key=lambda i: i["_mtime"], reverse=True)


def _ancestors() -> set[int]:
    """This process's parent, grandparent, ... (from /proc where there is one)."""
    out, pid = set(), os.getppid()
    while pid > 1 and pid not in out:
        out.add(pid)
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            pid = int(stat[stat.rindex(")") + 2 :].split()[1])
        except (OSError, ValueError, IndexError):
            break
    return out


def discover(env: Mapping[str, str], anywhere: bool) -> tuple[str, str | None] | None:
    """``(url, token)`` of the server to register with, or None.

    ``anywhere`` false: only a Jupyter server this process runs under (a Lab
    terminal, a notebook kernel). True: as ``forgather_lab.Client()`` finds
    one: ``FORGATHER_LAB_URL`` / ``FORGATHER_LAB_TOKEN``, JupyterHub's
    single-user environment, then the runtime directory's servers (the one
    whose root_dir holds the working directory, else the newest).
    """
    servers = _servers(env)
    ancestors = _ancestors()
    for info in servers:
        if info.get("pid") in ancestors:
            return str(info["url"]), info.get("token") or None
    if not anywhere:
        return None
    if env.get(ENV_URL):
        return env[ENV_URL], env.get("FORGATHER_LAB_TOKEN") or None
    if env.get("JUPYTERHUB_SERVICE_URL") and env.get("JUPYTERHUB_API_TOKEN"):
        return env["JUPYTERHUB_SERVICE_URL"], env["JUPYTERHUB_API_TOKEN"]
    cwd = os.path.realpath(os.getcwd())
    roots = [
        s
        for s in servers
        if s.get("root_dir")
        and _within(cwd, os.path.realpath(os.path.expanduser(str(s["root_dir"]))))
    ]
    best = max(roots, key=lambda s: len(str(s["root_dir"]))) if roots else None
    best = best or (servers[0] if servers else None)
    return (str(best["url"]), best.get("token") or None) if best else None


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


_shared: NullReporter | None = None
_lock = threading.Lock()


def connect(
    *,
    interval: float = 0.5,
    max_buffer: int = 10_000,
    timeout: float = 5.0,
    env: Mapping[str, str] | None = None,
    register: bool | None = None,
    name: str | None = None,
) -> NullReporter:
    """The reporter of this job (shared by every caller in the process).

    Outside a forgather-lab job (no ``FORGATHER_LAB_*`` job environment) the
    trainer registers itself with a Jupyter server as an ``external`` job
    (``name`` names it; default: the script's name) when ``register`` is
    true (or ``FORGATHER_LAB_REGISTER=1``), the server found as the client
    finds it; when ``register`` is None (the default) it does so only
    under a Jupyter server of its own (started from a Lab terminal or a
    notebook kernel). Otherwise, on a rank other than 0, or when the token
    file cannot be read, this returns a ``NullReporter`` so the same script
    runs anywhere.
    """
    global _shared
    with _lock:
        if _shared is not None and env is None and not _spent(_shared):
            return _shared
        e = os.environ if env is None else env
        job_id, url, token_file = e.get(ENV_JOB_ID), e.get(ENV_URL), e.get(ENV_TOKEN_FILE)
        reporter: NullReporter = NullReporter()
        rank0 = e.get("RANK", "0") in ("", "0")
        if not (job_id and token_file) and rank0:
            reporter = _external(e, env is None, register, name, interval, max_buffer, timeout)
        elif job_id and url and token_file and rank0:
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


def _spent(reporter: NullReporter) -> bool:
    """A closed external reporter: a notebook that connects again registers again."""
    return isinstance(reporter, ExternalReporter) and reporter._stop.is_set()


def _external(
    env: Mapping[str, str],
    own_env: bool,
    register: bool | None,
    name: str | None,
    interval: float,
    max_buffer: int,
    timeout: float,
) -> NullReporter:
    """The reporter of a trainer started outside the queue, or the NullReporter."""
    if register is None:
        flag = env.get("FORGATHER_LAB_REGISTER", "").strip().lower()
        register = True if flag in ("1", "true", "yes") else None
        if flag in ("0", "false", "no") or (register is None and not own_env):
            return NullReporter()  # an explicit env (a test, an embedding) opts in by argument
    found = discover(env, anywhere=bool(register))
    if found is None:
        if register:
            log.warning("forgather reporter: no Jupyter server found to register with; disabled")
        return NullReporter()
    url, token = found
    reporter = ExternalReporter(url, token, name, interval, max_buffer, timeout)
    _catch_unhandled()
    atexit.register(reporter._at_exit)
    return reporter


__all__ = ["COMMANDS", "ExternalReporter", "NullReporter", "Reporter", "connect", "discover"]
