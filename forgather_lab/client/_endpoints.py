"""Every REST endpoint as a method, written once for the sync and the async client.

Each method describes its request as a ``Call`` and hands it to ``self._call``:
the sync ``Client`` performs it and returns the parsed result, the
``AsyncClient`` returns an awaitable of the same. Results are the server's own
pydantic models (``forgather_lab.models``), so the client and the OpenAPI
document cannot drift apart; endpoints without a published model answer a
plain ``dict``.

Extension point: inference / chat (issue 7) adds its methods here, next to
the jobs they talk to, once the server has the proxy endpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import quote

from ..models.gpus import DescribeGpuPolicy, KillGpuResult, ListGpuPolicies, ListGpus
from ..models.health import DescribeHealth
from ..models.jobs import CleanupResult, DescribeJob, DescribeScheduler, KillResult, ListJobs

Control = Literal["save", "stop", "save-stop", "abort", "kill", "force-kill"]
CONTROLS: tuple[str, ...] = ("save", "stop", "save-stop", "abort", "kill", "force-kill")


def _identity(data: Any) -> Any:
    return data


@dataclass
class Call:
    """One request: verb, path under the API root, query, JSON body, how to read the reply."""

    method: str
    path: str
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    parse: Callable[[Any], Any] = _identity
    text: bool = False  # the reply is text/plain, not JSON
    ok_statuses: tuple[int, ...] = ()  # non-2xx statuses whose body is still the answer


def _seg(value: str | int) -> str:
    return quote(str(value), safe="")


def _jobs(data: Any) -> list[DescribeJob]:
    return [DescribeJob.model_validate(j) for j in data["jobs"]]


class Endpoints:
    """The API, one method per endpoint (see the module docstring)."""

    def _call(self, call: Call) -> Any:
        raise NotImplementedError

    # -- health ------------------------------------------------------------------------

    def health(self) -> DescribeHealth:
        """``GET /health``; a degraded server answers too, with ``status="error"``."""
        return self._call(
            Call("GET", "health", parse=DescribeHealth.model_validate, ok_statuses=(503,))
        )

    def openapi(self) -> dict[str, Any]:
        """The server's OpenAPI document."""
        return self._call(Call("GET", "openapi.json"))

    # -- queue and scheduler -----------------------------------------------------------

    def queue(self) -> list[DescribeJob]:
        """Queued jobs in dispatch order."""
        return self._call(Call("GET", "queue", parse=_jobs))

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
    ) -> DescribeJob:
        """Queue a job: a ``command`` (argv list) or a project ``config`` (training by default).

        The answer comes once the job is durable on the server. ``gpus=None``
        takes what a config declares (0 for a command).
        """
        body: dict[str, Any] = {"priority": priority}
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
        return self._call(Call("POST", "queue", json=body, parse=DescribeJob.model_validate))

    def cancel(self, job_id: str) -> DescribeJob:
        """Cancel a queued job, or abort it if it already runs."""
        return self._call(Call("DELETE", f"queue/{_seg(job_id)}", parse=DescribeJob.model_validate))

    def scheduler(self) -> DescribeScheduler:
        """Whether the scheduler dispatches, and how many jobs are queued and running."""
        return self._call(Call("GET", "queue/scheduler", parse=DescribeScheduler.model_validate))

    def set_scheduler(self, enabled: bool) -> DescribeScheduler:
        """Pause (``False``) or resume (``True``) dispatching."""
        return self._call(
            Call(
                "POST",
                "queue/scheduler",
                json={"enabled": enabled},
                parse=DescribeScheduler.model_validate,
            )
        )

    def pause(self) -> DescribeScheduler:
        """Stop dispatching new jobs (running ones go on)."""
        return self.set_scheduler(False)

    def resume(self) -> DescribeScheduler:
        """Dispatch again."""
        return self.set_scheduler(True)

    # -- jobs --------------------------------------------------------------------------

    def jobs(
        self, status: str | Sequence[str] | None = None, limit: int = 100, offset: int = 0
    ) -> ListJobs:
        """Jobs, newest first; ``status`` filters (one name, a list, or comma-separated)."""
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if status:
            params["status"] = status if isinstance(status, str) else ",".join(status)
        return self._call(Call("GET", "jobs", params=params, parse=ListJobs.model_validate))

    def job(self, job_id: str) -> DescribeJob:
        """One job record."""
        return self._call(Call("GET", f"jobs/{_seg(job_id)}", parse=DescribeJob.model_validate))

    def delete_job(self, job_id: str) -> None:
        """Delete a finished job and its log."""
        return self._call(Call("DELETE", f"jobs/{_seg(job_id)}", parse=lambda _: None))

    def cleanup(self) -> CleanupResult:
        """Delete every finished job."""
        return self._call(Call("POST", "jobs/cleanup", parse=CleanupResult.model_validate))

    def gc(self) -> CleanupResult:
        """Remove log directories of jobs that no longer exist."""
        return self._call(Call("POST", "jobs/gc", parse=CleanupResult.model_validate))

    def control(self, job_id: str, action: Control) -> Any:
        """``POST /jobs/{id}/control/{action}``: save, stop, save-stop, abort, kill, force-kill.

        kill and force-kill answer a ``KillResult``; the trainer controls the
        server's reply as a dict.
        """
        if action not in CONTROLS:
            raise ValueError(f"unknown control {action!r}; expected one of {', '.join(CONTROLS)}")
        parse = KillResult.model_validate if action in ("kill", "force-kill") else _identity
        return self._call(Call("POST", f"jobs/{_seg(job_id)}/control/{action}", parse=parse))

    def save(self, job_id: str) -> dict[str, Any]:
        """Ask a running trainer to write a checkpoint."""
        return self.control(job_id, "save")

    def stop(self, job_id: str) -> dict[str, Any]:
        """Graceful stop: the trainer saves a final checkpoint and exits."""
        return self.control(job_id, "stop")

    def save_stop(self, job_id: str) -> dict[str, Any]:
        """Save, then stop."""
        return self.control(job_id, "save-stop")

    def abort(self, job_id: str) -> dict[str, Any]:
        """Stop at once, without a checkpoint."""
        return self.control(job_id, "abort")

    def kill(self, job_id: str) -> KillResult:
        """SIGTERM to the job's process group."""
        return self.control(job_id, "kill")

    def force_kill(self, job_id: str) -> KillResult:
        """SIGKILL to the job's process group."""
        return self.control(job_id, "force-kill")

    def job_status(self, job_id: str) -> dict[str, Any]:
        """The trainer's latest report: step, progress, loss, lr, checkpoint, recent commands."""
        return self._call(Call("GET", f"jobs/{_seg(job_id)}/status"))

    def inline_progress(self, job_id: str) -> dict[str, Any]:
        """Stage and percent of a job, from its reporter or parsed from its log."""
        return self._call(Call("GET", f"jobs/{_seg(job_id)}/inline-progress"))

    def metrics(
        self,
        job_id: str,
        names: Sequence[str] | None = None,
        since_step: int | None = None,
        max_points: int | None = None,
    ) -> dict[str, Any]:
        """Metric series ``{"series": {name: [[step, value], ...]}}`` the job reported.

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
        return self._call(Call("GET", f"jobs/{_seg(job_id)}/metrics", params=params))

    def tty(self, job_id: str, max_bytes: int = 256 * 1024) -> str:
        """The end of the job's log (at most ``max_bytes``)."""
        return self._call(
            Call("GET", f"jobs/{_seg(job_id)}/tty", params={"max_bytes": max_bytes}, text=True)
        )

    # -- GPUs --------------------------------------------------------------------------

    def gpus(self) -> ListGpus:
        """Every GPU: telemetry, policy, reservation and processes."""
        return self._call(Call("GET", "gpus", parse=ListGpus.model_validate))

    def gpu_policies(self) -> ListGpuPolicies:
        """Per-GPU runtime policies."""
        return self._call(Call("GET", "gpus/policy", parse=ListGpuPolicies.model_validate))

    def set_gpu_policy(
        self, index: int, *, disabled: bool | None = None, min_priority: int | None = None
    ) -> DescribeGpuPolicy:
        """Disable / enable a GPU or set its min_priority gate; ``None`` leaves a field alone."""
        body = {
            k: v
            for k, v in (("disabled", disabled), ("min_priority", min_priority))
            if v is not None
        }
        return self._call(
            Call(
                "POST",
                f"gpus/{int(index)}/policy",
                json=body,
                parse=DescribeGpuPolicy.model_validate,
            )
        )

    def kill_gpu(self, index: int, *, confirmed: bool = False) -> KillGpuResult:
        """SIGKILL every compute process on a GPU; the server insists on ``confirmed=True``."""
        return self._call(
            Call(
                "POST",
                f"gpus/{int(index)}/kill",
                json={"confirmed": confirmed},
                parse=KillGpuResult.model_validate,
            )
        )

    # -- projects (read side; the Lab panel owns editing) --------------------------------

    def projects(self) -> dict[str, Any]:
        """Workspaces with their projects, and the unaffiliated projects."""
        return self._call(Call("GET", "projects"))

    def project(self, project_dir: str) -> dict[str, Any]:
        """One project."""
        return self._call(Call("GET", "project", params={"project_dir": project_dir}))

    def dynamic_args(self, project_dir: str, config: str | None = None) -> dict[str, Any]:
        """The dynamic-args schema (``args``) and current ``values`` of a config."""
        params = {"project_dir": project_dir, **({"config": config} if config else {})}
        return self._call(Call("GET", "config/dynamic-args", params=params))

    def output_dir(self, project_dir: str, config: str | None = None) -> dict[str, Any]:
        """A config's resolved output_dir (overrides applied)."""
        params = {"project_dir": project_dir, **({"config": config} if config else {})}
        return self._call(Call("GET", "config/output-dir", params=params))

    # -- inference (the proxy injects the server's token; docs/inference.md) ------------

    def serve_inference(
        self,
        model_path: str,
        *,
        requested_gpus: int | None = None,
        name: str | None = None,
        priority: int = 0,
        **params: Any,
    ) -> DescribeJob:
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
        return self._call(Call("POST", "queue", json=body, parse=DescribeJob.model_validate))

    def inference_servers(self) -> list[dict[str, Any]]:
        """Running inference / TensorBoard jobs with readiness and ``base_url``."""
        return self._call(Call("GET", "inference/servers", parse=lambda d: d["servers"]))

    def chat(self, base: str, messages: str | list[dict[str, Any]], **params: Any) -> str:
        """One chat reply (not streamed) from the server at ``base``, through the proxy."""
        turns = [{"role": "user", "content": messages}] if isinstance(messages, str) else messages
        return self._call(
            Call(
                "POST",
                "inference/chat/completions",
                params={"base": base},
                json={**params, "messages": turns, "stream": False},
                parse=lambda d: d["choices"][0]["message"]["content"],
            )
        )

    def get(self, path: str, **params: Any) -> Any:
        """Any GET under the API root, for endpoints this client has no method for yet."""
        return self._call(Call("GET", path.lstrip("/"), params=params))
