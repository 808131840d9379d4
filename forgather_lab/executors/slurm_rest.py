"""The Slurm executor through slurmrestd (``slurm_rest_url`` set): REST instead of the commands.

The same job as ``sbatch`` submits (the wrapper script of ``slurm.py``, whose
environment and argv stay in 0600 files on the shared filesystem), handed over
with ``POST /slurm/v0.0.38/job/submit``; one ``GET .../jobs`` a poll for every
job, ``DELETE .../job/{id}`` to cancel (``?signal=KILL`` when forced) verified
by polling, ``GET .../nodes`` for the pool. States, reasons and the pool are
read by ``slurm_state`` exactly as for ``squeue`` / ``sinfo --json`` (the same
OpenAPI v0.0.38 shapes). The executor keeps the name ``slurm``, so a job
submitted one way is found again the other way.

Authentication is slurmrestd's JWT: ``X-SLURM-USER-NAME`` and
``X-SLURM-USER-TOKEN`` headers, the token read for each request from a file
only its owner can read (``slurm_rest_token_file``, so rotating it needs no
restart); never in argv, a URL or a log line.
"""

from __future__ import annotations

import asyncio
import getpass
import os
import re
import shlex
import stat
from pathlib import Path
from typing import Any

import httpx

from ..errors import BadRequest
from ..jobs.launcher import LaunchSpec
from ..models.jobs import CreateJob, DescribeJob
from . import slurm_state
from .base import EngineJob, ExecutorContext
from .remote import log
from .slurm import COMMAND_TIMEOUT, WRAPPER, SlurmExecutor, own_params

API = "/slurm/v0.0.38"
#: sbatch options ``slurm_extra_args`` / ``extra_args`` may carry, as job properties.
EXTRA = {
    "--comment": ("comment", str),
    "--constraint": ("constraints", str),
    "--reservation": ("reservation", str),
    "--licenses": ("licenses", str),
    "--wckey": ("wckey", str),
    "--exclusive": ("exclusive", str),
    "--cpus-per-task": ("cpus_per_task", int),
    "--cpus-per-gpu": ("cpus_per_gpu", int),
    "--mem": ("memory_per_node", int),
    "--mem-per-cpu": ("memory_per_cpu", int),
    "--mem-per-gpu": ("memory_per_gpu", int),
}
FLAGS = {"--exclusive": ("exclusive", "true"), "--requeue": ("requeue", True)}
FLAGS["--no-requeue"] = ("requeue", False)
_TIME = re.compile(r"^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$")


def time_minutes(value: str) -> int:
    """Slurm's ``--time`` forms (``M``, ``M:S``, ``H:M:S``, ``D-H[:M[:S]]``) in whole minutes."""
    m = _TIME.match(value.strip())
    if not m:
        raise ValueError(f"{value!r} is not a Slurm time (minutes, H:M:S or D-H:M:S)")
    days, first, second, third = (int(g) if g else None for g in m.groups())
    if days is not None:  # D-H[:M[:S]]
        seconds = days * 86400 + (first or 0) * 3600 + (second or 0) * 60 + (third or 0)
    elif third is not None:  # H:M:S
        seconds = (first or 0) * 3600 + (second or 0) * 60 + third
    elif second is not None:  # M:S
        seconds = (first or 0) * 60 + second
    else:
        seconds = (first or 0) * 60
    return max(1, -(-seconds // 60))


def extra_properties(args: list[str]) -> dict[str, Any]:
    """sbatch arguments as v0.0.38 job properties (ValueError for one slurmrestd lacks)."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in FLAGS and not eq:
            key, flag = FLAGS[name]
            out[key] = flag
        elif name in EXTRA:
            if not eq:
                i += 1
                if i == len(args):
                    raise ValueError(f"{name} needs a value")
                value = args[i]
            key, kind = EXTRA[name]
            try:
                out[key] = kind(value)
            except ValueError:
                raise ValueError(f"{name}={value}: a number is needed") from None
        else:
            takes = ", ".join(sorted({*EXTRA, *FLAGS}))
            raise ValueError(f"{name} cannot be sent through slurmrestd (it takes {takes})")
        i += 1
    return out


class SlurmRestExecutor(SlurmExecutor):
    """Slurm jobs through slurmrestd's REST API (``executor = 'slurm'`` + ``slurm_rest_url``)."""

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        opts = context.options
        self.url = str(opts.get("slurm_rest_url") or "").rstrip("/")
        self.token_path = Path(str(opts.get("slurm_rest_token_file") or ""))
        self.user = str(opts.get("slurm_rest_user") or "") or getpass.getuser()
        if not self.url:
            raise ValueError("SlurmRestExecutor needs slurm_rest_url")
        if not str(opts.get("slurm_rest_token_file") or ""):
            raise ValueError(
                "slurm_rest_url needs slurm_rest_token_file: a 0600 file with a JWT "
                "(scontrol token username=USER lifespan=SECONDS)"
            )
        self._server_extra = extra_properties(self.extra_args)  # refused at start if it can't

    # -- requests -------------------------------------------------------------------

    def headers(self) -> dict[str, str]:
        """The JWT headers, the token read now from its private file."""
        try:
            fd = os.open(self.token_path, os.O_RDONLY | os.O_NOFOLLOW)
        except OSError as e:
            raise OSError(f"slurm_rest_token_file {self.token_path}: {e.strerror}") from None
        with os.fdopen(fd) as f:
            mode = stat.S_IMODE(os.fstat(f.fileno()).st_mode)
            if mode & 0o077:
                raise OSError(
                    f"slurm_rest_token_file {self.token_path} is open to group or others "
                    f"(mode {mode:04o}): chmod 600 it"
                )
            token = f.read().strip()
        if token.startswith("SLURM_JWT="):  # what scontrol token prints, kept as it is
            token = token.split("=", 1)[1]
        if not token:
            raise OSError(f"slurm_rest_token_file {self.token_path} is empty")
        return {"X-SLURM-USER-NAME": self.user, "X-SLURM-USER-TOKEN": token}

    def _answer(self, method: str, path: str, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = {}
        body = body if isinstance(body, dict) else {}
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
        said = "; ".join(
            " ".join(str(e[k]) for k in ("error", "description") if e.get(k)) for e in errors
        )
        if response.status_code in (401, 403):
            raise OSError(
                f"slurmrestd refused the token for {self.user} ({response.status_code}): "
                "mint a new one with scontrol token"
            )
        if any(e.get("error_number") == -1 for e in errors):
            # 22.05 answers a token slurmctld rejects (bad, expired) with errno -1, no more.
            said += " (is the token in slurm_rest_token_file valid and not expired?)"
        if response.status_code >= 400 or errors:
            raise OSError(f"slurmrestd {method} {path}: {said or f'HTTP {response.status_code}'}")
        return body

    async def call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One request to slurmrestd; OSError with its words (or why it was not reached)."""
        headers = self.headers()
        try:
            async with httpx.AsyncClient(timeout=COMMAND_TIMEOUT) as client:
                r = await client.request(method, self.url + API + path, headers=headers, **kwargs)
        except httpx.HTTPError as e:
            raise OSError(f"slurmrestd at {self.url} is unreachable: {type(e).__name__}") from None
        return self._answer(method, path, r)

    async def start(self) -> None:
        try:
            await asyncio.to_thread(self.headers)
        except OSError as e:
            # Not fatal: the file may come later; until then every request is refused so.
            log.warning("slurm: %s", e)
        await super().start()

    # -- the engine -------------------------------------------------------------------

    async def check_request(self, request: CreateJob) -> None:
        await super().check_request(request)
        options = request.executor_params
        try:
            extra_properties(shlex.split(options.get("extra_args", "")))
            if isinstance(options.get("time"), str):
                time_minutes(options["time"])
        except ValueError as e:
            raise BadRequest(f"executor_params: {e}") from None

    def submission(self, job_id: str, gpus: int, job: DescribeJob | None) -> dict[str, Any]:
        """The ``job/submit`` body: what ``sbatch_argv`` says, as v0.0.38 job properties."""
        log = str(self.log_path(job_id))
        props: dict[str, Any] = {
            "name": f"forgather-{job_id}",
            "standard_output": log,
            "standard_error": log,
            "open_mode": "append",
            "current_working_directory": str(self.job_dir(job_id)),
            # As --export=NONE: the wrapper loads the job's own env from its 0600 file.
            "environment": {"PATH": "/usr/bin:/bin"},
        }
        if gpus:
            props["gres"] = f"gpu:{gpus}"
        if job is not None and job.priority:
            props["nice"] = max(0, -job.priority)
        options = self.options_for(job)
        for key in ("partition", "account", "qos"):
            if options[key]:
                props[key] = options[key]
        if options["time"]:
            props["time_limit"] = time_minutes(options["time"])
        elif job is not None and job.time_limit:
            props["time_limit"] = max(1, int(job.time_limit // 60) + 1)
        props.update(self._server_extra)
        own = own_params(job)
        if isinstance(own.get("extra_args"), str):
            props.update(extra_properties(shlex.split(own["extra_args"])))
        script = WRAPPER.replace("@JOB_DIR@", shlex.quote(str(self.job_dir(job_id))))
        return {"script": script, "job": props}

    async def engine_submit(
        self, job_id: str, spec: LaunchSpec, env: dict[str, str], gpus: int
    ) -> str:
        await asyncio.to_thread(self._write_job_files, job_id, spec, env)
        try:
            body = self.submission(job_id, gpus, self._jobs.pop(job_id, None))
        except ValueError as e:
            raise OSError(f"slurmrestd: {e}") from None
        try:
            answer = await self.call("POST", "/job/submit", json=body)
        except OSError:
            # The answer may be what was lost (a timeout, a dropped connection) and the
            # job taken: one that is queued or running under its name is ours.
            landed = await self._landed(job_id)
            if landed is None:
                raise
            return landed
        external = answer.get("job_id")
        if not isinstance(external, int):
            raise OSError(f"slurmrestd answered no job id: {str(answer)[:200]}")
        return str(external)

    async def squeue(self) -> dict[str, EngineJob]:
        return slurm_state.jobs_by_id(await self.call("GET", "/jobs"))

    async def engine_find(self, job_id: str) -> str | None:
        jobs = (await self.call("GET", "/jobs")).get("jobs", [])
        ids = [int(j["job_id"]) for j in jobs if j.get("name") == f"forgather-{job_id}"]
        return str(max(ids)) if ids else None

    async def _landed(self, job_id: str) -> str | None:
        try:
            listed = (await self.call("GET", "/jobs")).get("jobs", [])
        except OSError:
            return None
        name = f"forgather-{job_id}"
        ids = [
            int(j["job_id"])
            for j in listed
            if j.get("name") == name and slurm_state.engine_job(j).phase != "ended"
        ]
        return str(max(ids)) if ids else None

    async def engine_stop(self, external_id: str, force: bool, state: EngineJob | None) -> str:
        if not force:
            # As scancel: Slurm's cancel sends TERM to the job's processes, KILL after
            # KillWait; a pending job is cancelled before it runs.
            await self.call("DELETE", f"/job/{external_id}")
            return "CANCEL" if state is not None and state.phase == "pending" else "SIGTERM"
        # 22.05's DELETE has no --full: KILL is Slurm's cancel too, its KillWait the grace.
        await self.call("DELETE", f"/job/{external_id}", params={"signal": "KILL"})
        return "SIGKILL"

    def nodes_json(self) -> dict[str, Any]:
        try:
            r = httpx.get(
                self.url + API + "/nodes", headers=self.headers(), timeout=COMMAND_TIMEOUT
            )
        except httpx.HTTPError as e:
            raise OSError(f"slurmrestd at {self.url} is unreachable: {type(e).__name__}") from None
        return self._answer("GET", "/nodes", r)
