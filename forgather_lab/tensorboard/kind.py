"""The ``tensorboard`` job kind."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest
from ..inference.kind import validation_message
from ..jobs.kinds import ConfigResolver, JobKind
from ..jobs.launcher import LaunchSpec
from ..models.inference import TensorBoardParams
from ..models.jobs import CreateJob


class TensorBoardKind(JobKind):
    """``job_type: tensorboard`` with ``{logdir, reload_interval, bind_all}``.

    ``bind_all`` (off by default) makes TensorBoard listen on every interface
    as well, with no authentication in front of it; ``allow_bind_all`` False
    (``ForgatherLab.tensorboard_allow_bind_all``) refuses such jobs with a 400.
    """

    name = "tensorboard"
    label = "TensorBoard"

    def __init__(self, allow_bind_all: bool = True) -> None:
        self.allow_bind_all = allow_bind_all

    def default_gpus(self, params: dict[str, Any]) -> int:
        """TensorBoard never needs a GPU."""
        return 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None = None) -> dict[str, Any]:
        """Validate; the logdir is made absolute so the service signature is stable."""
        try:
            params = TensorBoardParams.model_validate(request.job_params)
        except ValidationError as e:
            raise BadRequest(validation_message(self.name, e)) from e
        if params.bind_all and not self.allow_bind_all:
            raise BadRequest(
                "job_params.bind_all: this server does not let TensorBoard listen beyond "
                "loopback (ForgatherLab.tensorboard_allow_bind_all is False)"
            )
        if "\0" in params.logdir or "\0" in (request.project_dir or ""):
            raise BadRequest("job_params.logdir: a path cannot contain a NUL byte")
        path = Path(params.logdir).expanduser()
        if not path.is_absolute() and request.project_dir:
            path = Path(request.project_dir) / path
        try:
            path = path.resolve()
            is_dir = path.is_dir()
        except (OSError, ValueError) as e:  # too long, a loop: the client's path
            reason = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
            raise BadRequest(f"job_params.logdir: {reason}") from e
        if not is_dir:
            raise BadRequest(f"job_params.logdir: {path} is not a directory")
        params.logdir = str(path)
        out = params.model_dump()
        if not params.bind_all:
            # Left out when off, so services declared before the field keep their signature.
            del out["bind_all"]
        return out

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        p = TensorBoardParams.model_validate(params)
        argv = [
            sys.executable,
            "-m",
            "forgather_lab.tensorboard.run",
            "--logdir",
            p.logdir,
            "--reload-interval",
            str(p.reload_interval),
            *(["--bind-all"] if p.bind_all else []),
        ]
        return LaunchSpec(argv=argv)
