"""Enqueue options shared by the CLI and the ``%forgather enqueue`` magic.

Both parse with argparse (the magic through IPython's ``MagicArgumentParser``),
so the flags, their checks and their messages are the same everywhere.
"""

from __future__ import annotations

import argparse
from typing import Any

import yaml


def nonneg_int(text: str) -> int:
    """An argparse type: an integer >= 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {value}")
    return value


def add_enqueue_arguments(p: argparse.ArgumentParser, command: bool = True) -> None:
    """``--gpus --priority --name --type --project --config --arg --cwd --env [-- COMMAND...]``."""
    p.add_argument(
        "--gpus",
        type=nonneg_int,
        default=None,
        help="GPUs the job needs (default: what the config declares; 0 for a command)",
    )
    p.add_argument("--priority", type=int, default=0, help="higher runs first (default 0)")
    p.add_argument("--name", help="a name to show in lists")
    p.add_argument(
        "--type",
        dest="job_type",
        help="job type: training, eval, command (for a config: what the server says it is)",
    )
    p.add_argument("--project", help="project directory (absolute, or under the server root)")
    p.add_argument("--config", help="config name in the project, e.g. train.yaml")
    p.add_argument(
        "--arg",
        action="append",
        default=[],
        metavar="K=V",
        help="a dynamic arg of the config (repeatable); V is read as YAML: 3, 0.1, true, text",
    )
    p.add_argument("--cwd", help="working directory of a command job")
    p.add_argument(
        "--env", action="append", default=[], metavar="K=V", help="environment of a command job"
    )
    if command:
        p.add_argument(
            "command", nargs=argparse.REMAINDER, help="-- then the command and its arguments"
        )


def assignments(items: list[str], what: str, typed: bool) -> dict[str, Any]:
    """``["a=1", "b=x"]`` as a dict; values read as YAML scalars when ``typed``."""
    out: dict[str, Any] = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise ValueError(f"{what} {item!r} is not KEY=VALUE")
        if typed:
            try:
                parsed = yaml.safe_load(value) if value.strip() else ""
            except yaml.YAMLError:
                parsed = value
            out[key.strip()] = parsed if isinstance(parsed, (int, float, bool, str)) else value
        else:
            out[key.strip()] = value
    return out


def enqueue_kwargs(ns: argparse.Namespace, command: list[str] | None = None) -> dict[str, Any]:
    """The keyword arguments of ``Client.enqueue`` from parsed options; ValueError if they clash."""
    argv = list(command if command is not None else getattr(ns, "command", None) or [])
    if argv and argv[0] == "--":
        argv = argv[1:]
    common: dict[str, Any] = {
        "gpus": ns.gpus,
        "priority": ns.priority,
        "name": ns.name,
        "job_type": ns.job_type,
    }
    if argv:
        if ns.project or ns.config or ns.arg:
            raise ValueError("give either -- COMMAND or --project/--config/--arg, not both")
        return {
            "command": argv,
            "cwd": ns.cwd,
            "env": assignments(ns.env, "--env", typed=False) or None,
            **common,
        }
    if not (ns.project and ns.config):
        raise ValueError("say what to run: --project DIR --config C, or -- COMMAND ...")
    if ns.cwd or ns.env:
        raise ValueError("--cwd and --env apply to command jobs only")
    return {
        "project_dir": ns.project,
        "config": ns.config,
        "dynamic_args": assignments(ns.arg, "--arg", typed=True),
        **common,
    }
