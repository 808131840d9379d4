"""The Slurm executor: jobs as Slurm batch jobs, followed with one ``squeue --json`` a poll.

``sbatch --parsable`` submits a small bash wrapper (``<job_dir>/slurm.sh``)
that loads the job's explicit environment from a 0600 file (``--export=NONE``
keeps the server's out, and nothing secret is in argv), runs the command in
its directory and records its exit status in ``<job_dir>/exit_code``; output
goes to the job's log (``--output``, appended), which the server reads as for
a local job, so follow, progress and GC work unchanged. The job directory must
be on a filesystem the compute nodes share with the server.

Slurm's queue orders what it holds: our priority becomes ``--nice`` (higher
priority, lower nice), partition, account, QOS, time and extra arguments come
from the settings and a job's ``executor_params`` override them. While Slurm
holds a job pending its reason (``Resources``, ``Priority``,
``QOSMaxGRESPerUser``) is the job's ``pending_reason``. A kill is
``scancel --signal=TERM --full`` (``--signal=KILL`` when forced; a pending job
is cancelled outright), verified by polling until Slurm says the job ended.
Every client command runs with the server's environment (``SLURM_CONF``
honoured).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shlex
import subprocess
import time
from collections.abc import Mapping
from typing import Any

from ..errors import BadRequest
from ..jobs.launcher import LaunchSpec
from ..models.jobs import EXECUTOR_PARAMS_KEY, CreateJob, DescribeJob
from . import slurm_state
from .base import EngineJob, ExecutorContext, PoolNode, Submitted
from .remote import RemoteExecutor, write_private

#: Settings a job may override under ``executor_params`` (and what sbatch calls them).
OPTIONS = {"partition": "--partition", "account": "--account", "qos": "--qos", "time": "--time"}
#: sbatch options the executor sets itself: the log, identity and environment depend on them.
OWN_OPTIONS = ("--output", "--error", "--open-mode", "--chdir", "--export", "--job-name")
OWN_SHORT = ("-o", "-e", "-D", "-J")  # the same, short (also with the value attached)
COMMAND_TIMEOUT = 30.0
POOL_TTL = 5.0

# The wrapper: NUL-separated env and argv files, so any byte but NUL survives.
# TERM is trapped (not ignored: children would inherit that) so the wrapper outlives
# a soft kill long enough to record how the command ended.
WRAPPER = r"""#!/bin/bash
dir=@JOB_DIR@
while IFS= read -r -d '' kv; do export "$kv"; done < "$dir/slurm.env"
mapfile -d '' argv < "$dir/slurm.argv"
if [ -s "$dir/slurm.cwd" ] && ! cd "$(cat "$dir/slurm.cwd")"; then
  echo "forgather-lab: cannot enter the job's directory" >&2
  echo 127 > "$dir/exit_code"; exit 127
fi
trap 'kill -TERM "$child" 2>/dev/null' TERM
"${argv[@]}" < /dev/null &
child=$!
while :; do
  wait "$child"; code=$?
  kill -0 "$child" 2>/dev/null || break
done
if [ "$code" -gt 128 ] && [ "$code" -le 192 ]; then rec=$((128 - code)); else rec=$code; fi
echo "$rec" > "$dir/exit_code.tmp" && mv "$dir/exit_code.tmp" "$dir/exit_code"
exit "$code"
"""


def own_params(job: DescribeJob | None) -> Mapping[str, Any]:
    """The job's own ``executor_params`` (validated at submit), or none."""
    own = job.params.get(EXECUTOR_PARAMS_KEY) if job is not None else None
    return own if isinstance(own, Mapping) else {}


class SlurmExecutor(RemoteExecutor):
    """Runs jobs as Slurm batch jobs (``ForgatherLab.executor = 'slurm'``)."""

    name = "slurm"

    def __init__(self, context: ExecutorContext) -> None:
        super().__init__(context)
        opts = context.options
        self.partition = str(opts.get("slurm_partition") or "")
        self.account = str(opts.get("slurm_account") or "")
        self.qos = str(opts.get("slurm_qos") or "")
        self.time_limit = str(opts.get("slurm_time") or "")
        self.extra_args = [str(a) for a in opts.get("slurm_extra_args") or []]
        self._jobs: dict[str, DescribeJob] = {}  # what submit() was told of each job
        self._pool: list[PoolNode] | None = None
        self._pool_at = 0.0

    # -- commands ------------------------------------------------------------------

    async def run(self, *argv: str) -> str:
        """A Slurm client command's stdout; OSError with its stderr when it fails."""
        proc = await asyncio.create_subprocess_exec(
            *argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(os.environ),  # the server's: SLURM_CONF and the like
        )
        try:
            out, err = await asyncio.wait_for(proc.communicate(), COMMAND_TIMEOUT)
        except TimeoutError:
            await _stop(proc)
            raise OSError(f"{argv[0]} did not answer within {COMMAND_TIMEOUT:g}s") from None
        except asyncio.CancelledError:
            # The caller gave up (the server stops): no client command is left running
            # past the loop, which cannot reap it any more.
            await _stop(proc)
            raise
        if proc.returncode != 0:
            message = err.decode(errors="replace").strip() or f"exit status {proc.returncode}"
            raise OSError(f"{argv[0]}: {message}")
        return out.decode(errors="replace")

    # -- the engine ---------------------------------------------------------------------

    def options_for(self, job: DescribeJob | None) -> dict[str, str]:
        """partition / account / qos / time for a job: the settings', then its own."""
        values = {
            "partition": self.partition,
            "account": self.account,
            "qos": self.qos,
            "time": self.time_limit,
        }
        own = own_params(job)
        if own:
            for key in OPTIONS:
                if isinstance(own.get(key), str):
                    values[key] = own[key]
        return values

    async def check_request(self, request: CreateJob) -> None:
        params = request.executor_params
        takes = [*OPTIONS, "extra_args"]
        unknown = sorted(set(params) - set(takes))
        if unknown:
            raise BadRequest(
                f"executor_params: Slurm takes {', '.join(takes)}, not {', '.join(unknown)}"
            )
        try:
            extra = shlex.split(params.get("extra_args", ""))
        except ValueError as e:
            raise BadRequest(f"executor_params.extra_args: {e}") from None
        for arg in extra:
            short = not arg.startswith("--") and arg.startswith(OWN_SHORT)
            if arg.split("=", 1)[0] in OWN_OPTIONS or short:
                raise BadRequest(
                    f"executor_params.extra_args: {arg.split('=', 1)[0]} is set by the server "
                    "(the job's log, directory, name and environment depend on it)"
                )

    def sbatch_argv(self, job_id: str, gpus: int, job: DescribeJob | None) -> list[str]:
        """The ``sbatch`` command line (nothing secret in it: the env is in a file)."""
        argv = [
            "sbatch",
            "--parsable",
            f"--job-name=forgather-{job_id}",
            f"--output={self.log_path(job_id)}",
            "--open-mode=append",
            f"--chdir={self.job_dir(job_id)}",
            "--export=NONE",
        ]
        if gpus:
            argv.append(f"--gres=gpu:{gpus}")
        if job is not None and job.priority:
            # Slurm's nice lowers priority; negative nice needs an operator: only ours go down.
            argv.append(f"--nice={max(0, -job.priority)}")
        for key, value in self.options_for(job).items():
            if value:
                argv.append(f"{OPTIONS[key]}={value}")
        if job is not None and job.time_limit and not self.options_for(job)["time"]:
            argv.append(f"--time={max(1, int(job.time_limit // 60) + 1)}")
        argv.extend(self.extra_args)
        own = own_params(job)
        if isinstance(own.get("extra_args"), str):
            argv.extend(shlex.split(own["extra_args"]))
        argv.append(str(self.job_dir(job_id) / "slurm.sh"))
        return argv

    def _write_job_files(self, job_id: str, spec: LaunchSpec, env: dict[str, str]) -> None:
        d = self.job_dir(job_id)
        write_private(d / "slurm.env", b"".join(f"{k}={v}\0".encode() for k, v in env.items()))
        write_private(d / "slurm.argv", b"".join(f"{a}\0".encode() for a in spec.argv))
        write_private(d / "slurm.cwd", (spec.cwd or "").encode())
        # Slurm runs a copy of the script from its spool: the job dir is written into it.
        script = WRAPPER.replace("@JOB_DIR@", shlex.quote(str(d)))
        write_private(d / "slurm.sh", script.encode())
        os.chmod(d / "slurm.sh", 0o700)
        # The server follows the log before Slurm opens it (and it stays private).
        os.close(os.open(self.log_path(job_id), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))

    async def submit(
        self, job_id: str, spec: LaunchSpec, gpus: list[int], job: DescribeJob | None = None
    ) -> Submitted:
        if job is not None:
            self._jobs[job_id] = job
        return await super().submit(job_id, spec, gpus, job)

    async def engine_submit(
        self, job_id: str, spec: LaunchSpec, env: dict[str, str], gpus: int
    ) -> str:
        await asyncio.to_thread(self._write_job_files, job_id, spec, env)
        out = await self.run(*self.sbatch_argv(job_id, gpus, self._jobs.pop(job_id, None)))
        external = out.strip().split(";")[0]  # "<id>[;<cluster>]"
        if not external.isdigit():
            raise OSError(f"sbatch answered {out.strip()[:200]!r}, not a job id")
        return external

    async def squeue(self) -> dict[str, EngineJob]:
        """Every job Slurm lists, by Slurm job id (one call)."""
        # 22.05's --json ignores filters (--jobs, --me): the answer is filtered here.
        return slurm_state.jobs_by_id(json.loads(await self.run("squeue", "--json")))

    async def engine_poll(self, external_ids: dict[str, str]) -> dict[str, EngineJob]:
        listed = await self.squeue()
        return {j: listed[e] for j, e in external_ids.items() if e in listed}

    async def engine_find(self, job_id: str) -> str | None:
        out = await self.run("squeue", "--noheader", "--format=%i", f"--name=forgather-{job_id}")
        ids = out.split()
        return ids[-1] if ids else None

    async def engine_stop(self, external_id: str, force: bool, state: EngineJob | None) -> str:
        if not force:
            # Slurm's own cancel: SIGTERM to every process of the job (the wrapper records
            # how the command ended), SIGKILL after the cluster's KillWait; a job not yet
            # launched is cancelled before it runs, so no signal can be lost in between.
            await self.run("scancel", external_id)
            return "CANCEL" if state is not None and state.phase == "pending" else "SIGTERM"
        # Pending, or already going: the cancel below ends it either way.
        with contextlib.suppress(OSError):
            await self.run("scancel", "--full", "--signal=KILL", external_id)
        await self.run("scancel", external_id)  # and release the allocation at once
        return "SIGKILL"

    # -- the pool ---------------------------------------------------------------------------

    def pool(self) -> list[PoolNode] | None:
        return self._pool if self._pool is not None else []

    def refresh_pool(self) -> list[PoolNode] | None:
        if self._pool is not None and time.monotonic() - self._pool_at < POOL_TTL:
            return self._pool
        try:
            self._pool = slurm_state.pool_nodes(self.nodes_json(), self.partition or None)
        except (OSError, subprocess.SubprocessError, ValueError):
            # Slurm is away: the pool keeps what it last saw (empty at first).
            self._pool = self._pool or []
        self._pool_at = time.monotonic()
        return self._pool

    def nodes_json(self) -> dict[str, Any]:
        """Slurm's nodes (``sinfo --json``; blocking: called in a thread or at a refresh)."""
        done = subprocess.run(
            ["sinfo", "--json"],
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=True,
            env=dict(os.environ),
        )
        found: dict[str, Any] = json.loads(done.stdout)
        return found

    async def start(self) -> None:
        await asyncio.to_thread(self.refresh_pool)
        await super().start()

    async def after_poll(self) -> None:
        await asyncio.to_thread(self.refresh_pool)


async def _stop(proc: asyncio.subprocess.Process) -> None:
    """Kill a Slurm client command and wait for it to exit."""
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    await proc.wait()
