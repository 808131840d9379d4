"""The ``inference`` job kind: serve a checkpoint over an OpenAI-compatible API.

Either Forgather's own server (``model_path``; ``inference`` extra) or any
OpenAI-compatible command (vLLM, llama.cpp) given as argv. Both run through
a small wrapper in the job so that the upstream token is created inside the
job directory (0600) and the port is announced in ``endpoint.json``; argv
holds at most the token file's *path*.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest
from ..jobs.kinds import ConfigResolver, JobKind
from ..jobs.launcher import LaunchSpec
from ..models.inference import InferenceParams
from ..models.jobs import CreateJob


def validation_message(kind: str, e: ValidationError) -> str:
    """``job_params.x: what is wrong`` for each problem."""
    problems = "; ".join(
        # A check across fields (argv and env together) has no location of its own.
        f"{'.'.join(['job_params', *map(str, err['loc'])])}: {err['msg']}"
        for err in e.errors(include_url=False)
    )
    return f"Invalid {kind} job: {problems}"


class InferenceKind(JobKind):
    """``job_type: inference``."""

    name = "inference"
    service_gpus = 1  # an inference service gets a GPU by default, when the server has one

    def default_gpus(self, params: dict[str, Any]) -> int:
        """GPUs when the request names none: one if a CUDA device was asked for."""
        return 1 if str(params.get("device", "")).startswith("cuda") else 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None = None) -> dict[str, Any]:
        """Validate and normalise (absolute model path, defaults filled in)."""
        try:
            params = InferenceParams.model_validate(request.job_params)
        except ValidationError as e:
            raise BadRequest(validation_message(self.name, e)) from e
        if (params.model_path is None) == (params.command is None):
            raise BadRequest("An inference job needs exactly one of model_path or command")
        for field, value in (("model_path", params.model_path), ("cwd", params.cwd)):
            if value is not None and "\x00" in value:  # the OS would refuse it: a 500 later
                raise BadRequest(f"job_params.{field}: the path contains a NUL byte")
        if params.model_path is not None:
            path = Path(params.model_path).expanduser()
            if not path.is_absolute() and request.project_dir:
                path = Path(request.project_dir) / path
            path = path.resolve()
            if not (path / "config.json").is_file():
                raise BadRequest(
                    f"job_params.model_path: {path} is not a transformers checkpoint "
                    "(no config.json)"
                )
            params.model_path = str(path)
            params.model_name = params.model_name or path.name
        elif params.port == 0:
            raise BadRequest(
                "job_params.port: an external server command cannot report a port it chose; "
                "name the port it listens on (and use {port} in the command)"
            )
        if params.cwd is not None and not Path(params.cwd).is_dir():
            raise BadRequest(f"job_params.cwd: {params.cwd} is not a directory")
        return params.model_dump()

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        """Our server (reports its own port), or the external wrapper (execs the command)."""
        p = InferenceParams.model_validate(params)
        if p.model_path is not None:
            argv = [
                sys.executable,
                "-m",
                "forgather_lab.inference.server",
                "--model",
                p.model_path,
                "--model-name",
                p.model_name or Path(p.model_path).name,
                "--host",
                p.host,
                "--port",
                str(p.port),
                "--device",
                p.device,
                "--dtype",
                p.dtype,
            ]
        else:
            assert p.command is not None
            argv = [
                sys.executable,
                "-m",
                "forgather_lab.inference.external",
                "--host",
                p.host,
                "--port",
                str(p.port),
                "--api-path",
                p.api_path,
                "--health-path",
                p.health_path,
                *(["--token-env", p.token_env] if p.token_env else []),
                "--",
                *p.command,
            ]
        return LaunchSpec(argv=argv, cwd=p.cwd, env=dict(p.env))
