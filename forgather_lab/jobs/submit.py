"""From requests to job rows: validation, defaults, batches and sweeps.

Everything a request can get wrong is found here, before anything is
written: the kind's own checks (a broken config is a 400 now, not a failed
job later), GPUs and memory this server cannot offer, dependencies that do
not exist, the checks other packages add (a dataset server that is not
registered). A batch or a sweep is prepared whole first, so one bad job
means nothing is created.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import math
import secrets
import sqlite3
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from ..errors import BadRequest
from ..gpus.backend import GpuBackend
from ..models.jobs import (
    EXECUTOR_PARAMS_KEY,
    CreateJob,
    CreateJobBatch,
    CreateSweep,
    DescribeJob,
    JobStatus,
)
from ..store import Database
from . import repository as repo
from .kinds import CommandKind, ConfigResolver, JobKind, JobKinds

#: A check other packages add to every enqueue; raises BadRequest to refuse.
EnqueueCheck = Callable[[CreateJob], Awaitable[None]]
#: The largest GPU's memory in MiB (None: no GPU, or unknown).
MaxGpuMemory = Callable[[], "int | None"]

#: Kinds whose jobs take dynamic arguments, so a grid over them means something.
SWEEP_KINDS = frozenset({"training", "eval", "notebook"})
#: Where a job's ``dataset_source`` is kept in its params (hidden from its kind at launch).
DATASET_SOURCE_KEY = "dataset_source"


def new_group_id() -> str:
    """The id shared by the jobs of one batch or sweep."""
    return secrets.token_hex(4)


class Submissions:
    """Turns ``CreateJob`` requests into validated ``NewJob`` rows."""

    def __init__(
        self,
        db: Database,
        kinds: JobKinds,
        *,
        resolver: ConfigResolver | None,
        max_gpus: Callable[[], int],
        max_gpu_memory: MaxGpuMemory | None = None,
        max_sweep_size: int = 1000,
    ) -> None:
        self.db = db
        self.kinds = kinds
        self.resolver = resolver
        self.max_gpus = max_gpus
        self.max_gpu_memory = max_gpu_memory
        self.max_sweep_size = max_sweep_size
        self.checks: list[EnqueueCheck] = []

    async def prepare(
        self,
        request: CreateJob,
        *,
        group: str | None = None,
        rerun_of: str | None = None,
        label: str | None = None,
    ) -> repo.NewJob:
        """One request, validated (BadRequest if not) into the row it creates."""
        kind = self.kinds.get(request.job_type)
        if _touches_nothing(kind, request):
            params = kind.prepare(request, self.resolver)  # a thread hop costs more here
        else:
            params = await asyncio.to_thread(kind.prepare, request, self.resolver)
        return await self._complete(
            request, kind, params, group=group, rerun_of=rerun_of, label=label
        )

    async def _complete(
        self,
        request: CreateJob,
        kind: JobKind,
        params: dict[str, Any],
        *,
        group: str | None,
        rerun_of: str | None = None,
        label: str | None = None,
    ) -> repo.NewJob:
        """The checks and defaults after the kind's own ``prepare`` gave ``params``."""
        requested = request.requested_gpus
        if requested is None:
            requested = kind.default_gpus(params)
        usable = self.max_gpus()
        if requested > usable:
            raise BadRequest(
                f"requested_gpus is {requested} but this server has "
                f"{usable} usable GPU{'s' if usable != 1 else ''}"
            )
        if request.gpu_memory is not None:
            await self._check_memory(request.gpu_memory, requested)
        depends_on = list(dict.fromkeys(request.depends_on))
        await self._check_dependencies(depends_on)
        for check in self.checks:
            await check(request)
        if request.dataset_source is not None:
            params = {**params, DATASET_SOURCE_KEY: request.dataset_source}
        if request.executor_params:
            params = {**params, EXECUTOR_PARAMS_KEY: dict(request.executor_params)}
        name = request.name or default_name(request, params)
        if label:
            name = f"{name} [{label}]"
        return repo.NewJob(
            name=name[:200],
            job_type=kind.name,
            priority=request.priority,
            requested_gpus=requested,
            params=params,
            depends_on=depends_on,
            time_limit=request.time_limit,
            gpu_memory=request.gpu_memory,
            preemptible=request.preemptible,
            max_retries=request.max_retries,
            group=group,
            rerun_of=rerun_of,
        )

    async def prepare_batch(self, batch: CreateJobBatch) -> list[repo.NewJob]:
        """Every job of a batch, in order, sharing one group; the first bad one is a 400.

        The kinds' own checks (file system reads) run for the whole batch in one
        worker thread, not one thread hop per job. A job equal to the one before it
        (a batch is often one job many times) is checked once: the checks judge a
        request against the server's state, and the batch is judged against one
        state (its dependencies are checked again in the transaction that queues
        it). Its row is then the same ``NewJob`` object as the one before.
        """
        group = new_group_id()

        def kinds_prepare() -> list[tuple[JobKind, dict[str, Any]] | None]:
            out: list[tuple[JobKind, dict[str, Any]] | None] = []
            for i, request in enumerate(batch.jobs):
                if i and request == batch.jobs[i - 1]:
                    out.append(None)  # as the one before
                    continue
                try:
                    kind = self.kinds.get(request.job_type)
                    out.append((kind, kind.prepare(request, self.resolver)))
                except BadRequest as e:
                    raise BadRequest(f"jobs[{i}]: {e.message}", reason=e.reason) from e
            return out

        prepared = await asyncio.to_thread(kinds_prepare)
        out: list[repo.NewJob] = []
        for i, (request, done) in enumerate(zip(batch.jobs, prepared, strict=True)):
            if done is None:
                out.append(out[-1])
                continue
            kind, params = done
            try:
                out.append(await self._complete(request, kind, params, group=group))
            except BadRequest as e:
                raise BadRequest(f"jobs[{i}]: {e.message}", reason=e.reason) from e
        return out

    async def prepare_sweep(self, sweep: CreateSweep) -> list[repo.NewJob]:
        """One job per point of the grid (dynamic args over the base's), sharing one group."""
        base = sweep.base
        if base.job_type not in SWEEP_KINDS:
            raise BadRequest(
                f"A sweep varies dynamic arguments, which {base.job_type!r} jobs do not take: "
                f"sweep a {' / '.join(sorted(SWEEP_KINDS))} job, or queue the variants with "
                "POST /queue/batch",
                reason="bad_sweep",
            )
        empty = [k for k, values in sweep.grid.items() if not values]
        if empty:
            raise BadRequest(f"grid[{empty[0]!r}] lists no values", reason="bad_sweep")
        size = math.prod(len(values) for values in sweep.grid.values())
        if size > self.max_sweep_size:
            shape = " x ".join(str(len(v)) for v in sweep.grid.values())
            raise BadRequest(
                f"The grid has {size} points ({shape}); at most {self.max_sweep_size} are "
                "allowed (ForgatherLab.max_sweep_size)",
                reason="sweep_too_large",
            )
        # A notebook's dynamic arguments are its parameters (papermill's), in job_params.
        notebook = base.job_type == "notebook"
        if notebook and base.job_params.get("output"):
            raise BadRequest(
                "Every notebook of the sweep would be written to job_params.output: leave it "
                "out (each job keeps its own executed notebook)",
                reason="bad_sweep",
            )
        source = base.job_params.get("parameters") if notebook else None
        if not notebook:
            source = base.dynamic_args or base.job_params.get("dynamic_args")
        base_args = dict(source or {})
        group = new_group_id()
        keys = list(sweep.grid)
        out = []
        for i, values in enumerate(itertools.product(*sweep.grid.values())):
            point = dict(zip(keys, values, strict=True))
            label = ", ".join(f"{k}={_short(v)}" for k, v in point.items())
            merged = {**base_args, **point}
            if notebook:
                update: dict[str, Any] = {"job_params": {**base.job_params, "parameters": merged}}
            else:
                update = {"dynamic_args": merged}
            request = base.model_copy(update=update)
            try:
                out.append(await self.prepare(request, group=group, label=label))
            except BadRequest as e:
                raise BadRequest(
                    f"grid point {i + 1} of {size} ({label}): {e.message}", reason=e.reason
                ) from e
        return out

    async def _check_memory(self, gpu_memory: int, requested: int) -> None:
        if requested == 0:
            raise BadRequest(
                "gpu_memory is set but the job asks for no GPU (requested_gpus is 0)",
                reason="bad_gpu_memory",
            )
        if self.max_gpu_memory is None:
            return
        largest = await asyncio.to_thread(self.max_gpu_memory)
        if largest is not None and gpu_memory > largest:
            raise BadRequest(
                f"gpu_memory is {gpu_memory} MiB, more than any GPU here has "
                f"(the largest has {largest} MiB)",
                reason="bad_gpu_memory",
            )

    async def _check_dependencies(self, depends_on: list[str]) -> None:
        if not depends_on:
            return
        found = await self.db.run(lambda c: repo.statuses(c, depends_on))
        missing = [d for d in depends_on if d not in found]
        if missing:
            raise BadRequest(f"depends_on names no job {missing[0]!r}", reason="unknown_dependency")
        for dep, status in found.items():
            if status in (JobStatus.FAILED, JobStatus.ABORTED, JobStatus.CANCELLED):
                raise BadRequest(
                    f"depends_on: job {dep} already ended {status.value}, so this job could "
                    "never start",
                    reason="failed_dependency",
                )


def _touches_nothing(kind: JobKind, request: CreateJob) -> bool:
    """Whether ``kind.prepare`` is validation alone (no file system: it may sit on NFS)."""
    return type(kind) is CommandKind and not request.job_params.get("cwd")


def largest_gpu_mib(backend: GpuBackend, excluded: Collection[int]) -> int | None:
    """The memory of the largest usable card in MiB (None without one): the most a job
    may declare as ``gpu_memory``."""
    largest = max(
        (g.memory_total for g in backend.snapshot() if g.index not in excluded), default=0
    )
    return largest // 2**20 or None


def launch_params(params: dict[str, Any]) -> dict[str, Any]:
    """A job's params as its kind wrote them (without what the service keeps beside them)."""
    return {k: v for k, v in params.items() if k not in (DATASET_SOURCE_KEY, EXECUTOR_PARAMS_KEY)}


def default_name(request: CreateJob, params: dict[str, Any]) -> str:
    """A name for a job queued without one."""
    if request.job_type == "command":
        return " ".join(_path_name(params["argv"][0]).split() + params["argv"][1:])[:80]
    if request.job_type in ("training", "eval"):
        return f"{request.job_type}: {params.get('config', '')}"[:80]
    # What the other kinds are about: a label, else the file or folder they serve.
    if isinstance(label := params.get("label"), str) and label:
        return f"{request.job_type}: {label}"[:80]
    for key in ("notebook", "model_path", "logdir", "project_dir"):
        if isinstance(value := params.get(key), str) and value:
            return f"{request.job_type}: {_path_name(value)}"[:80]
    paths = params.get("paths")
    if isinstance(paths, list) and paths and all(isinstance(p, str) for p in paths):
        return f"{request.job_type}: {', '.join(map(_path_name, paths))}"[:80]
    return request.job_type


def _path_name(path: str) -> str:
    """``PurePosixPath(path).name``, without building a path at every submission."""
    parts = [part for part in path.split("/") if part and part != "."]
    return parts[-1] if parts else ""


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    return text if len(text) <= 24 else text[:23] + "…"


#: Inserts of at most this many rows run in place (``Database.run(quick=True)``).
QUICK_ROWS = 16


class GroupCommit:
    """Enqueues that arrive while one is being written go in together: one hop to the
    database thread and one transaction for all of them (group commit).

    The first request is written at once; those arriving during its write wait
    for the next one, so a lone client pays nothing and sixteen share their
    commits. Each caller still gets its own answer: a group a dependency check
    refuses is written again one request at a time, so one bad request fails
    alone. Every answer comes after the commit that made it durable.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._waiting: list[tuple[list[repo.NewJob], asyncio.Future[list[DescribeJob]]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def insert(self, rows: list[repo.NewJob]) -> list[DescribeJob]:
        """``repo.insert_many(rows)``, in a transaction shared with concurrent callers."""
        done: asyncio.Future[list[DescribeJob]] = asyncio.get_running_loop().create_future()
        self._waiting.append((rows, done))
        if self._writer is None:
            self._writer = asyncio.ensure_future(self._write_all())
        return await done

    async def _write_all(self) -> None:
        try:
            while self._waiting:
                group, self._waiting = self._waiting, []
                groups = [rows for rows, _ in group]
                write = functools.partial(_insert_groups, groups=groups)
                try:
                    # A few jobs' insert is quick; a batch's goes to the database thread,
                    # where SQLite's own work runs beside the loop's.
                    answers = await self.db.run(write, quick=sum(map(len, groups)) <= QUICK_ROWS)
                except BaseException as e:  # the store failed them all alike (read-only, full)
                    for _, done in group:
                        if not done.done():
                            done.set_exception(e)
                    if not isinstance(e, Exception):
                        raise
                    continue
                for (_, done), answer in zip(group, answers, strict=True):
                    if done.done():
                        continue  # its caller went away; the jobs exist all the same
                    if isinstance(answer, BaseException):
                        done.set_exception(answer)
                    else:
                        done.set_result(answer)
        finally:
            self._writer = None


def _insert_groups(
    conn: sqlite3.Connection, groups: list[list[repo.NewJob]]
) -> list[list[DescribeJob] | BadRequest]:
    """Each group's records (or the BadRequest that refused it), in one transaction when
    none is refused."""
    if len(groups) > 1:
        try:
            jobs = repo.insert_many(conn, [row for rows in groups for row in rows])
        except BadRequest:
            pass  # one of them names a bad dependency: each alone, below
        else:
            out: list[list[DescribeJob] | BadRequest] = []
            for rows in groups:
                out.append(jobs[: len(rows)])
                jobs = jobs[len(rows) :]
            return out
    answers: list[list[DescribeJob] | BadRequest] = []
    for rows in groups:
        try:
            answers.append(repo.insert_many(conn, rows))
        except BadRequest as e:
            answers.append(e)
    return answers
