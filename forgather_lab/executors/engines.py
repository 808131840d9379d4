"""Choosing an executor from the settings, and what its engine adds to job records.

``ForgatherLab.executor`` names one (``local`` | ``slurm`` | ``ray`` | a class
path); empty leaves ``executor_class`` in charge, so configurations that set
only that keep working. ``slurm`` with ``slurm_rest_url`` set talks to slurmrestd.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..models.jobs import DescribeJob, JobStatus
from .base import Executor

if TYPE_CHECKING:
    from ..settings import ForgatherLabSettings

NAMED = {
    "local": "forgather_lab.executors.local.LocalExecutor",
    "slurm": "forgather_lab.executors.slurm.SlurmExecutor",
    "ray": "forgather_lab.executors.ray.RayExecutor",
}
#: Settings handed to executors in ``ExecutorContext.options``.
OPTION_NAMES = (
    "slurm_partition",
    "slurm_account",
    "slurm_qos",
    "slurm_time",
    "slurm_extra_args",
    "slurm_rest_url",
    "slurm_rest_token_file",
    "slurm_rest_user",
    "ray_address",
    "ray_max_running",
    "engine_bind_host",
    "engine_nodes",
)


def executor_from_settings(settings: ForgatherLabSettings) -> type[Executor]:
    """The class ``executor`` names, else ``executor_class``."""
    name = settings.executor
    if not name:
        cls: type[Executor] = settings.executor_class
        return cls
    if name == "slurm" and settings.slurm_rest_url:
        name = "forgather_lab.executors.slurm_rest.SlurmRestExecutor"
    module, _, attr = NAMED.get(name, name).rpartition(".")
    found = getattr(importlib.import_module(module), attr)
    if not (isinstance(found, type) and issubclass(found, Executor)):
        raise TypeError(f"executor {name!r} is not an Executor subclass")
    return found


def engine_options(settings: ForgatherLabSettings) -> dict[str, Any]:
    """The executor's own settings (``ExecutorContext.options``)."""
    options: dict[str, Any] = {n: getattr(settings, n) for n in OPTION_NAMES}
    options["slurm_extra_args"] = list(options["slurm_extra_args"])
    options["engine_nodes"] = list(options["engine_nodes"])
    options["poll_interval"] = settings.engine_poll_interval
    return options


def annotate_engine(executor: Executor, jobs: list[DescribeJob]) -> list[DescribeJob]:
    """Copies of active jobs with the engine's word: its id, node and pending reason.

    A job handed to Slurm may wait in Slurm's queue: it is ``starting`` meanwhile,
    its ``pending_reason`` Slurm's (``Slurm: Resources (...)``); once the engine
    runs it the job service records it ``running`` and the reason goes.
    """
    if not executor.remote:
        return jobs
    out = []
    for job in jobs:
        state = executor.engine_job(job.id) if job.status in _ACTIVE else None
        if state is None:
            out.append(job)
            continue
        update: dict[str, Any] = {"executor": executor.name, "external_id": state.external_id}
        if state.node:
            update["node"] = state.node
        if state.phase == "pending":
            update["pending_reason"] = state.reason
        out.append(job.model_copy(update=update))
    return out


_ACTIVE = frozenset({JobStatus.STARTING, JobStatus.RUNNING})
