"""``forgather-lab``: the queue, jobs and GPUs from a terminal.

Exit codes: 0 done, 1 the server said no (an HTTP error, its message printed),
2 bad arguments, 3 no server could be reached. Errors are one line on stderr.
Tables by default; ``--json`` prints the server's answer for scripts.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import Any

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
PROG = "forgather-lab"


def build_parser() -> argparse.ArgumentParser:
    """The whole command tree (also what ``--help`` shows)."""
    from .client._args import add_enqueue_arguments, nonneg_int

    p = argparse.ArgumentParser(prog=PROG, description="Forgather Lab: queue, jobs and GPUs.")
    p.add_argument("--url", help="Jupyter server URL (default: $FORGATHER_LAB_URL, then discovery)")
    p.add_argument("--token", help="Jupyter token (default: $FORGATHER_LAB_TOKEN, then discovery)")
    p.add_argument("--json", action="store_true", help="print JSON instead of tables")
    sub = p.add_subparsers(dest="group", required=True, metavar="COMMAND")

    enq = sub.add_parser("enqueue", help="queue a config's job or a command")
    add_enqueue_arguments(enq)

    sched = sub.add_parser("sched", help="the queue and the scheduler").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    sched.add_parser("status", help="enabled, queued and running counts")
    lst = sched.add_parser("list", help="queued, running and recent jobs")
    lst.add_argument("--status", help="only these statuses (comma-separated)")
    lst.add_argument("--limit", type=nonneg_int, default=50)
    sched.add_parser("pause", help="stop dispatching new jobs")
    sched.add_parser("resume", help="dispatch again")
    sched.add_parser("cancel", help="cancel a queued job (aborts a running one)").add_argument("id")
    cleanup = sched.add_parser("cleanup", help="remove finished job records (or one)")
    cleanup.add_argument("id", nargs="?")
    sched.add_parser("gc", help="remove log directories of jobs that no longer exist")

    job = sub.add_parser("job", help="one job: status, control, logs").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
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
        a = job.add_parser(action, help=text)
        a.add_argument("id")
        if action == "force-kill":
            a.add_argument("--yes", action="store_true", help="really SIGKILL")

    gpu = sub.add_parser("gpu", help="GPU telemetry and policy").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    gpu.add_parser("status", help="util, memory, temperature, power, policy, PIDs")
    gpu.add_parser("disable", help="keep the scheduler off a GPU").add_argument("index", type=int)
    gpu.add_parser("enable", help="let the scheduler use a GPU").add_argument("index", type=int)
    prio = gpu.add_parser("priority", help="only jobs with priority >= N go to this GPU")
    prio.add_argument("index", type=int)
    prio.add_argument("min_priority", type=int)
    kill = gpu.add_parser("kill", help="SIGKILL every compute process on a GPU (needs --yes)")
    kill.add_argument("index", type=int)
    kill.add_argument("--yes", action="store_true")

    from .client import _inference_args as inf

    infer = sub.add_parser("inference", help="inference servers and chat").add_subparsers(
        dest="action", required=True, metavar="ACTION"
    )
    inf.add_serve_arguments(infer.add_parser("serve", help="serve a checkpoint (OpenAI API)"))
    infer.add_parser("servers", help="running inference servers and their readiness")
    inf.add_chat_arguments(infer.add_parser("chat", help="one chat reply"), prompt_required=True)
    return p


class Output:
    """Prints tables (rich) or JSON, and one-line errors."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def data(self, value: Any, table: Callable[[Any], Any] | None = None) -> None:
        """``value`` as JSON, or as the table ``table(value)`` builds (or a short line)."""
        if self.as_json or table is None:
            print(json.dumps(_plain(value), indent=2))
            return
        from rich.console import Console

        rendered = table(value)
        Console(soft_wrap=False).print(rendered.rich() if hasattr(rendered, "rich") else rendered)


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _usage(message: str) -> int:
    print(f"{PROG}: error: {message}", file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace) -> int:
    """Carry out parsed ``args``; return the exit code."""
    from .client import Client
    from .client._args import enqueue_kwargs
    from .client._tables import gpus_table, jobs_table, kv_table

    out = Output(args.json)
    if args.group == "enqueue":
        try:
            kwargs = enqueue_kwargs(args)
        except ValueError as e:
            return _usage(str(e))
    sigkill = (args.group, getattr(args, "action", None)) in {
        ("job", "force-kill"),
        ("gpu", "kill"),
    }
    if sigkill and not args.yes:
        return _usage(f"{args.group} {args.action} sends SIGKILL; add --yes to confirm")

    if (args.group, getattr(args, "action", None)) == ("inference", "chat"):
        from .client._inference_args import check_words

        check_words(args.words)  # before looking for a server: bad words are exit 2
    client = Client(args.url, args.token)
    g, a = args.group, getattr(args, "action", None)
    if g == "enqueue":
        job = client.enqueue(**kwargs)
        out.data(job, lambda j: f"queued {j.id} ({j.name}, {j.status})")
    elif g == "sched":
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
        elif a in {"cleanup", "gc"}:
            r = client.cleanup() if a == "cleanup" else client.gc()
            out.data(r, lambda r: f"removed {r.removed}")
    elif g == "job":
        return _job(client, args, out)
    elif g == "inference":
        return _inference(client, args, out)
    elif g == "gpu":
        if a == "status":
            out.data(client.gpus(), gpus_table)
        elif a == "kill":
            r = client.kill_gpu(args.index, confirmed=True)
            out.data(r, lambda r: f"killed {len(r.killed)} of {len(r.pids)} processes")
        else:
            changes: dict[str, Any] = (
                {"min_priority": args.min_priority}
                if a == "priority"
                else {"disabled": a == "disable"}
            )
            p = client.set_gpu_policy(args.index, **changes)
            out.data(p, lambda p: kv_table(p.model_dump(), f"GPU {args.index}"))
    return EXIT_OK


def _job(client: Any, args: argparse.Namespace, out: Output) -> int:
    from .client import ForgatherClientError
    from .client._tables import kv_table

    a, job_id = args.action, args.id
    if a == "status":
        job = client.job(job_id)
        try:
            trainer: Any = client.job_status(job_id)
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
    else:
        r = client.control(job_id, a)
        out.data(r, lambda r: f"{job_id}: {a} sent")
    return EXIT_OK


def _inference(client: Any, args: argparse.Namespace, out: Output) -> int:
    from .client import _inference_args as inf

    if args.action == "serve":
        job = client.serve_inference(**inf.serve_kwargs(args))
        out.data(job, lambda j: f"queued inference {j.id} ({j.name}, {j.status})")
        return EXIT_OK
    rows = [] if getattr(args, "base", None) else inf.inference_rows(client)
    if args.action == "servers":
        out.data(rows, inf.servers_table)
        return EXIT_OK
    job_id, prompt = inf.split_chat_words(args.words, {r["job_id"] for r in rows})
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


def _status_table(value: dict[str, Any], kv_table: Any) -> Any:
    rows = [(k, v) for k, v in value["job"].items() if k not in {"params"}]
    trainer = value["trainer"] if isinstance(value["trainer"], dict) else {}
    rows += [(f"trainer.{k}", v) for k, v in trainer.items()]
    return kv_table(rows, f"job {value['job']['id']}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``forgather-lab`` console script."""
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


if __name__ == "__main__":
    sys.exit(main())
