"""``enqueue NB.ipynb -p NAME VALUE ...``: the notebook form of enqueue, for the CLI and the magic.

``enqueue`` takes ``-- COMMAND ...`` as its remaining words; when the first
of them is an ``.ipynb`` they are a notebook job instead, read here with
papermill's flags (``-p`` / ``--parameters NAME VALUE`` with papermill's type
inference, ``-r`` / ``--parameters_raw`` for a string as written). The
placement flags may come after the notebook too. A notebook found on this
machine is sent as an absolute path (the server takes one inside its root);
otherwise as given, relative to the server's root_dir.
"""

from __future__ import annotations

import argparse
import math
import os
from typing import Any

from ._args import nonneg_int

NOTEBOOK_FLAGS = "NB.ipynb [-p NAME VALUE ...] [-r NAME TEXT ...] [-o OUT.ipynb] [--kernel K]"


def is_notebook(words: list[str] | None) -> bool:
    """Whether enqueue's remaining words name a notebook (not ``-- COMMAND``)."""
    return bool(words) and words[0] != "--" and words[0].endswith(".ipynb")  # type: ignore[index]


def resolve_value(text: str) -> Any:
    """papermill's ``-p`` value: True / False / None, an int, a float, else the text."""
    if text in ("True", "False"):
        return text == "True"
    if text == "None":
        return None
    try:
        return int(text)
    except ValueError:
        pass
    try:
        value = float(text)
    except ValueError:
        return text
    return value if math.isfinite(value) else text  # JSON has no inf / nan


class _Parser(argparse.ArgumentParser):
    """Mistakes are a ValueError (one line from the CLI and the magic), not an exit."""

    def error(self, message: str) -> Any:
        raise ValueError(f"{message} (usage: enqueue {NOTEBOOK_FLAGS})")


def _parser() -> argparse.ArgumentParser:
    # SUPPRESS: a placement flag given before the notebook is kept unless repeated after it.
    p = _Parser(prog="enqueue NB.ipynb", add_help=False, allow_abbrev=False)
    p.add_argument("notebook")
    p.add_argument("-p", "--parameters", nargs=2, action="append", default=[], dest="params")
    p.add_argument("-r", "--parameters_raw", nargs=2, action="append", default=[], dest="raw")
    p.add_argument("-o", "--output")
    p.add_argument("--kernel")
    p.add_argument("--cell-timeout", type=float)
    p.add_argument("--gpus", type=nonneg_int, default=argparse.SUPPRESS)
    p.add_argument("--priority", type=int, default=argparse.SUPPRESS)
    p.add_argument("--name", default=argparse.SUPPRESS)
    return p


def _local(path: str) -> str:
    """Absolute when it exists here (the CLI or kernel runs where the server does)."""
    expanded = os.path.expanduser(path)
    return os.path.abspath(expanded) if os.path.exists(expanded) else path


def _local_output(path: str) -> str:
    expanded = os.path.expanduser(path)
    parent = os.path.dirname(os.path.abspath(expanded))
    return os.path.abspath(expanded) if os.path.isdir(parent) else path


def notebook_kwargs(ns: argparse.Namespace) -> dict[str, Any]:
    """``Client.enqueue_notebook``'s keyword arguments from parsed enqueue options."""
    if (
        ns.project
        or ns.config
        or ns.arg
        or ns.cwd
        or ns.env
        or ns.job_type not in (None, "notebook")
    ):
        raise ValueError("a notebook job takes no --project, --config, --arg, --cwd, --env, --type")
    nb = _parser().parse_args(ns.command)
    parameters: dict[str, Any] = {name: resolve_value(value) for name, value in nb.params}
    parameters.update({name: value for name, value in nb.raw})
    return {
        "notebook": _local(nb.notebook),
        "parameters": parameters,
        "output": _local_output(nb.output) if nb.output else None,
        "kernel_name": nb.kernel,
        "cell_timeout": nb.cell_timeout,
        "gpus": getattr(nb, "gpus", ns.gpus),
        "priority": getattr(nb, "priority", ns.priority),
        "name": getattr(nb, "name", ns.name) or os.path.basename(nb.notebook),
    }
