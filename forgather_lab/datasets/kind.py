"""The ``dataset_server`` job kind: serve local datasets to training jobs over loopback.

Paths are checked at enqueue (a 400 then, never a server that fails later):
each is resolved, symlinks followed, and must lie under one of the
directories of ``ForgatherLab.dataset_paths``. The server re-checks what it
finds while scanning (``sources``), so a symlink inside cannot lead out.
It runs with ``python -P`` so that a ``datasets/`` folder in the job's
working directory cannot shadow the Hugging Face package.
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
from ..models.datasets import DatasetServerParams
from ..models.jobs import CreateJob


def default_hf_cache(env: dict[str, str]) -> Path:
    """Where ``datasets`` caches what ``load_dataset`` built, as the package itself decides."""
    if env.get("HF_DATASETS_CACHE"):
        return Path(env["HF_DATASETS_CACHE"]).expanduser()
    home = env.get("HF_HOME") or str(Path(env.get("XDG_CACHE_HOME", "~/.cache")) / "huggingface")
    return Path(home).expanduser() / "datasets"


class DatasetServerKind(JobKind):
    """``job_type: dataset_server`` with ``{paths, label, hf_cache}``."""

    name = "dataset_server"
    service_gpus = 0  # never a GPU, even as a service

    def __init__(self, root_dir: Path, allowed: list[Path], hf_cache: Path) -> None:
        self.root_dir = root_dir
        self.allowed = [p.expanduser().resolve() for p in allowed]
        self.hf_cache = hf_cache

    def default_gpus(self, params: dict[str, Any]) -> int:
        """A dataset server reads files; it never needs a GPU."""
        return 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None = None) -> dict[str, Any]:
        """Validate; every path made absolute and checked against ``dataset_paths``."""
        try:
            params = DatasetServerParams.model_validate(request.job_params)
        except ValidationError as e:
            raise BadRequest(validation_message(self.name, e)) from e
        if params.label is not None and any(c in params.label for c in "\r\n\0"):
            raise BadRequest("job_params.label: a label cannot contain CR, LF or NUL")
        base = Path(request.project_dir).expanduser() if request.project_dir else self.root_dir
        params.paths = [self._check(raw, base, i) for i, raw in enumerate(params.paths)]
        return params.model_dump()

    def _check(self, raw: str, base: Path, index: int) -> str:
        where = f"job_params.paths.{index}"
        if "\0" in raw:
            raise BadRequest(f"{where}: a path cannot contain a NUL byte")
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = base / path
        try:
            path = path.resolve(strict=True)
        except (OSError, ValueError) as e:  # missing, too long, a loop: the client's path
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise BadRequest(f"{where}: {raw}: {reason}") from e
        if not any(path.is_relative_to(root) for root in self.allowed):
            roots = ", ".join(str(r) for r in self.allowed) or "(none)"
            raise BadRequest(
                f"{where}: {path} is outside the directories dataset servers may serve "
                f"(ForgatherLab.dataset_paths: {roots})"
            )
        return str(path)

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        p = DatasetServerParams.model_validate(params)
        argv = [sys.executable, "-P", "-m", "forgather_lab.datasets.server"]
        for path in p.paths:
            argv += ["--path", path]
        if p.hf_cache:
            argv += ["--hf-cache", str(self.hf_cache)]
        return LaunchSpec(argv=argv)
