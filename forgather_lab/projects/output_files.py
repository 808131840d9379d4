"""What a config's runs left under its ``output_dir``.

The layout (``docs/project-format.md``)::

    <output_dir>/runs/<run>/metrics.jsonl     one JSON object a line: step, loss, ...
    <output_dir>/runs/<run>/tty.log           the run's console output
    <output_dir>/checkpoints/<name>/meta.json step, world_size, saved_at (optional)
    <output_dir>/evaluations/<name>/results.json

Everything here reads; nothing writes. Malformed files are reported, not fatal.
Each reader answers the API model of its endpoint; ``lab`` maps a path to
JupyterLab's (``SearchRoots.lab_if_inside``), so the models come out complete.

A run directory is filled by whatever the training script wrote, so every
file is read with ``reads.open_inside`` against the search roots (``roots``):
a ``tty.log`` or ``metrics.jsonl`` linking outside is a 403, a ``meta.json``
or ``results.json`` linking outside reads as absent, and a ``runs/`` (or
``checkpoints/``, ``evaluations/``) directory that is a link leading outside
lists nothing. Symlinked entries inside those directories are never listed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import NotFound
from ..models.projects import (
    Checkpoint,
    DescribeRunSummary,
    DescribeRunTty,
    Evaluation,
    OutputCounts,
    Run,
)
from .paths import is_within
from .reads import is_file_inside, open_inside, read_text_or_none

RUNS, CHECKPOINTS, EVALUATIONS = "runs", "checkpoints", "evaluations"
METRICS_FILE, TTY_FILE = "metrics.jsonl", "tty.log"
TTY_TAIL_BYTES = 64 * 1024
JSON_MAX_BYTES = 2 * 1024 * 1024
_STEP_RE = re.compile(r"(\d+)$")

LabPath = Callable[[Path], "str | None"]


def _subdirs(path: Path, roots: Sequence[Path]) -> list[os.DirEntry[str]]:
    if not any(is_within(Path(os.path.realpath(path)), r) for r in roots):
        return []  # e.g. ``runs -> /somewhere/else``: not ours to list
    try:
        with os.scandir(path) as it:
            return sorted(
                (e for e in it if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")),
                key=lambda e: e.name,
            )
    except OSError:
        return []


def counts(output_dir: Path, roots: Sequence[Path]) -> OutputCounts:
    """How many runs, checkpoints and evaluations exist (cheap: one scandir each)."""
    return OutputCounts(
        runs=len(_subdirs(output_dir / RUNS, roots)),
        checkpoints=len(_subdirs(output_dir / CHECKPOINTS, roots)),
        evaluations=len(_subdirs(output_dir / EVALUATIONS, roots)),
    )


def _tree_size(path: Path) -> int:
    total = 0
    for dirpath, _dirs, files in os.walk(path):
        for f in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(dirpath, f)).st_size
    return total


def _read_json(path: Path, roots: Sequence[Path]) -> dict[str, Any] | None:
    text = read_text_or_none(path, roots, JSON_MAX_BYTES) if path.is_file() else None
    if text is None:
        return None
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def list_runs(output_dir: Path, lab: LabPath, roots: Sequence[Path]) -> list[Run]:
    """Runs, newest first."""
    out = []
    for e in _subdirs(output_dir / RUNS, roots):
        run = Path(e.path)
        out.append(
            Run(
                name=e.name,
                path=str(run),
                lab_path=lab(run),
                modified_at=e.stat().st_mtime,
                has_metrics=is_file_inside(run / METRICS_FILE, roots),
                has_tty=is_file_inside(run / TTY_FILE, roots),
            )
        )
    return sorted(out, key=lambda r: r.modified_at, reverse=True)


def list_checkpoints(output_dir: Path, lab: LabPath, roots: Sequence[Path]) -> list[Checkpoint]:
    """Checkpoints, by step."""
    out = []
    for e in _subdirs(output_dir / CHECKPOINTS, roots):
        ckpt = Path(e.path)
        meta = _read_json(ckpt / "meta.json", roots) or {}
        match = _STEP_RE.search(e.name)
        step = meta.get("step", int(match.group(1)) if match else None)
        saved_at = meta.get("saved_at", e.stat().st_mtime)
        out.append(
            Checkpoint(
                name=e.name,
                path=str(ckpt),
                lab_path=lab(ckpt),
                step=_int_or_none(step),
                size_bytes=_tree_size(ckpt),
                # A meta.json written by another tool may hold anything: show what fits.
                world_size=_int_or_none(meta.get("world_size")),
                saved_at=saved_at if isinstance(saved_at, (int, float, str)) else None,
            )
        )
    return sorted(out, key=lambda c: (c.step is None, c.step or 0, c.name))


def list_evaluations(output_dir: Path, lab: LabPath, roots: Sequence[Path]) -> list[Evaluation]:
    """Evaluations with their ``results.json`` (when readable and inside the roots)."""
    out = []
    for e in _subdirs(output_dir / EVALUATIONS, roots):
        ev = Path(e.path)
        out.append(
            Evaluation(
                name=e.name,
                path=str(ev),
                lab_path=lab(ev),
                modified_at=e.stat().st_mtime,
                results=_read_json(ev / "results.json", roots),
            )
        )
    return out


def _finite(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def run_summary(run_dir: Path, roots: Sequence[Path]) -> DescribeRunSummary:
    """Statistics from ``metrics.jsonl``: best / last loss, steps, eval loss, perplexity."""
    metrics = run_dir / METRICS_FILE
    if not metrics.is_file():
        raise NotFound(f"{metrics} does not exist")
    best: float | None = None
    last: float | None = None
    eval_loss: float | None = None
    steps: int | None = None
    max_steps: int | None = None
    points = bad = 0
    with (
        open_inside(metrics, roots, "metrics log") as raw,
        io.TextIOWrapper(raw, encoding="utf-8", errors="replace") as f,
    ):
        for line in f:
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except (ValueError, RecursionError):
                bad += 1
                continue
            if not isinstance(rec, dict):
                bad += 1
                continue
            points += 1
            if isinstance(rec.get("step"), int):
                steps = max(steps or 0, rec["step"])
            if isinstance(rec.get("max_steps"), int):
                max_steps = rec["max_steps"]
            loss = _finite(rec.get("loss"))
            if loss is not None:
                last = loss
                best = last if best is None else min(best, last)
            ev = _finite(rec.get("eval_loss"))
            if ev is not None:
                eval_loss = ev
    basis = eval_loss if eval_loss is not None else last
    return DescribeRunSummary(
        run_dir=str(run_dir),
        points=points,
        malformed_lines=bad,
        total_steps=steps,
        max_steps=max_steps,
        best_loss=best,
        last_loss=last,
        eval_loss=eval_loss,
        perplexity=math.exp(min(basis, 50.0)) if basis is not None else None,
    )


def run_tty(run_dir: Path, roots: Sequence[Path], limit: int = TTY_TAIL_BYTES) -> DescribeRunTty:
    """The last ``limit`` bytes of the run's ``tty.log``."""
    tty = run_dir / TTY_FILE
    if not tty.is_file():
        raise NotFound(f"{tty} does not exist")
    with open_inside(tty, roots, "console log") as f:
        size = os.fstat(f.fileno()).st_size
        f.seek(max(0, size - limit))
        data = f.read(limit)
    return DescribeRunTty(
        run_dir=str(run_dir),
        size_bytes=size,
        truncated=size > limit,
        text=data.decode("utf-8", errors="replace"),
    )
