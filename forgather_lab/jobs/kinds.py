"""Job kinds: each validates its parameters at enqueue and builds an argv at launch.

Validation happens once, when the job is queued, so a bad request is a 400
and never a job that fails at dispatch. New kinds (inference, TensorBoard)
register themselves in ``KINDS`` and reuse the same launcher and scheduler.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from pydantic import ValidationError

from ..errors import BadRequest
from ..models.jobs import CommandParams, CreateJob
from .launcher import LaunchSpec

# Given (project_dir, config, dynamic_args), the projects service answers the
# config's job block: {"script" | "module", "args", "nproc_per_node", "cwd",
# "output_dir", "launcher": "torchrun" | "python"}.
ConfigResolver = Callable[[str, str, dict[str, Any]], dict[str, Any]]


class JobKind(Protocol):
    """What the scheduler needs from a kind of job."""

    name: str

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        """Validate a request into the params stored with the job (raise BadRequest)."""
        ...

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        """The process to start for a job placed on ``gpus``."""
        ...


class CommandKind:
    """Any argv: the plain-command job."""

    name = "command"

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        try:
            params = CommandParams.model_validate(request.job_params)
        except ValidationError as e:
            problems = "; ".join(
                f"job_params.{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors()
            )
            raise BadRequest(f"Invalid command job: {problems}") from e
        if params.cwd is not None and not Path(params.cwd).is_dir():
            raise BadRequest(f"job_params.cwd: {params.cwd} is not a directory")
        return params.model_dump()

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        return LaunchSpec(
            argv=list(params["argv"]), cwd=params.get("cwd"), env=dict(params.get("env") or {})
        )


class ConfigKind:
    """A project config's job: ``training`` (torchrun or python) and ``eval``."""

    def __init__(self, name: str, default_launcher: str) -> None:
        self.name = name
        self.default_launcher = default_launcher

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        project_dir = request.project_dir or request.job_params.get("project_dir")
        config = request.config or request.job_params.get("config")
        dynamic_args = request.dynamic_args or request.job_params.get("dynamic_args") or {}
        if not project_dir or not config:
            raise BadRequest(f"A {self.name} job needs project_dir and config")
        if resolver is None:
            raise BadRequest(f"{self.name} jobs need project support, which is not loaded")
        block = resolver(project_dir, config, dynamic_args)
        if not (block.get("script") or block.get("module")):
            raise BadRequest(f"Config {config} has no job script or module to run")
        return {
            "project_dir": project_dir,
            "config": config,
            "dynamic_args": dynamic_args,
            "job": block,
        }

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        job = params["job"]
        launcher = job.get("launcher") or self.default_launcher
        target = ["-m", job["module"]] if job.get("module") else [job["script"]]
        args = [str(a) for a in job.get("args", [])]
        if launcher == "torchrun":
            nproc = len(gpus) or int(job.get("nproc_per_node") or 1)
            argv = [
                sys.executable,
                "-m",
                "torch.distributed.run",
                "--standalone",
                f"--nproc_per_node={nproc}",
                *target,
                *args,
            ]
        else:
            argv = [sys.executable, "-u", *target, *args]
        return LaunchSpec(
            argv=argv,
            cwd=job.get("cwd") or params["project_dir"],
            env={str(k): str(v) for k, v in (job.get("env") or {}).items()},
        )


KINDS: dict[str, JobKind] = {
    kind.name: kind
    for kind in (CommandKind(), ConfigKind("training", "torchrun"), ConfigKind("eval", "python"))
}


def kind_of(job_type: str) -> JobKind:
    """The kind named ``job_type``; 400 listing the known ones if there is none."""
    try:
        return KINDS[job_type]
    except KeyError:
        raise BadRequest(
            f"Unknown job_type {job_type!r}; expected one of {', '.join(sorted(KINDS))}"
        ) from None
