"""``forgather-lab``: the queue, jobs and GPUs from a terminal.

Exit codes: 0 done, 1 the server said no (an HTTP error, its message printed),
2 bad arguments, 3 no server could be reached. Errors are one line on stderr.
Tables by default; ``--json`` prints the server's answer for scripts. The
global options (``--url``, ``--token``, ``--json``) go anywhere on the line,
as with git and kubectl: ``forgather-lab gpu status --json``.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from .client import Client
    from .client._tables import Table

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
PROG = "forgather-lab"
GLOBAL_DEFAULTS: dict[str, Any] = {"url": None, "token": None, "json": False}

T = TypeVar("T")


def _global_options() -> argparse.ArgumentParser:
    """The options every (sub)command accepts, before or after its own words.

    Their default is SUPPRESS so that a subcommand's parser, which argparse runs
    on a fresh namespace and copies over the top level's, leaves a value given
    earlier on the line alone; the real defaults are set once, on the top parser.
    When an option is given twice, the later one wins.
    """
    g = argparse.ArgumentParser(add_help=False)
    opts = g.add_argument_group("global options")
    opts.add_argument(
        "--url",
        default=argparse.SUPPRESS,
        help="Jupyter server URL (default: $FORGATHER_LAB_URL, then discovery)",
    )
    opts.add_argument(
        "--token",
        default=argparse.SUPPRESS,
        help="Jupyter token (default: $FORGATHER_LAB_TOKEN, then discovery)",
    )
    opts.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS,
        help="print JSON instead of tables",
    )
    return g


class _Commands:
    """``add_subparsers`` whose every parser takes the global options too."""

    def __init__(self, parser: argparse.ArgumentParser, dest: str, metavar: str) -> None:
        self._sub = parser.add_subparsers(dest=dest, required=True, metavar=metavar)
        self._globals = _global_options()

    def add(self, name: str, help: str) -> argparse.ArgumentParser:
        """A subcommand's parser."""
        return self._sub.add_parser(name, help=help, parents=[self._globals])


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree (also what ``--help`` shows)."""
    from .client._args import add_enqueue_arguments, nonneg_int

    p = argparse.ArgumentParser(
        prog=PROG, description="Forgather Lab: queue, jobs and GPUs.", parents=[_global_options()]
    )
    p.set_defaults(**GLOBAL_DEFAULTS)
    sub = _Commands(p, "group", "COMMAND")

    enq = sub.add(
        "enqueue",
        help="queue a config's job, a command, or a notebook (NB.ipynb -p NAME VALUE ...)",
    )
    add_enqueue_arguments(enq)
    from .client import _scheduling_args as sch

    sch.add_scheduling_arguments(enq)
    sweep = sub.add("sweep", help="queue one job of a config per point of a grid of args")
    add_enqueue_arguments(sweep, command=False)
    sch.add_scheduling_arguments(sweep)
    sch.add_grid_argument(sweep)
    queue = sub.add("queue", help="the queue: position and why each job waits")
    queue_sub = queue.add_subparsers(dest="action", required=False, metavar="ACTION")
    prio_q = queue_sub.add_parser(
        "priority", help="change a queued job's priority", parents=[_global_options()]
    )
    prio_q.add_argument("id")
    prio_q.add_argument("priority", type=int)
    queue_sub.add_parser(
        "top", help="move a queued job to the top", parents=[_global_options()]
    ).add_argument("id")
    sub.add("history", help="every transition of a job, with time and reason").add_argument("id")

    sched = _Commands(sub.add("sched", help="the queue and the scheduler"), "action", "ACTION")
    sched.add("status", help="enabled, queued and running counts")
    lst = sched.add("list", help="queued, running and recent jobs")
    lst.add_argument("--status", help="only these statuses (comma-separated)")
    lst.add_argument("--limit", type=nonneg_int, default=50)
    sched.add("pause", help="stop dispatching new jobs")
    sched.add("resume", help="dispatch again")
    sched.add("cancel", help="cancel a queued job (aborts a running one)").add_argument("id")
    cleanup = sched.add("cleanup", help="remove finished job records (or one)")
    cleanup.add_argument("id", nargs="?")
    sched.add("gc", help="remove log directories of jobs that no longer exist")

    job = _Commands(sub.add("job", help="one job: status, control, logs"), "action", "ACTION")
    for action, text in [
        ("status", "the job record and the trainer's status"),
        ("save", "trigger a checkpoint"),
        ("stop", "graceful stop (saves a final checkpoint)"),
        ("save-stop", "save, then stop"),
        ("abort", "stop at once, no checkpoint"),
        ("kill", "SIGTERM the job's processes"),
        ("force-kill", "SIGKILL the job's processes (needs --yes)"),
        ("tail", "follow the live log; Ctrl-C stops"),
        ("dump", "write the whole captured log to stdout"),
    ]:
        a = job.add(action, help=text)
        a.add_argument("id")
        if action == "force-kill":
            a.add_argument("--yes", action="store_true", help="really SIGKILL")

    gpu = _Commands(sub.add("gpu", help="GPU telemetry and policy"), "action", "ACTION")
    gpu.add("status", help="util, memory, temperature, power, policy, PIDs")
    gpu.add("disable", help="keep the scheduler off a GPU").add_argument("index", type=int)
    gpu.add("enable", help="let the scheduler use a GPU").add_argument("index", type=int)
    prio = gpu.add("priority", help="only jobs with priority >= N go to this GPU")
    prio.add_argument("index", type=int)
    prio.add_argument("min_priority", type=int)
    kill = gpu.add("kill", help="SIGKILL every compute process on a GPU (needs --yes)")
    kill.add_argument("index", type=int)
    kill.add_argument("--yes", action="store_true")

    from .client import _inference_args as inf

    infer = _Commands(sub.add("inference", help="inference servers and chat"), "action", "ACTION")
    inf.add_serve_arguments(infer.add("serve", help="serve a checkpoint (OpenAI API)"))
    infer.add("servers", help="running inference servers and their readiness")
    inf.add_chat_arguments(infer.add("chat", help="one chat reply"), prompt_required=True)
    # Listed for --help; main() hands its words to the service before argparse sees them.
    sub.add(
        HUB_SERVICE,
        help="run the shared pool as a JupyterHub-managed service "
        "(docs/jupyterhub.md); takes --ForgatherLab.* settings",
    )
    # Listed for --help; main() hands its words to the CA tool before argparse sees them.
    sub.add(TLS, help="the cluster's CA: tls init CA_DIR | tls issue CA_DIR --node NAME ...")
    return p


class Output:
    """Prints tables (rich) or JSON, and one-line errors."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def data(self, value: T, table: Callable[[T], Table | str] | None = None) -> None:
        """``value`` as JSON, or as the table ``table(value)`` builds (or a short line)."""
        if self.as_json or table is None:
            print(json.dumps(_plain(value), indent=2))
            return
        from rich.console import Console

        from .client._tables import Table

        rendered = table(value)
        Console(soft_wrap=False).print(rendered.rich() if isinstance(rendered, Table) else rendered)


def _plain(value: Any) -> Any:
    """JSON-ready: models as the server sends them, lists and dicts of them too."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Carry out parsed ``args``; return the exit code."""
    from .client import Client
    from .client._args import enqueue_kwargs
    from .client._notebook_args import is_notebook, notebook_kwargs

    g, a = args.group, getattr(args, "action", None)
    if g == HUB_SERVICE:  # main() runs it when it comes first; not after global options
        return _usage(f"run it as: {PROG} {HUB_SERVICE} [--ForgatherLab.x=...]")
    if g == TLS:  # main() runs it when it comes first
        return _usage(f"run it as: {PROG} {TLS} init CA_DIR | {TLS} issue CA_DIR --node NAME")
    kwargs: dict[str, Any] = {}
    notebook = g == "enqueue" and is_notebook(args.command)
    if g in {"enqueue", "sweep"}:
        from .client._scheduling_args import grid, scheduling_kwargs

        try:
            what = notebook_kwargs(args) if notebook else enqueue_kwargs(args)
            kwargs = what | scheduling_kwargs(args)
            if g == "sweep":
                kwargs["grid"] = grid(args.grid)
        except ValueError as e:
            return _usage(str(e))
    if (g, a) in {("job", "force-kill"), ("gpu", "kill")} and not args.yes:
        return _usage(f"{g} {a} sends SIGKILL; add --yes to confirm")
    if (g, a) == ("inference", "chat"):
        from .client._inference_args import check_words

        check_words(args.words)  # before looking for a server: bad words are exit 2

    client = Client(args.url, args.token)
    out = Output(args.json)
    refusal = config_job_type(client, kwargs) if g in {"enqueue", "sweep"} else None
    if refusal is not None:
        print(f"{PROG}: error: {refusal}", file=sys.stderr)
        return EXIT_REFUSED
    if g == "enqueue":
        job = client.enqueue_notebook(**kwargs) if notebook else client.enqueue(**kwargs)
        out.data(job, lambda j: f"queued {j.id} ({j.name}, {j.status})")
        return EXIT_OK
    if g == "sched":
        return _sched(client, args, out)
    if g in {"sweep", "queue", "history"}:
        return _scheduling(client, args, kwargs, out)
    if g == "job":
        return _job(client, args, out)
    if g == "inference":
        return _inference(client, args, out)
    return _gpu(client, args, out)


def config_job_type(client: Client, kwargs: dict[str, Any]) -> str | None:
    """Set the job type of a config job left to the default from what the server says the
    config is (an evaluation config queues ``eval``); the server's reason when it runs not.

    Also the ``%forgather enqueue`` magic's. A ``--type`` given, a command or a notebook
    is left alone; so is a server too old to say (it then queues training, as before).
    """
    if "project_dir" not in kwargs or kwargs.get("job_type"):
        return None
    meta = client.config_meta(kwargs["project_dir"], kwargs.get("config"))
    if meta.job_type is not None:
        kwargs["job_type"] = meta.job_type
    return meta.not_runnable


def _sched(client: Client, args: argparse.Namespace, out: Output) -> int:
    from .client._tables import jobs_table, kv_table

    a = args.action
    if a == "status":
        out.data(client.scheduler(), lambda s: kv_table(s.model_dump(), "scheduler"))
    elif a == "list":
        page = client.jobs(args.status, limit=args.limit or 50)
        out.data(page, lambda p: jobs_table(p.jobs, f"jobs ({p.total} in all)"))
    elif a in {"pause", "resume"}:
        s = client.pause() if a == "pause" else client.resume()
        out.data(s, lambda s: f"scheduler {'enabled' if s.enabled else 'paused'}")
    elif a == "cancel":
        out.data(client.cancel(args.id), lambda j: f"{j.id}: {j.status}")
    elif a == "cleanup" and args.id:
        client.delete_job(args.id)
        out.data({"removed": 1, "removed_ids": [args.id]}, lambda r: f"removed {args.id}")
    else:  # cleanup, gc
        removed = client.cleanup() if a == "cleanup" else client.gc()
        out.data(removed, lambda r: f"removed {r.removed}")
    return EXIT_OK


def _scheduling(
    client: Client, args: argparse.Namespace, kwargs: dict[str, Any], out: Output
) -> int:
    """``sweep``, ``queue [priority ID P | top ID]`` and ``history ID``."""
    from .client import _scheduling_args as sch

    g, a = args.group, getattr(args, "action", None)
    if g == "sweep":
        values = kwargs.pop("grid")
        jobs = client.sweep(sch.job_body(kwargs), values)
        out.data(jobs, sch.queued_line)
    elif g == "history":
        out.data(client.history(args.id), sch.history_table)
    elif a is None:
        out.data(client.queue(), sch.queue_table)
    else:
        priority = args.priority if a == "priority" else sch.top_priority(client.queue(), args.id)
        if priority is None:
            out.data(client.job(args.id), lambda j: f"{j.id}: already at the top")
        else:
            job = client.update_queued(args.id, priority=priority)
            out.data(job, lambda j: f"{j.id}: priority {j.priority}, position {j.position or '?'}")
    return EXIT_OK


def _gpu(client: Client, args: argparse.Namespace, out: Output) -> int:
    from .client._tables import gpus_table, kv_table

    a = args.action
    if a == "status":
        out.data(client.gpus(), gpus_table)
    elif a == "kill":
        killed = client.kill_gpu(args.index, confirmed=True)
        out.data(killed, lambda r: f"killed {len(r.killed)} of {len(r.pids)} processes")
    else:
        if a == "priority":
            policy = client.set_gpu_policy(args.index, min_priority=args.min_priority)
        else:
            policy = client.set_gpu_policy(args.index, disabled=a == "disable")
        out.data(policy, lambda p: kv_table(p.model_dump(), f"GPU {args.index}"))
    return EXIT_OK


def _job(client: Client, args: argparse.Namespace, out: Output) -> int:
    from .client import ForgatherClientError
    from .client._endpoints import is_control
    from .client._tables import kv_table

    a, job_id = args.action, args.id
    if a == "status":
        job = client.job(job_id)
        trainer: dict[str, Any]
        try:
            trainer = client.job_status(job_id).model_dump(mode="json")
        except ForgatherClientError as e:
            if e.unreachable:
                raise
            trainer = {"unavailable": e.message}
        value = {"job": job.model_dump(mode="json"), "trainer": trainer}
        out.data(value, lambda v: _status_table(v, kv_table))
    elif a == "tail":
        try:
            for chunk in client.follow_tty(job_id):
                sys.stdout.write(chunk)
                sys.stdout.flush()
        except KeyboardInterrupt:
            sys.stdout.write("\n")
    elif a == "dump":
        sys.stdout.write(client.tty(job_id, max_bytes=32 * 1024 * 1024))
    elif is_control(a):
        out.data(client.control(job_id, a), lambda r: f"{job_id}: {a} sent")
    return EXIT_OK


def _inference(client: Client, args: argparse.Namespace, out: Output) -> int:
    from .client import _inference_args as inf

    if args.action == "serve":
        job = client.serve_inference(**inf.serve_kwargs(args))
        out.data(job, lambda j: f"queued inference {j.id} ({j.name}, {j.status})")
        return EXIT_OK
    rows = [] if getattr(args, "base", None) else inf.inference_rows(client)
    if args.action == "servers":
        out.data(rows, inf.servers_table)
        return EXIT_OK
    job_id, prompt = inf.split_chat_words(args.words, {r.job_id for r in rows})
    if prompt is None:
        return _usage("say what to ask: inference chat [JOB_ID] PROMPT")
    try:
        job_id, base = (None, args.base) if args.base else inf.resolve_base(rows, job_id)
    except inf.NotReady as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_REFUSED
    messages = inf.chat_messages(prompt, args.system)
    reply = client.chat(base, messages, **inf.chat_params(client, args))
    if args.json:
        print(json.dumps({"job_id": job_id, "base": base, "reply": reply}, indent=2))
    else:
        print(reply)
    return EXIT_OK


def _status_table(value: dict[str, Any], kv_table: Callable[..., Table]) -> Table:
    rows = [(k, v) for k, v in value["job"].items() if k not in {"params"}]
    trainer = value["trainer"]
    rows += [(f"trainer.{k}", v) for k, v in trainer.items()]
    return kv_table(rows, f"job {value['job']['id']}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``forgather-lab`` console script."""
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] == [HUB_SERVICE]:
        return _hub_service(words[1:])
    if words[:1] == [TLS]:
        return _tls(words[1:])
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 with argparse's message on bad arguments
    from .client import ForgatherClientError

    try:
        return run(args)
    except ForgatherClientError as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return EXIT_UNREACHABLE if e.unreachable else EXIT_REFUSED
    except ValueError as e:
        return _usage(str(e))
    except KeyboardInterrupt:
        return 130


HUB_SERVICE = "hub-service"


def _hub_service(words: list[str]) -> int:
    """Become the Hub service (``python -m forgather_lab.hub``), keeping this pid for the Hub.

    Exec, not import: the CLI is the notebook side and never imports the server.
    """
    import os

    # S606: no shell; the argv is fixed but for the operator's own settings.
    os.execv(sys.executable, [sys.executable, "-m", "forgather_lab.hub", *words])  # noqa: S606


TLS = "tls"


def _tls(words: list[str]) -> int:
    """The cluster CA tool (``python -m forgather_lab.cluster.ca_cli``; docs/cluster.md).

    Run, not imported: it is server-side code (cryptography, the ``cluster`` extra).
    """
    import subprocess

    argv = [sys.executable, "-m", "forgather_lab.cluster.ca_cli", *words]
    return subprocess.run(argv, check=False).returncode


if __name__ == "__main__":
    sys.exit(main())
