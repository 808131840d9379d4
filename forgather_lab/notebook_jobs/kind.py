"""The ``notebook`` job kind: run an .ipynb headless in a fresh kernel on the job's GPUs.

Validated at enqueue, so a bad request is a 400 and never a failed job: the
notebook must be an existing ``.ipynb`` file inside the server's root_dir
(relative to it, or absolute; ``..`` and symlinks leading out are refused,
as the projects API refuses them), readable as notebook JSON; ``output``,
when given, an ``.ipynb`` in an existing directory inside root_dir, never
the notebook itself. Paths are stored resolved. The process is
``forgather_lab.notebook_jobs.run`` under the server's interpreter, the
same environment a ``python3`` kernel then runs in.
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest, ForgatherError
from ..inference.kind import validation_message
from ..jobs.kinds import ConfigResolver, JobKind
from ..jobs.launcher import LaunchSpec
from ..models.jobs import CreateJob
from ..models.notebook_jobs import JOB_ID_FIELD, NotebookParams
from ..projects.paths import is_within, reject_dotdot, resolve_under

#: What the runner imports; missing, the job could only fail.
NEEDS = ("nbclient", "nbformat", "ipykernel")
#: A notebook bigger than this is not read at enqueue (nor, likely, meant to be run).
MAX_NOTEBOOK_BYTES = 64 * 1024 * 1024


class NotebookKind(JobKind):
    """``job_type: notebook`` with ``{notebook, parameters, output, kernel_name, cell_timeout}``."""

    name = "notebook"

    def __init__(self, root_dir: Path) -> None:
        self.root_dir = root_dir.expanduser().resolve()

    def default_gpus(self, params: dict[str, Any]) -> int:
        """None unless asked: most notebooks that want a GPU say so with requested_gpus."""
        return 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None = None) -> dict[str, Any]:
        """Validate; the notebook and output paths are stored resolved."""
        try:
            params = NotebookParams.model_validate(request.job_params)
        except ValidationError as e:
            raise BadRequest(validation_message(self.name, e)) from e
        missing = [m for m in NEEDS if importlib.util.find_spec(m) is None]
        if missing:
            raise BadRequest(
                f"Notebook jobs need {', '.join(missing)} in the server's environment: "
                "pip install 'forgather-lab[notebook]'"
            )
        notebook = self._notebook(params.notebook)
        params.notebook = str(notebook)
        if params.output is not None:
            params.output = str(self._output(params.output, notebook))
        return params.model_dump()

    def _notebook(self, raw: str) -> Path:
        try:
            path = resolve_under(raw, self.root_dir, [self.root_dir], "notebook")
        except ForgatherError as e:  # outside the root (403), missing (404): bad job_params
            raise BadRequest(f"job_params.notebook: {e.message}") from e
        if path.suffix != ".ipynb":
            raise BadRequest(f"job_params.notebook: {raw!r} is not a notebook (.ipynb)")
        if not path.is_file():
            raise BadRequest(f"job_params.notebook: {raw!r} is not a file")
        try:
            if path.stat().st_size > MAX_NOTEBOOK_BYTES:
                raise BadRequest(f"job_params.notebook: {raw!r} is larger than 64 MiB")
            data = json.loads(path.read_bytes())
        except OSError as e:
            raise BadRequest(f"job_params.notebook: cannot read {raw!r}: {e.strerror}") from e
        except ValueError as e:
            raise BadRequest(f"job_params.notebook: {raw!r} is not notebook JSON ({e})") from e
        if not (
            isinstance(data, dict)
            and isinstance(data.get("cells"), list)
            and isinstance(data.get("nbformat"), int)
            and data["nbformat"] >= 4
        ):
            raise BadRequest(f"job_params.notebook: {raw!r} is not an nbformat 4 notebook")
        return path

    def _output(self, raw: str, notebook: Path) -> Path:
        """``raw`` resolved (its directory, through links; the name kept, ``{job_id}`` too)."""
        reject_dotdot(raw, "output")
        try:
            path = Path(raw).expanduser()
        except RuntimeError as e:  # "~nobody"
            raise BadRequest(f"job_params.output: {raw!r} names no home directory") from e
        if not path.is_absolute():
            path = self.root_dir / path
        if path.suffix != ".ipynb":
            raise BadRequest(f"job_params.output: {raw!r} must end with .ipynb")
        parent = Path(os.path.realpath(path.parent))
        if not is_within(parent, self.root_dir):
            raise BadRequest(f"job_params.output: {raw!r} is outside the server's root_dir")
        if not parent.is_dir():
            raise BadRequest(f"job_params.output: the directory of {raw!r} does not exist")
        out = parent / path.name
        example = Path(os.path.realpath(str(out).replace(JOB_ID_FIELD, "0" * 8)))
        if not is_within(example, self.root_dir):
            raise BadRequest(f"job_params.output: {raw!r} links outside the server's root_dir")
        if example == notebook:
            raise BadRequest("job_params.output: that is the notebook itself; name another file")
        return out

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        p = NotebookParams.model_validate(params)
        argv = [
            sys.executable,
            "-m",
            "forgather_lab.notebook_jobs.run",
            "--notebook",
            p.notebook,
            "--root",
            str(self.root_dir),
            "--parameters",
            json.dumps(p.parameters),
        ]
        if p.output:
            argv += ["--output", p.output]
        if p.kernel_name:
            argv += ["--kernel", p.kernel_name]
        if p.cell_timeout:
            argv += ["--cell-timeout", str(p.cell_timeout)]
        return LaunchSpec(argv=argv, cwd=str(Path(p.notebook).parent))
