"""Every REST endpoint, written once for the sync and the async client.

Each method here builds a ``Call`` (``_call.py``): the request and the reader
of its answer. ``@endpoint`` turns it into a method of ``Client`` that sends
it and of ``AsyncClient`` that returns a coroutine, typed for each. Answers
are read into the server's own pydantic models (``forgather_lab.models``),
so the client and the OpenAPI document cannot drift apart. Those response
models ignore fields they do not know, so a newer server still reads fine.

Over 500 lines on purpose: one short method per endpoint, in one place, is the
client's whole surface; splitting it by area would split the one registry
both clients are built from.

The only raw-JSON answers are the OpenAPI document itself and ``get()``, the
escape hatch for endpoints this client has no method for yet.

One table, near 400 lines on purpose: a reader finds every endpoint the
client knows in one place, in the order of the API's own sections.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal, TypeGuard, get_args

from ..models.control import (
    DescribeCommand,
    DescribeInlineProgress,
    DescribeTrainerStatus,
    ListMetrics,
)
from ..models.gpus import DescribeGpuPolicy, KillGpuResult, ListGpuPolicies, ListGpus
from ..models.health import DescribeHealth
from ..models.inference import DescribeEndpoint, DescribePreset, ListEndpoints, ListPresets
from ..models.jobs import (
    CleanupResult,
    DescribeJob,
    DescribeScheduler,
    JobHistory,
    KillResult,
    ListJobs,
)
from ..models.notebook_jobs import ExecutedNotebook
from ..models.projects import (
    DescribeConfigMeta,
    DescribeDynamicArgs,
    DescribeOutputDir,
    DescribeProject,
    ListProjects,
)
from ..models.runs import CompareMetrics
from ._call import Call, endpoint, read_nothing, read_object, read_raw, read_text, seg
from ._compare import CompareResult, frame_call, series_call

Control = Literal["save", "stop", "save-stop", "abort", "kill", "force-kill"]
CONTROLS: tuple[Control, ...] = get_args(Control)
Kill = Literal["kill", "force-kill"]
TrainerControl = Literal["save", "stop", "save-stop", "abort"]


def is_control(action: str) -> TypeGuard[Control]:
    """Whether ``action`` names a job control (for argv words checked at run time)."""
    return action in CONTROLS


def _job_list(data: Any) -> list[DescribeJob]:
    return ListJobs.model_validate(data).jobs


def _servers(data: Any) -> list[DescribeEndpoint]:
    return ListEndpoints.model_validate(data).servers


def _reply_text(data: Any) -> str:
    """The assistant's text in an OpenAI chat completion."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("not an OpenAI chat completion (no choices[0].message)") from None
    return "" if content is None else str(content)


def _scheduler(enabled: bool) -> Call[DescribeScheduler]:
    body = {"enabled": enabled}
    return Call("POST", "queue/scheduler", DescribeScheduler.model_validate, json=body)


def _trainer(job_id: str, action: TrainerControl) -> Call[DescribeCommand]:
    path = f"jobs/{seg(job_id)}/control/{action}"
    return Call("POST", path, DescribeCommand.model_validate)


def _kill(job_id: str, action: Kill) -> Call[KillResult]:
    return Call("POST", f"jobs/{seg(job_id)}/control/{action}", KillResult.model_validate)


def _scheduling(
    depends_on: Sequence[str] | None,
    time_limit: float | None,
    gpu_memory: int | None,
    preemptible: bool | None,
    max_retries: int | None,
) -> dict[str, Any]:
    """The scheduling fields of a ``CreateJob`` body that were given (the server's defaults
    stand for the rest)."""
    given = {
        "depends_on": list(depends_on) if depends_on else None,
        "time_limit": time_limit,
        "gpu_memory": gpu_memory,
        "preemptible": preemptible,
        "max_retries": max_retries,
    }
    return {k: v for k, v in given.items() if v is not None}


def _config_query(project_dir: str, config: str | None) -> dict[str, str]:
    return {"project_dir": project_dir, **({"config": config} if config else {})}


class Endpoints:
    """The API, one method per endpoint (see the module docstring).

    Builders that take ``**params`` mark ``self`` positional-only (``self, /``)
    so that the endpoint's parameters can be carried over whole.
    """

    # -- health ------------------------------------------------------------------------

    @endpoint
    def health(self) -> Call[DescribeHealth]:
        """``GET /health``; a degraded server answers too, with ``status="error"``."""
        return Call("GET", "health", DescribeHealth.model_validate, ok_statuses=(503,))

    @endpoint
    def openapi(self) -> Call[dict[str, Any]]:
        """The server's OpenAPI document."""
        return Call("GET", "openapi.json", read_object)

    # -- queue and scheduler -----------------------------------------------------------

    @endpoint
    def queue(self) -> Call[list[DescribeJob]]:
        """Queued jobs in dispatch order."""
        return Call("GET", "queue", _job_list)

    @endpoint
    def enqueue(
        self,
        command: Sequence[str] | None = None,
        *,
        project_dir: str | None = None,
        config: str | None = None,
        dynamic_args: dict[str, Any] | None = None,
        job_type: str | None = None,
        gpus: int | None = None,
        priority: int = 0,
        name: str | None = None,
        cwd: str | None = None,
        env: dict[str, str] | None = None,
        depends_on: Sequence[str] | None = None,
        time_limit: float | None = None,
        gpu_memory: int | None = None,
        preemptible: bool | None = None,
        max_retries: int | None = None,
    ) -> Call[DescribeJob]:
        """Queue a job: a ``command`` (argv list) or a project ``config`` (training by default).

        The answer comes once the job is durable on the server. ``gpus=None``
        takes what a config declares (0 for a command). ``depends_on``: jobs
        that must end ``done`` first; ``time_limit`` in seconds; ``gpu_memory``
        in MiB per GPU (shares cards); ``max_retries``: requeues after a failure.
        """
        body: dict[str, Any] = {
            "priority": priority,
            **_scheduling(depends_on, time_limit, gpu_memory, preemptible, max_retries),
        }
        if gpus is not None:
            body["requested_gpus"] = gpus
        if name:
            body["name"] = name
        if command is not None:
            if project_dir or config:
                raise ValueError("pass either command or project_dir/config, not both")
            params: dict[str, Any] = {"argv": [str(a) for a in command]}
            if cwd:
                params["cwd"] = cwd
            if env:
                params["env"] = env
            body.update(job_type=job_type or "command", job_params=params)
        else:
            if not (project_dir and config):
                raise ValueError("pass a command, or project_dir and config")
            body.update(
                job_type=job_type or "training",
                project_dir=project_dir,
                config=config,
                dynamic_args=dynamic_args or {},
            )
        return Call("POST", "queue", DescribeJob.model_validate, json=body)

    @endpoint
    def cancel(self, job_id: str) -> Call[DescribeJob]:
        """Cancel a queued job, or abort it if it already runs."""
        return Call("DELETE", f"queue/{seg(job_id)}", DescribeJob.model_validate)

    @endpoint
    def update_queued(
        self, job_id: str, *, priority: int | None = None, name: str | None = None
    ) -> Call[DescribeJob]:
        """``PATCH /queue/{id}``: a queued job's new priority and / or name (409 once it runs)."""
        body = {k: v for k, v in (("priority", priority), ("name", name)) if v is not None}
        return Call("PATCH", f"queue/{seg(job_id)}", DescribeJob.model_validate, json=body)

    @endpoint
    def enqueue_batch(self, jobs: Sequence[dict[str, Any]]) -> Call[list[DescribeJob]]:
        """``POST /queue/batch``: ``CreateJob`` bodies queued all or none, returned in order."""
        return Call("POST", "queue/batch", _job_list, json={"jobs": list(jobs)})

    @endpoint
    def sweep(
        self, base: dict[str, Any], grid: dict[str, Sequence[Any]]
    ) -> Call[list[DescribeJob]]:
        """``POST /queue/sweep``: one job per point of ``grid`` (dynamic argument → values)
        over the ``base`` ``CreateJob`` body, sharing one ``group``."""
        body = {"base": base, "grid": {k: list(v) for k, v in grid.items()}}
        return Call("POST", "queue/sweep", _job_list, json=body)

    @endpoint
    def scheduler(self) -> Call[DescribeScheduler]:
        """Whether the scheduler dispatches, and how many jobs are queued and running."""
        return Call("GET", "queue/scheduler", DescribeScheduler.model_validate)

    @endpoint
    def set_scheduler(self, enabled: bool) -> Call[DescribeScheduler]:
        """Pause (``False``) or resume (``True``) dispatching."""
        return _scheduler(enabled)

    @endpoint
    def pause(self) -> Call[DescribeScheduler]:
        """Stop dispatching new jobs (running ones go on)."""
        return _scheduler(False)

    @endpoint
    def resume(self) -> Call[DescribeScheduler]:
        """Dispatch again."""
        return _scheduler(True)

    # -- jobs --------------------------------------------------------------------------

    @endpoint
    def jobs(
        self, status: str | Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> Call[ListJobs]:
        """Jobs, newest first; ``status`` filters (one name, a list, or comma-separated)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        return Call("GET", "jobs", ListJobs.model_validate, params=params)

    @endpoint
    def job(self, job_id: str) -> Call[DescribeJob]:
        """One job record."""
        return Call("GET", f"jobs/{seg(job_id)}", DescribeJob.model_validate)

    @endpoint
    def delete_job(self, job_id: str) -> Call[None]:
        """Delete a finished job and its log."""
        return Call("DELETE", f"jobs/{seg(job_id)}", read_nothing)

    @endpoint
    def cleanup(self) -> Call[CleanupResult]:
        """Delete every finished job."""
        return Call("POST", "jobs/cleanup", CleanupResult.model_validate)

    @endpoint
    def gc(self) -> Call[CleanupResult]:
        """Remove log directories of jobs that no longer exist."""
        return Call("POST", "jobs/gc", CleanupResult.model_validate)

    @endpoint
    def control(self, job_id: str, action: Control) -> Call[DescribeCommand | KillResult]:
        """``POST /jobs/{id}/control/{action}``: save, stop, save-stop, abort, kill, force-kill.

        The trainer controls answer the queued ``DescribeCommand``, kill and
        force-kill a ``KillResult`` (the named methods below are typed for each).
        """
        if action in ("kill", "force-kill"):
            return _kill(job_id, action)
        if action in ("save", "stop", "save-stop", "abort"):
            return _trainer(job_id, action)
        raise ValueError(f"unknown control {action!r}; expected one of {', '.join(CONTROLS)}")

    @endpoint
    def save(self, job_id: str) -> Call[DescribeCommand]:
        """Ask a running trainer to write a checkpoint."""
        return _trainer(job_id, "save")

    @endpoint
    def stop(self, job_id: str) -> Call[DescribeCommand]:
        """Graceful stop: the trainer saves a final checkpoint and exits."""
        return _trainer(job_id, "stop")

    @endpoint
    def save_stop(self, job_id: str) -> Call[DescribeCommand]:
        """Save, then stop."""
        return _trainer(job_id, "save-stop")

    @endpoint
    def abort(self, job_id: str) -> Call[DescribeCommand]:
        """Stop at once, without a checkpoint."""
        return _trainer(job_id, "abort")

    @endpoint
    def kill(self, job_id: str) -> Call[KillResult]:
        """SIGTERM to the job's process group."""
        return _kill(job_id, "kill")

    @endpoint
    def force_kill(self, job_id: str) -> Call[KillResult]:
        """SIGKILL to the job's process group."""
        return _kill(job_id, "force-kill")

    @endpoint
    def job_status(self, job_id: str) -> Call[DescribeTrainerStatus]:
        """The trainer's latest report: step, progress, loss, lr, checkpoint, recent commands."""
        return Call("GET", f"jobs/{seg(job_id)}/status", DescribeTrainerStatus.model_validate)

    @endpoint
    def inline_progress(self, job_id: str) -> Call[DescribeInlineProgress]:
        """Stage and percent of a job, from its reporter or parsed from its log."""
        path = f"jobs/{seg(job_id)}/inline-progress"
        return Call("GET", path, DescribeInlineProgress.model_validate)

    @endpoint
    def metrics(
        self,
        job_id: str,
        names: Sequence[str] | None = None,
        since_step: int | None = None,
        max_points: int | None = None,
    ) -> Call[ListMetrics]:
        """Metric series the job reported: ``.series[name]`` is ``[(step, value), ...]``.

        Only ``names`` (default all), from ``since_step`` on, downsampled by the
        server above ``max_points``.
        """
        params: dict[str, Any] = {}
        if max_points is not None:
            params["max_points"] = max_points
        if names:
            params["names"] = ",".join(names)
        if since_step is not None:
            params["since_step"] = since_step
        return Call("GET", f"jobs/{seg(job_id)}/metrics", ListMetrics.model_validate, params=params)

    @endpoint
    def history(self, job_id: str) -> Call[JobHistory]:
        """Every transition of a job (status, attempt, reason, time), oldest first."""
        return Call("GET", f"jobs/{seg(job_id)}/history", JobHistory.model_validate)

    @endpoint
    def tty(self, job_id: str, max_bytes: int = 256 * 1024) -> Call[str]:
        """The end of the job's log (at most ``max_bytes``)."""
        params = {"max_bytes": max_bytes}
        return Call("GET", f"jobs/{seg(job_id)}/tty", read_text, params=params, text=True)

    # -- runs: compare (client/_compare.py) --------------------------------------------

    @endpoint
    def compare(
        self,
        job_ids: Sequence[str] | str,
        keys: Sequence[str] | str | None = None,
        max_points: int = 1000,
        axis: str = "step",
    ) -> Call[CompareResult]:
        """Several runs' curves: a pandas DataFrame (rows per step, columns per (job, key)).

        Without pandas installed, the ``CompareMetrics`` model that
        ``compare_series`` answers. ``keys`` default to every metric of each
        job; each curve is downsampled by the server to ``max_points``.
        ``axis="time"``: rows per ``time``, the seconds since each run's first
        point (``frame.attrs["start"]`` holds each run's start, unix seconds).
        """
        return frame_call(job_ids, keys, max_points, axis)

    @endpoint
    def compare_series(
        self,
        job_ids: Sequence[str] | str,
        keys: Sequence[str] | str | None = None,
        max_points: int = 1000,
        axis: str = "step",
    ) -> Call[CompareMetrics]:
        """``GET /metrics/compare``: ``.series[job_id][key]`` is ``[(step, value), ...]``.

        ``axis="time"``: ``[(unix_seconds, value), ...]``, each point's recorded time.
        """
        return series_call(job_ids, keys, max_points, axis)

    # -- GPUs --------------------------------------------------------------------------

    @endpoint
    def gpus(self) -> Call[ListGpus]:
        """Every GPU: telemetry, policy, reservation and processes."""
        return Call("GET", "gpus", ListGpus.model_validate)

    @endpoint
    def gpu_policies(self) -> Call[ListGpuPolicies]:
        """Per-GPU runtime policies."""
        return Call("GET", "gpus/policy", ListGpuPolicies.model_validate)

    @endpoint
    def set_gpu_policy(
        self, index: int, *, disabled: bool | None = None, min_priority: int | None = None
    ) -> Call[DescribeGpuPolicy]:
        """Disable / enable a GPU or set its min_priority gate; ``None`` leaves a field alone."""
        body = {
            k: v
            for k, v in (("disabled", disabled), ("min_priority", min_priority))
            if v is not None
        }
        path = f"gpus/{int(index)}/policy"
        return Call("POST", path, DescribeGpuPolicy.model_validate, json=body)

    @endpoint
    def kill_gpu(self, index: int, *, confirmed: bool = False) -> Call[KillGpuResult]:
        """SIGKILL every compute process on a GPU; the server insists on ``confirmed=True``."""
        body = {"confirmed": confirmed}
        return Call("POST", f"gpus/{int(index)}/kill", KillGpuResult.model_validate, json=body)

    # -- projects (read side; the Lab panel owns editing) --------------------------------

    @endpoint
    def projects(self) -> Call[ListProjects]:
        """Workspaces with their projects, and the unaffiliated projects."""
        return Call("GET", "projects", ListProjects.model_validate)

    @endpoint
    def project(self, project_dir: str) -> Call[DescribeProject]:
        """One project."""
        params = {"project_dir": project_dir}
        return Call("GET", "project", DescribeProject.model_validate, params=params)

    @endpoint
    def dynamic_args(
        self, project_dir: str, config: str | None = None
    ) -> Call[DescribeDynamicArgs]:
        """The dynamic-args schema (``args``) and current ``values`` of a config."""
        params = _config_query(project_dir, config)
        return Call("GET", "config/dynamic-args", DescribeDynamicArgs.model_validate, params=params)

    @endpoint
    def output_dir(self, project_dir: str, config: str | None = None) -> Call[DescribeOutputDir]:
        """A config's resolved output_dir (overrides applied)."""
        params = _config_query(project_dir, config)
        return Call("GET", "config/output-dir", DescribeOutputDir.model_validate, params=params)

    @endpoint
    def config_meta(self, project_dir: str, config: str | None = None) -> Call[DescribeConfigMeta]:
        """A config's name, class and what Run queues for it (``job_type``; ``not_runnable``
        says why nothing is queued for a config of another class)."""
        params = _config_query(project_dir, config)
        return Call("GET", "config/meta", DescribeConfigMeta.model_validate, params=params)

    # -- notebook jobs (docs/notebook-jobs.md) -----------------------------------------

    @endpoint
    def enqueue_notebook(
        self,
        /,
        notebook: str,
        parameters: dict[str, Any] | None = None,
        *,
        output: str | None = None,
        kernel_name: str | None = None,
        cell_timeout: float | None = None,
        gpus: int | None = None,
        priority: int = 0,
        name: str | None = None,
        **scheduling: Any,
    ) -> Call[DescribeJob]:
        """Queue a ``notebook`` job: run ``notebook`` (under the server's root) with ``parameters``.

        ``output`` also saves the executed copy there (``{job_id}`` is replaced);
        ``gpus=None`` reserves none. ``scheduling``: the other ``POST /queue``
        fields (``depends_on``, ``time_limit``, ...); ``None`` ones are left out.
        """
        params: dict[str, Any] = {"notebook": notebook, "parameters": dict(parameters or {})}
        for key, value in (
            ("output", output),
            ("kernel_name", kernel_name),
            ("cell_timeout", cell_timeout),
        ):
            if value is not None:
                params[key] = value
        body: dict[str, Any] = {"job_type": "notebook", "job_params": params, "priority": priority}
        body.update((k, v) for k, v in scheduling.items() if v is not None)
        if gpus is not None:
            body["requested_gpus"] = gpus
        if name:
            body["name"] = name
        return Call("POST", "queue", DescribeJob.model_validate, json=body)

    @endpoint
    def executed_notebook(self, job_id: str) -> Call[ExecutedNotebook]:
        """The notebook as the job has run it so far; ``.model_dump()`` is nbformat JSON."""
        path = f"jobs/{seg(job_id)}/notebook"
        return Call("GET", path, ExecutedNotebook.model_validate)

    # -- inference (the proxy injects the server's token; docs/inference.md) ------------

    @endpoint
    def serve_inference(
        self,
        /,
        model_path: str,
        *,
        requested_gpus: int | None = None,
        name: str | None = None,
        priority: int = 0,
        **params: Any,
    ) -> Call[DescribeJob]:
        """Queue an ``inference`` job on a checkpoint (params: port, device, dtype, ...)."""
        body: dict[str, Any] = {
            "job_type": "inference",
            "job_params": {"model_path": model_path, **params},
            "priority": priority,
        }
        if name:
            body["name"] = name
        if requested_gpus is not None:
            body["requested_gpus"] = requested_gpus
        return Call("POST", "queue", DescribeJob.model_validate, json=body)

    @endpoint
    def inference_servers(self) -> Call[list[DescribeEndpoint]]:
        """Running inference / TensorBoard jobs with readiness and ``base_url``."""
        return Call("GET", "inference/servers", _servers)

    @endpoint
    def presets(self) -> Call[ListPresets]:
        """Bundled and user generation presets."""
        return Call("GET", "generation-configs", ListPresets.model_validate)

    @endpoint
    def preset(self, name: str) -> Call[DescribePreset]:
        """One generation preset and the parameters it sets."""
        return Call("GET", f"generation-configs/{seg(name)}", DescribePreset.model_validate)

    @endpoint
    def chat(self, /, base: str, messages: str | list[dict[str, Any]], **params: Any) -> Call[str]:
        """One chat reply (not streamed) from the server at ``base``, through the proxy."""
        turns = [{"role": "user", "content": messages}] if isinstance(messages, str) else messages
        body = {**params, "messages": turns, "stream": False}
        path = "inference/chat/completions"
        return Call("POST", path, _reply_text, params={"base": base}, json=body)

    @endpoint
    def get(self, /, path: str, **params: Any) -> Call[Any]:
        """Any GET under the API root, as decoded JSON: for endpoints without a method yet."""
        return Call("GET", path.lstrip("/"), read_raw, params=params)
