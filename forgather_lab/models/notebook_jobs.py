"""Notebook jobs on the wire: ``POST /queue``'s job_params, ``GET /jobs/{id}/notebook``'s answer."""

from __future__ import annotations

import json
import keyword
from typing import Any

from pydantic import Field, field_validator

from .base import ApiModel, Model

#: The parameters of one job, as JSON, in bytes: they travel in the job's argv.
MAX_PARAMETERS_BYTES = 64 * 1024
#: A notebook path as a client names it.
MAX_PATH = 4096
#: What ``output`` may contain to name the job it belongs to.
JOB_ID_FIELD = "{job_id}"


class NotebookParams(ApiModel):
    """``job_params`` of a ``notebook`` job (papermill's conventions for parameters)."""

    notebook: str = Field(
        min_length=1,
        max_length=MAX_PATH,
        description="the .ipynb to run: relative to the server's root_dir, or absolute inside it",
    )
    parameters: dict[str, Any] = Field(
        default_factory=dict,
        description="name → JSON value; injected as Python assignments in a cell tagged "
        "`injected-parameters` after the cell tagged `parameters` (at the top if none)",
    )
    output: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_PATH,
        description="also save the executed notebook here (.ipynb under root_dir; its "
        "directory must exist); `{job_id}` in it is replaced by the job's id",
    )
    kernel_name: str | None = Field(
        None,
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._-]+$",
        description="the kernel to start (default python3: ipykernel in the job's environment)",
    )
    cell_timeout: float | None = Field(
        None, gt=0, le=366 * 24 * 3600.0, description="seconds one cell may run (default: no limit)"
    )

    @field_validator("parameters")
    @classmethod
    def _python_names(cls, value: dict[str, Any]) -> dict[str, Any]:
        for name in value:
            if not name.isidentifier() or keyword.iskeyword(name):
                raise ValueError(f"{name[:80]!r} is not a Python variable name")
        if len(json.dumps(value).encode()) > MAX_PARAMETERS_BYTES:
            raise ValueError(f"the parameters take more than {MAX_PARAMETERS_BYTES} bytes as JSON")
        return value


class ExecutedNotebook(Model):
    """``GET /jobs/{id}/notebook``: the notebook as the job has executed it so far (nbformat 4).

    Written by the job after each cell, so while it runs the cells up to the
    current one carry their outputs. ``metadata.forgather_lab`` says how far it
    got: ``status`` (running, done, failed), ``executed_cells`` / ``total_cells``
    (code cells), the ``parameters`` and, on failure, ``error`` (the cell's
    index, its first line, the exception's name and message).
    """

    nbformat: int
    nbformat_minor: int
    metadata: dict[str, Any]
    cells: list[dict[str, Any]]
