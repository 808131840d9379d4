"""A notebook job: execute an .ipynb headless in a fresh kernel, cell by cell.

    python -m forgather_lab.notebook_jobs.run --notebook NB.ipynb --root DIR \
        [--parameters JSON] [--output OUT.ipynb] [--kernel NAME] [--cell-timeout S]

The parameters are injected after the cell tagged ``parameters``
(``parameters.py``), the notebook runs with nbclient in a new kernel (by
default ``python3``: ipykernel of this interpreter, so the job's environment
and its ``CUDA_VISIBLE_DEVICES``; the kernel's working directory is the
notebook's), and after each cell the executed notebook is written atomically
to ``notebook.ipynb`` in the job's directory, so the server can serve it
while the job runs. Progress (executed code cells / all of them) goes
through ``forgather_lab.reporter`` like a trainer's. A failing cell fails
the job: its traceback goes to the log, the last line says which cell and
what was raised, and the exit code is 1. The executed copy is also written to
``--output`` (``{job_id}`` in it replaced), on failure too, as papermill does.

Runs inside the job: it imports nothing of the server (contract
``job-side-no-server``), only the reporter and the shared conventions.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

from .. import reporter
from .parameters import EXECUTED_FILE, METADATA_KEY, first_line, inject, tags

SKIP_TAG = "skip-execution"  # nbclient's default skip_cells_with_tag
EXIT_FAILED = 1
EXIT_TERMINATED = 128 + signal.SIGTERM


def runnable(cell: dict[str, Any]) -> bool:
    """Whether nbclient will execute the cell (code, not blank, not tagged to skip)."""
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return cell.get("cell_type") == "code" and bool(text.strip()) and SKIP_TAG not in tags(cell)


def write_atomic(nb: Any, path: Path, mode: int | None = None) -> None:
    """Write ``nb`` as nbformat JSON to ``path`` through a rename (readers never see half)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    text = nbformat.writes(nb)  # type: ignore[no-untyped-call]  # nbformat: unannotated
    if mode is None:
        tmp.write_text(text, encoding="utf-8")
    else:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
    os.replace(tmp, path)


def output_path(raw: str | None, root: Path, job_id: str) -> Path | None:
    """Where the executed copy goes, checked again here: inside ``root``, through any link."""
    if not raw:
        return None
    path = Path(raw.replace("{job_id}", job_id))
    real = Path(os.path.realpath(path))
    if not (real == root or root in real.parents):
        raise ValueError(f"the output {path} is outside the server's root {root}")
    return real


class Run:
    """One execution: the notebook, where it is saved, and the reporter told of its progress."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.job_id = os.environ.get(reporter.ENV_JOB_ID, "standalone")
        token_file = os.environ.get(reporter.ENV_TOKEN_FILE)
        source = Path(args.notebook)
        job_dir = Path(token_file).parent if token_file else source.parent
        self.executed = job_dir / (EXECUTED_FILE if token_file else f"{source.stem}-executed.ipynb")
        self.output = output_path(args.output, Path(os.path.realpath(args.root)), self.job_id)
        parameters: dict[str, Any] = json.loads(args.parameters)
        # nbformat's read / from_dict carry no annotations.
        raw = nbformat.read(source, as_version=4)  # type: ignore[no-untyped-call]
        self.nb = nbformat.from_dict(inject(raw, parameters))  # type: ignore[no-untyped-call]
        self.total = sum(runnable(c) for c in self.nb.cells)
        self.done = 0
        self.current: int | None = None  # index in the notebook of the cell running now
        self.ordinal = 0  # that cell's number among the code cells that run
        self.meta: dict[str, Any] = {
            "job_id": self.job_id,
            "source": str(source),
            "parameters": parameters,
            "status": "running",
            "executed_cells": 0,
            "total_cells": self.total,
            "started_at": time.time(),
            "ended_at": None,
            "error": None,
        }
        self.nb.metadata[METADATA_KEY] = self.meta
        self.meta = self.nb.metadata[METADATA_KEY]  # the notebook keeps a copy (NotebookNode)
        self.rep = reporter.connect()
        self.client = NotebookClient(
            self.nb,
            timeout=int(args.cell_timeout + 0.999) if args.cell_timeout else None,
            kernel_name=args.kernel or "python3",
            resources={"metadata": {"path": str(source.parent)}},
            on_cell_execute=self._cell_started,
            on_cell_executed=self._cell_executed,
        )

    # -- nbclient's hooks (on its event loop, between cells) ---------------------------

    def _cell_started(self, cell: Any, cell_index: int) -> None:
        self.current = cell_index
        self.ordinal = self.done + 1
        self.rep.stage(f"cell {self.done + 1}/{self.total}: {first_line(cell, 120)}")

    def _cell_executed(self, cell: Any, cell_index: int, execute_reply: Any) -> None:
        self.done += 1
        self.meta["executed_cells"] = self.done
        self.save()
        self.rep.report(self.done, self.total)

    # -- saving ------------------------------------------------------------------------

    def save(self, final: bool = False) -> None:
        """The executed notebook to the job's directory (0600), and at the end to ``output``."""
        write_atomic(self.nb, self.executed, 0o600)
        if final and self.output is not None:
            write_atomic(self.nb, self.output)

    def finish(self, status: str, error: dict[str, Any] | None = None) -> None:
        self.meta.update(status=status, ended_at=time.time(), error=error)
        self.save(final=True)

    # -- the whole run -----------------------------------------------------------------

    def execute(self) -> int:
        """Run every cell; the job's exit code."""
        self.save()
        self.rep.report(0, self.total)
        self.rep.stage("starting the kernel")
        try:
            self.client.execute()
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            return self.failed(e)
        self.finish("done")
        self.rep.stage("done")
        print(f"forgather-lab: notebook ran {self.done} of {self.total} code cells", flush=True)
        return 0

    def failed(self, e: Exception) -> int:
        index = self.current
        cell = self.nb.cells[index] if index is not None else {}
        if isinstance(e, CellExecutionError):
            ename, evalue = e.ename, e.evalue
            print(e.traceback, file=sys.stderr)
        else:  # a timeout or a dead kernel: no traceback of the notebook's own
            ename, evalue = type(e).__name__, str(e).strip().splitlines()[-1] if str(e) else ""
        where = (
            f"cell {index} (code cell {self.ordinal} of {self.total}: {first_line(cell)!r})"
            if index is not None
            else "before its first cell"
        )
        error = {
            "cell_index": index,
            "code_cell": self.ordinal,
            "source": first_line(cell),
            "ename": ename,
            "evalue": evalue,
        }
        self.finish("failed", error)
        self.rep.stage(f"failed at cell {index}")
        print(f"forgather-lab: notebook failed at {where}: {ename}: {evalue}", file=sys.stderr)
        return EXIT_FAILED

    def terminated(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM (kill, a time limit): keep what ran, say so, exit."""
        self.finish("aborted", {"cell_index": self.current, "ename": "SIGTERM", "evalue": ""})
        raise SystemExit(EXIT_TERMINATED)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run a notebook as a Forgather Lab job")
    parser.add_argument("--notebook", required=True)
    parser.add_argument("--root", required=True, help="the server's root_dir (output stays in it)")
    parser.add_argument("--parameters", default="{}", help="a JSON object: name → value")
    parser.add_argument("--output")
    parser.add_argument("--kernel")
    parser.add_argument("--cell-timeout", type=float)
    args = parser.parse_args(argv)
    run = Run(args)
    signal.signal(signal.SIGTERM, run.terminated)
    try:
        return run.execute()
    finally:
        run.rep.close()


if __name__ == "__main__":
    sys.exit(main())
