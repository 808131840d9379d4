"""``%forgather`` and ``%%forgather``: the queue, jobs and GPUs from a notebook cell.

One ``Magics`` class; each subcommand parses with IPython's
``MagicArgumentParser`` (the enqueue flags are shared with the CLI). Tables
come back as objects with both HTML and plain-text forms, so a notebook shows
HTML and terminal IPython shows text. Every failure is a ``UsageError``: one
line, no traceback, and a "Run All" stops there.
"""

from __future__ import annotations

import os
import shlex
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import MagicArgumentParser
from pydantic import BaseModel

from .cli import config_job_type
from .client import Client, ForgatherClientError
from .client import _inference_args as inf
from .client._args import add_enqueue_arguments, enqueue_kwargs, nonneg_int
from .client._endpoints import is_control
from .client._notebook_args import is_notebook, notebook_kwargs
from .client._tables import Table, gpus_table, jobs_table, kv_table

CONTROLS = ("save", "stop", "save-stop", "abort", "kill", "force-kill", "cancel")
INFERENCE = ("serve", "servers", "chat")
COMMANDS = ("connect", "enqueue", "queue", "jobs", "status", "tail", "gpus", *INFERENCE, "compare")
USAGE = """\
%forgather enqueue [--gpus N] [--priority P] [--name X]
                   (--project DIR --config C [--arg k=v ...] | -- COMMAND ...)
%forgather enqueue NB.ipynb [-p NAME VALUE ...] [-o OUT.ipynb] [--gpus N] [--priority P]
                   (a notebook job: papermill-style parameters, a fresh kernel)
%forgather queue | jobs [--status S] [--limit N] | status ID | tail ID | gpus
%forgather save|stop|save-stop|abort|kill|force-kill|cancel ID
%forgather connect [URL] [--token T]
%forgather serve MODEL_PATH [--gpus N] [--name X] [--priority P] | servers
%forgather chat [JOB_ID] ["PROMPT"] [--system S] [--preset P] [--max-tokens N]
                   (no PROMPT: a chat widget)
%forgather compare ID ID ... [--keys loss,lr] [--max-points N] [--axis step|time] [--frame]
                   (runs' curves overlaid; --frame: a DataFrame instead)
%%forgather enqueue [options] [--var NAME]   (the cell body runs as a Python script job)"""


class EnqueuedJob(str):
    """The id of a queued job (a ``str``, so ``job = %forgather enqueue ...`` then ``$job``)."""

    description: str

    def __repr__(self) -> str:
        return self.description


def cell_dir() -> Path:
    """Where cell scripts go: a 0700 directory of this user's (XDG cache, not /tmp,
    so a queued job still finds its script after a tmp cleaner has run)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    d = cache / "forgather-lab" / "cells"
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    d.chmod(0o700)
    return d


def write_cell(body: str) -> Path:
    """Write ``body`` to a new 0600 file under ``cell_dir()``."""
    fd, name = tempfile.mkstemp(prefix="cell-", suffix=".py", dir=cell_dir())
    with os.fdopen(fd, "w") as f:  # mkstemp creates the file 0600
        f.write(body)
    return Path(name)


def _parser(name: str) -> MagicArgumentParser:
    # IPython's magic_arguments module carries no annotations.
    return MagicArgumentParser(prog=f"%forgather {name}", add_help=True)  # type: ignore[no-untyped-call]


@magics_class
class ForgatherMagics(Magics):
    """``%forgather <subcommand>``; see ``%forgather help``."""

    def __init__(self, shell: InteractiveShell | None, client: Client | None = None) -> None:
        super().__init__(shell)
        self._client = client
        # Line subcommands by name; enqueue (takes the cell) and the controls are apart.
        self._commands: dict[str, Callable[[list[str]], Any]] = {
            "connect": self._connect,
            "queue": self._queue,
            "jobs": self._jobs,
            "status": self._status,
            "tail": self._tail,
            "gpus": self._gpus,
            "serve": self._serve,
            "servers": self._servers,
            "chat": self._chat,
            "compare": self._compare,
        }

    @property
    def client(self) -> Client:
        """The client, found on first use (see ``Client`` for the discovery order)."""
        if self._client is None:
            self._client = Client()
        return self._client

    @line_cell_magic
    def forgather(self, line: str, cell: str | None = None) -> Any:
        """Control Forgather Lab from a cell. ``%forgather help`` lists the subcommands."""
        try:
            words = shlex.split(line)
        except ValueError as e:
            raise UsageError(f"forgather: {e}") from None
        if not words or words[0] in {"help", "-h", "--help"}:
            print(USAGE)
            return None
        sub, rest = words[0], words[1:]
        if sub not in CONTROLS and sub not in COMMANDS:
            raise UsageError(f"forgather: unknown subcommand {sub!r}; try %forgather help")
        if cell is not None and sub != "enqueue":
            raise UsageError("forgather: only %%forgather enqueue takes a cell body")
        try:
            if sub == "enqueue":
                return self._enqueue(rest, cell)
            if sub in CONTROLS:
                return self._control(sub, rest)
            return self._commands[sub](rest)
        except SystemExit:
            return None  # --help printed the usage
        except ForgatherClientError as e:
            raise UsageError(f"forgather: {e}") from None
        except ValueError as e:
            raise UsageError(f"forgather: {e}") from None

    # -- subcommands -------------------------------------------------------------------

    def _connect(self, args: list[str]) -> Table:
        p = _parser("connect")
        p.add_argument("url", nargs="?")
        p.add_argument("--token")
        ns = p.parse_args(args)
        self._client = Client(ns.url, ns.token)
        health = self._client.health()
        s = self._client.server
        return kv_table(
            [
                ("url", s.url),
                ("found via", s.source),
                ("status", health.status),
                ("version", health.version),
                ("gpus", f"{health.gpu_count} ({health.gpu_backend})"),
            ],
            "Forgather Lab",
        )

    def _enqueue(self, args: list[str], cell: str | None) -> EnqueuedJob:
        p = _parser("enqueue")
        add_enqueue_arguments(p)
        p.add_argument("--python", default=sys.executable, help="interpreter for a cell job")
        p.add_argument("--var", help="also store the job id in this notebook variable")
        ns = p.parse_args(args)
        command = None
        if cell is not None:
            if ns.command:
                raise ValueError("%%forgather enqueue runs the cell; give no -- COMMAND")
            if not cell.strip():
                raise ValueError("the cell is empty: nothing to run")
            command = [ns.python, "-u", str(write_cell(cell))]
            ns.cwd = ns.cwd or os.getcwd()
        if cell is None and is_notebook(ns.command):
            job = self.client.enqueue_notebook(**notebook_kwargs(ns))
        else:
            kwargs = enqueue_kwargs(ns, command)
            refusal = config_job_type(self.client, kwargs)  # an eval config queues eval
            if refusal is not None:
                raise ValueError(refusal)
            job = self.client.enqueue(**kwargs)
        out = EnqueuedJob(job.id)
        out.description = f"queued {job.id} ({job.name}, priority {job.priority}, {job.status})"
        if ns.var:
            if not ns.var.isidentifier():
                raise ValueError(f"--var {ns.var!r} is not a Python name")
            if self.shell is None:
                raise ValueError("--var needs the IPython shell these magics were loaded in")
            self.shell.user_ns[ns.var] = str(job.id)
        return out

    def _queue(self, args: list[str]) -> Table:
        _parser("queue").parse_args(args)
        return jobs_table(self.client.queue(), "queue")

    def _jobs(self, args: list[str]) -> Table:
        p = _parser("jobs")
        p.add_argument("--status", help="comma-separated statuses")
        p.add_argument("--limit", type=nonneg_int, default=20)
        ns = p.parse_args(args)
        page = self.client.jobs(ns.status, limit=ns.limit or 20)
        return jobs_table(page.jobs, f"jobs ({page.total} in all)")

    def _status(self, args: list[str]) -> Table:
        p = _parser("status")
        p.add_argument("id")
        ns = p.parse_args(args)
        job = self.client.job(ns.id)
        rows: list[tuple[str, Any]] = [
            (k, v) for k, v in job.model_dump().items() if k not in {"params", "pid_create_time"}
        ]
        if job.status in {"running", "starting"}:
            fetches: tuple[tuple[str, Callable[[str], BaseModel]], ...] = (
                ("progress", self.client.inline_progress),
                ("trainer", self.client.job_status),
            )
            for label, fetch in fetches:
                try:
                    extra = fetch(job.id)
                except ForgatherClientError as e:
                    if e.unreachable:
                        raise
                    continue  # no reporter yet (409) or an older server (404): the record is enough
                rows += [(f"{label}.{k}", v) for k, v in extra.model_dump().items()]
        return kv_table(rows, f"job {job.id}")

    def _tail(self, args: list[str]) -> None:
        p = _parser("tail")
        p.add_argument("id")
        ns = p.parse_args(args)
        try:
            for chunk in self.client.follow_tty(ns.id):
                sys.stdout.write(chunk)
                sys.stdout.flush()
        except KeyboardInterrupt:
            print("\n(stopped following; the job goes on)")

    def _control(self, action: str, args: list[str]) -> None:
        p = _parser(action)
        p.add_argument("id")
        ns = p.parse_args(args)
        if action == "cancel":
            job = self.client.cancel(ns.id)
            print(f"{job.id}: {job.status}")
        elif is_control(action):
            self.client.control(ns.id, action)
            print(f"{ns.id}: {action} sent")

    def _gpus(self, args: list[str]) -> Table:
        _parser("gpus").parse_args(args)
        return gpus_table(self.client.gpus())

    # -- inference (helpers shared with the CLI: client/_inference_args.py) --------------

    def _serve(self, args: list[str]) -> EnqueuedJob:
        p = _parser("serve")
        inf.add_serve_arguments(p)
        job = self.client.serve_inference(**inf.serve_kwargs(p.parse_args(args)))
        out = EnqueuedJob(job.id)
        out.description = f"queued inference {job.id} ({job.name}, {job.status})"
        return out

    def _servers(self, args: list[str]) -> Table:
        _parser("servers").parse_args(args)
        return inf.servers_table(inf.inference_rows(self.client))

    def _chat(self, args: list[str]) -> Any:
        p = _parser("chat")
        inf.add_chat_arguments(p, prompt_required=False)
        ns = p.parse_args(args)
        inf.check_words(ns.words)
        rows = [] if ns.base else inf.inference_rows(self.client)
        job_id, prompt = inf.split_chat_words(ns.words, {r.job_id for r in rows})
        if prompt is None:
            from .widgets import ChatWidget

            kw = {"system": ns.system or "", "preset": ns.preset or ""}
            return ChatWidget(job_id=job_id, base=ns.base, **kw)
        base = ns.base or inf.resolve_base(rows, job_id)[1]
        messages = inf.chat_messages(prompt, ns.system)
        print(self.client.chat(base, messages, **inf.chat_params(self.client, ns)))
        return None

    # -- runs ----------------------------------------------------------------------------

    def _compare(self, args: list[str]) -> Any:
        p = _parser("compare")
        p.add_argument("ids", nargs="+", help="job ids (space- or comma-separated)")
        p.add_argument("--keys", help="comma-separated metrics (default: every metric)")
        p.add_argument("--max-points", type=nonneg_int, default=1000, help="points per curve")
        p.add_argument(
            "--axis",
            choices=("step", "time"),
            default="step",
            help="x: the step, or time (wall time since each run's first point)",
        )
        p.add_argument(
            "--frame", action="store_true", help="answer client.compare() (a DataFrame) instead"
        )
        ns = p.parse_args(args)
        ids = [i.strip() for word in ns.ids for i in word.split(",") if i.strip()]
        if ns.frame:
            return self.client.compare(ids, ns.keys, ns.max_points or 1000, ns.axis)
        for job_id in dict.fromkeys(ids):
            self.client.job(job_id)  # a clear "not found" here, not a blank widget
        from .widgets import Compare

        keys = ns.keys.split(",") if ns.keys else None
        return Compare(ids, keys, max_points=ns.max_points or 1000, axis=ns.axis)


def load_ipython_extension(ipython: InteractiveShell) -> None:
    """Register ``%forgather`` (called by ``%load_ext forgather_lab``)."""
    ipython.register_magics(ForgatherMagics)
