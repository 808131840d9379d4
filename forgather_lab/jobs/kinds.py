"""Job kinds: each validates its parameters at enqueue and builds an argv at launch.

Validation happens once, when the job is queued, so a bad request is a 400
and never a job that fails at dispatch. Every kind reuses the same executor
and scheduler; the built-in ones are listed in ``builtin_kinds`` and other
packages add theirs through the ``forgather_lab.job_kinds`` entry points.
"""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest
from ..models.jobs import CommandParams, CreateJob, DistributedLaunch
from ..models.projects import ResolvedJob
from ..projects.job import JobSpec, default_gpus, run_refusal, socket_env
from .launcher import LaunchSpec

log = logging.getLogger("forgather_lab.jobs")

# Given (project_dir, config or None for the default, dynamic_args), the projects
# service answers the config's resolved job block.
ConfigResolver = Callable[[str, "str | None", dict[str, Any]], ResolvedJob]


class JobKind(ABC):
    """A kind of job: validates a request at enqueue, builds the process at launch.

    A package adds a kind by subclassing this and naming the class in the
    ``forgather_lab.job_kinds`` entry-point group (see ``JobKinds.load``).
    """

    name: str

    @abstractmethod
    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        """Validate a request into the params stored with the job (raise BadRequest)."""

    @abstractmethod
    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        """The process to start for a job placed on ``gpus``."""

    def default_gpus(self, params: dict[str, Any]) -> int:
        """GPUs to reserve when the request does not say."""
        return 0


class CommandKind(JobKind):
    """Any argv: the plain-command job."""

    name = "command"

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        if request.distributed is not None:
            raise BadRequest("distributed is for training jobs (POST /cluster/jobs), not commands")
        try:
            params = CommandParams.model_validate(request.job_params)
        except ValidationError as e:
            problems = "; ".join(
                # A check across fields (argv and env together) has no location of its own.
                f"{'.'.join(['job_params', *map(str, err['loc'])])}: {err['msg']}"
                for err in e.errors(include_url=False)
            )
            raise BadRequest(f"Invalid command job: {problems}") from e
        if params.cwd is not None:
            # Jupyter shows a root under $HOME as "~/..."; clients pass that on.
            params.cwd = str(Path(params.cwd).expanduser())
            if not Path(params.cwd).is_dir():
                raise BadRequest(f"job_params.cwd: {params.cwd} is not a directory")
        return params.model_dump()

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        return LaunchSpec(
            argv=list(params["argv"]), cwd=params.get("cwd"), env=dict(params.get("env") or {})
        )


class ConfigKind(JobKind):
    """A project config's job: ``training`` and ``eval``.

    The config is rendered and its ``job`` block resolved at enqueue (a broken
    config is a 400 then, not a failed job later), and its class must match
    the kind: an evaluation config (``type.eval``) is an ``eval`` job, a
    training one (or one with no class) a ``training`` job, any other class
    is refused (``projects.job.run_refusal``). At launch a declared
    ``nproc_per_node`` of ``gpu`` / ``auto`` becomes the number of GPUs the
    job was given; more than one process runs under torchrun, one runs the
    interpreter directly (so a stdlib-only project needs no torch).

    ``usable_gpus`` (the runtime passes the pool's count) sets the default
    reservation of a config that does not declare ``job.gpus``: at least one
    GPU when there are any (``projects.job.default_gpus``).
    """

    def __init__(
        self, name: str, multi_process: bool, usable_gpus: Callable[[], int] | None = None
    ) -> None:
        self.name = name
        self.multi_process = multi_process
        self.usable_gpus = usable_gpus

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        project_dir = request.project_dir or request.job_params.get("project_dir")
        config = request.config or request.job_params.get("config")
        dynamic_args = request.dynamic_args or request.job_params.get("dynamic_args") or {}
        if not project_dir:
            raise BadRequest(f"A {self.name} job needs project_dir (and config, or the default)")
        if resolver is None:
            raise BadRequest(f"{self.name} jobs need project support, which is not loaded")
        block = resolver(project_dir, config, dynamic_args)
        refusal = run_refusal(config or "The default config", block.config_class, self.name)
        if refusal is not None:
            raise BadRequest(refusal)
        params: dict[str, Any] = {
            "project_dir": project_dir,
            "config": config,
            "dynamic_args": dynamic_args,
            "job": block.model_dump(mode="json"),
        }
        if request.distributed is not None:
            if not self.multi_process:
                raise BadRequest(f"{self.name} jobs run one process: distributed is not for them")
            params["distributed"] = request.distributed.model_dump(mode="json")
        return params

    def default_gpus(self, params: dict[str, Any]) -> int:
        """GPUs to reserve when the request does not say: the config's, else at least one
        when the server has usable GPUs."""
        job = params["job"]
        declared = job.get("gpus")
        usable = self.usable_gpus() if self.usable_gpus is not None else 0
        return default_gpus(
            None if declared is None else int(declared),
            job.get("nproc_per_node", 1),
            usable,
            self.multi_process,
        )

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        spec = JobSpec.from_resolved(ResolvedJob.model_validate(params["job"]))
        if params.get("distributed") is not None:  # one node of a multi-node run
            d = DistributedLaunch.model_validate(params["distributed"])
            env = {**spec.env, **socket_env(d)}
            return LaunchSpec(argv=spec.argv(distributed=d), cwd=str(spec.cwd), env=env)
        declared = spec.nproc_per_node
        if not self.multi_process or declared == "cpu":
            nproc = 1
        elif declared in ("gpu", "auto"):
            nproc = max(1, len(gpus))
        else:
            nproc = int(declared)
        return LaunchSpec(argv=spec.argv(nproc), cwd=str(spec.cwd), env=dict(spec.env))


ENTRY_POINT_GROUP = "forgather_lab.job_kinds"


def builtin_kinds(usable_gpus: Callable[[], int] | None = None) -> list[JobKind]:
    """The generic kinds this package ships (the service kinds are added by the runtime).

    ``usable_gpus`` is the pool's usable GPU count, for the config kinds' default.
    """
    return [
        CommandKind(),
        ConfigKind("training", multi_process=True, usable_gpus=usable_gpus),
        ConfigKind("eval", multi_process=False, usable_gpus=usable_gpus),
    ]


def _plug_in_kinds() -> Iterator[JobKind]:
    """The kinds named by the ``forgather_lab.job_kinds`` entry points that load."""
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            loaded = ep.load()
            kind = loaded() if isinstance(loaded, type) else loaded
        except Exception:
            log.exception("could not load job kind %r from %s", ep.name, ep.value)
            continue
        if not isinstance(kind, JobKind):
            log.error("entry point %s = %s is not a JobKind; skipped", ep.name, ep.value)
            continue
        yield kind


class JobKinds:
    """The kinds a runtime knows, by name."""

    def __init__(self, kinds: list[JobKind], *, plug_ins: bool = False) -> None:
        self._kinds = {kind.name: kind for kind in kinds}
        self._plug_ins_pending = plug_ins
        self._lock = threading.Lock()

    @classmethod
    def load(
        cls, extra: Iterable[JobKind] = (), usable_gpus: Callable[[], int] | None = None
    ) -> JobKinds:
        """The built-in kinds, ``extra`` ones, and every ``forgather_lab.job_kinds`` entry point.

        The entry points are read at the first look-up, not here: reading them
        scans every installed distribution, and server start need not (issue 19).
        One that fails to load is logged and skipped, so a broken plug-in cannot
        take the server down.
        """
        return cls([*builtin_kinds(usable_gpus), *extra], plug_ins=True)

    def _by_name(self) -> dict[str, JobKind]:
        if self._plug_ins_pending:
            with self._lock:  # look-ups come from the loop and from worker threads
                if self._plug_ins_pending:
                    self._kinds.update((kind.name, kind) for kind in _plug_in_kinds())
                    self._plug_ins_pending = False
        return self._kinds

    def names(self) -> list[str]:
        """Every kind's name, sorted."""
        return sorted(self._by_name())

    def get(self, job_type: str) -> JobKind:
        """The kind named ``job_type``; 400 listing the known ones if there is none."""
        try:
            return self._by_name()[job_type]
        except KeyError:
            raise BadRequest(
                f"Unknown job_type {job_type!r}; expected one of {', '.join(self.names())}"
            ) from None
