"""Papermill's parameter convention, and the files a notebook job leaves.

A notebook marks its defaults with a code cell tagged ``parameters``; a run
injects a cell tagged ``injected-parameters`` right after it that assigns the
run's values, so they override the defaults and the notebook still runs by
hand. With no tagged cell the injected one goes first. A papermill notebook
therefore runs here unchanged, and the executed copy looks like papermill's.

Shared by the job kind (server side) and the in-job runner, so it imports
only the standard library and works on plain nbformat-4 dicts.
"""

from __future__ import annotations

import copy
import uuid
from typing import Any

PARAMETERS_TAG = "parameters"
INJECTED_TAG = "injected-parameters"
#: The executed notebook inside the job's directory (next to ``output.log``).
EXECUTED_FILE = "notebook.ipynb"
#: Where the executed notebook says how its run went (``metadata.forgather_lab``).
METADATA_KEY = "forgather_lab"


def tags(cell: dict[str, Any]) -> list[str]:
    """A cell's tags (none when its metadata has no list of them)."""
    found = (cell.get("metadata") or {}).get("tags")
    return [str(t) for t in found] if isinstance(found, list) else []


def assignments(parameters: dict[str, Any]) -> str:
    """The injected cell's source: one ``name = value`` per parameter, values as Python literals.

    ``repr`` of what JSON decodes to (str, int, float, bool, None, list,
    dict) is a Python literal that evaluates back to the same value.
    """
    lines = ["# Parameters"]
    lines += [f"{name} = {value!r}" for name, value in parameters.items()]
    return "\n".join(lines) + "\n"


def inject(notebook: dict[str, Any], parameters: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``notebook`` with the parameters cell injected (papermill's rules).

    A cell injected by an earlier run (the notebook is an executed copy) is
    replaced, so parameters never pile up. No parameters: the notebook as is.
    """
    nb = copy.deepcopy(notebook)
    cells: list[dict[str, Any]] = [c for c in nb.get("cells", []) if INJECTED_TAG not in tags(c)]
    nb["cells"] = cells
    if not parameters:
        return nb
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {"tags": [INJECTED_TAG]},
        "outputs": [],
        "source": assignments(parameters),
    }
    if (nb.get("nbformat"), nb.get("nbformat_minor", 0)) >= (4, 5):
        cell["id"] = uuid.uuid4().hex[:8]  # nbformat 4.5 requires an id on every cell
    at = next((i + 1 for i, c in enumerate(cells) if PARAMETERS_TAG in tags(c)), 0)
    cells.insert(at, cell)
    return nb


def first_line(cell: dict[str, Any], limit: int = 80) -> str:
    """The first non-blank line of a cell's source, cut to ``limit`` characters."""
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"
