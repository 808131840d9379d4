"""A re-run: the request that queues a job again, from its record and the changes asked.

The original's kind, project / config (config jobs) or params (every other
kind), limits (time limit, GPU memory, preemptible, retries) and dataset
source are reused; ``dynamic_args`` are merged over the original's, and
``priority``, ``requested_gpus`` and ``name`` replace the original's when
given. Dependencies are not carried over: they were met (or not) for the
original, and a re-run is asked for now. The request goes through the same
validation as any enqueue, so a bad change is a 400 and creates nothing.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..errors import BadRequest
from ..jobs.submit import DATASET_SOURCE_KEY, launch_params
from ..models.jobs import EXECUTOR_PARAMS_KEY, CreateJob, DescribeJob
from ..models.runs import RerunJob


def is_config_job(params: dict[str, Any]) -> bool:
    """Whether the params are a config kind's (``training`` / ``eval``: a resolved job block)."""
    return "project_dir" in params and "job" in params


def rerun_request(job: DescribeJob, changes: RerunJob) -> CreateJob:
    """The ``CreateJob`` that runs ``job`` again with ``changes``."""
    params = dict(job.params)
    stored_args = params.get("dynamic_args")
    if changes.dynamic_args and not isinstance(stored_args, dict):
        raise BadRequest(
            f"Job {job.id} is a {job.job_type} job, which takes no dynamic args",
            reason="no_dynamic_args",
        )
    merged = {**(stored_args or {}), **(changes.dynamic_args or {})}
    fields: dict[str, Any] = {
        "job_type": job.job_type,
        "priority": job.priority if changes.priority is None else changes.priority,
        "requested_gpus": (
            job.requested_gpus if changes.requested_gpus is None else changes.requested_gpus
        ),
        "name": changes.name or job.name,
        "time_limit": job.time_limit,
        "gpu_memory": job.gpu_memory,
        "preemptible": job.preemptible,
        "max_retries": job.max_retries,
        "dataset_source": params.get(DATASET_SOURCE_KEY),
        "executor_params": params.get(EXECUTOR_PARAMS_KEY) or {},
    }
    if is_config_job(params):
        fields.update(
            project_dir=params["project_dir"],
            config=params.get("config"),
            dynamic_args=merged,
        )
    else:
        job_params = launch_params(params)
        if isinstance(stored_args, dict):
            job_params["dynamic_args"] = merged
            fields["dynamic_args"] = merged
        fields["job_params"] = job_params
    try:
        # Lax: the record's values are JSON (a float time limit read back as an int).
        return CreateJob.model_validate(fields, strict=False)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(map(str, err['loc'])) or 'body'}: {err['msg']}"
            for err in e.errors(include_url=False)
        )
        raise BadRequest(f"Cannot re-run job {job.id}: {problems}") from e
