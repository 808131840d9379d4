"""The example notebooks, executed headless (nbclient) against a live server.

A notebook passes when every cell runs and no cell writes an error or to
stderr: the notebooks are documentation, and documentation that errors is a bug.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import nbformat
import pytest
from conftest_server import LiveServer
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"


def run_notebook(
    name: str, server: LiveServer, workdir: Path, timeout: int = 300
) -> nbformat.NotebookNode:
    """Execute ``notebooks/<name>`` in a kernel pointed at ``server``; the executed notebook."""
    path = workdir / name
    shutil.copy(NOTEBOOKS / name, path)
    nb = nbformat.read(path, as_version=4)
    env = {**os.environ, **server.env, "XDG_CACHE_HOME": str(workdir / "cache")}
    client = NotebookClient(
        nb, timeout=timeout, kernel_name="python3", resources={"metadata": {"path": str(workdir)}}
    )
    client.execute(env=env)
    return nb


def problems(nb: nbformat.NotebookNode) -> list[str]:
    """Every error output and stderr stream, with the cell it came from."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                found.append(f"cell {i}: {out['ename']}: {out['evalue']}")
            elif out["output_type"] == "stream" and out["name"] == "stderr":
                found.append(f"cell {i}: stderr: {out['text'][:300]}")
    return found


def outputs(nb: nbformat.NotebookNode) -> str:
    parts = []
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            parts.extend(str(v) for v in out.get("data", {}).values())
    return "\n".join(parts)


@pytest.mark.timeout(600)
def test_walkthrough_runs_clean(live_server: LiveServer, tmp_path: Path) -> None:
    nb = run_notebook("walkthrough.ipynb", live_server, tmp_path)
    assert problems(nb) == []
    text = outputs(nb)
    assert "application/vnd.jupyter.widget-view+json" in str(nb.cells)  # widgets were displayed
    assert "stopping at step" in text  # the stop reached the trainer
    assert "checkpoint at step" in text  # and so did the save
    assert "<svg" in text  # the loss plot
    assert "done" in text


@pytest.mark.timeout(300)
def test_magics_reference_runs_clean(live_server: LiveServer, tmp_path: Path) -> None:
    nb = run_notebook("magics.ipynb", live_server, tmp_path)
    assert problems(nb) == []
    text = outputs(nb)
    assert "running on" in text  # the cell job's output, tailed
    assert "kill sent" in text
    assert "<table" in text  # HTML tables in a notebook
