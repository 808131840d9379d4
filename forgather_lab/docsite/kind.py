"""The ``docs`` job kind: ``mkdocs serve`` of a project's ``mkdocs.yml``, on loopback.

The site is another program's HTML and script (a theme, the project's own
``extra_javascript``), so it is never served on Jupyter's origin as it is:
the child listens on 127.0.0.1 only, announces its port, and the browser
reaches it through the same auth-gated, sandboxed proxy as TensorBoard
(``/forgather/api/docsite/{job_id}/``, ``docsite.policy``). A docs job
never needs a GPU.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest
from ..inference.kind import validation_message
from ..jobs.kinds import ConfigResolver, JobKind
from ..jobs.launcher import LaunchSpec
from ..models.docsite import DocsParams
from ..models.jobs import CreateJob


class DocsKind(JobKind):
    """``job_type: docs`` with ``{config_file, strict, rebuild}``."""

    name = "docs"
    label = "Docs"

    def default_gpus(self, params: dict[str, Any]) -> int:
        """MkDocs renders Markdown; it never needs a GPU."""
        return 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None = None) -> dict[str, Any]:
        """Validate; ``config_file`` is made absolute so the service signature is stable."""
        try:
            params = DocsParams.model_validate(request.job_params)
        except ValidationError as e:
            raise BadRequest(validation_message(self.name, e)) from e
        if "\0" in params.config_file or "\0" in (request.project_dir or ""):
            raise BadRequest("job_params.config_file: a path cannot contain a NUL byte")
        path = Path(params.config_file).expanduser()
        if not path.is_absolute() and request.project_dir:
            path = Path(request.project_dir).expanduser() / path
        try:
            path = path.resolve()
            is_file = path.is_file()
        except (OSError, ValueError) as e:  # too long, a loop: the client's path
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise BadRequest(f"job_params.config_file: {reason}") from e
        if not is_file:
            raise BadRequest(f"job_params.config_file: {path} is not a file (an mkdocs.yml)")
        if path.suffix not in (".yml", ".yaml"):
            raise BadRequest(f"job_params.config_file: {path.name} is not a YAML file")
        params.config_file = str(path)
        return params.model_dump()

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        p = DocsParams.model_validate(params)
        argv = [
            sys.executable,
            "-m",
            "forgather_lab.docsite.run",
            "--config-file",
            p.config_file,
            *(["--strict"] if p.strict else []),
            *([] if p.rebuild else ["--no-rebuild"]),
        ]
        # MkDocs resolves docs_dir and hooks against the config's folder.
        return LaunchSpec(argv=argv, cwd=str(Path(p.config_file).parent))
