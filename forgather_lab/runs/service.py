"""The runs service: provenance at dispatch, re-run, compare, the runs table, export.

Provenance is captured off the critical path: the service listens on the
bus for ``job_status_changed`` to ``running`` (published after the process
was started and recorded) and captures in a worker thread, so dispatch
never waits for git, a package listing or a render. One capture runs at a
time (``ThreadBatches``): the jobs that started meanwhile are captured
together by the next, in one hop to a thread (a drain starts hundreds of
jobs a second, and a hop each cost the server more than the captures).
Until the record is written, ``provenance`` answers 404 with the reason
``provenance_pending`` (the job is queued, starting, or being captured: a
few hundred milliseconds once it runs); a job that ended without one (it
never ran, its capture failed, or it ran before this server captured
provenance) answers 404 ``provenance_missing``; an unknown job is a plain
404. A running job without a record and no capture in flight (re-attached
after a restart, or asked about in the instant between its start being
recorded and announced) is captured on that request.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

from ..errors import BadRequest, NotFound
from ..events import Event, EventBus
from ..jobs.endings import attempt_env
from ..jobs.kinds import JobKinds
from ..jobs.submit import launch_params
from ..models.jobs import DescribeJob, JobStatus
from ..models.runs import (
    MAX_COMPARE_JOBS,
    MAX_COMPARE_KEYS,
    CompareAxis,
    CompareMetrics,
    DescribeProvenance,
    GpuIdentity,
    ListRunsTable,
    RerunJob,
)
from ..store import Database
from ..tasks import ThreadBatches
from . import curves, export, provenance, table
from .provenance import Launch, Renderer
from .rerun import rerun_request

log = logging.getLogger("forgather_lab.runs")

PENDING = frozenset({JobStatus.QUEUED, JobStatus.STARTING, JobStatus.RUNNING})
#: How long after a job starts its provenance is captured (seconds).
CAPTURE_DELAY = 0.02


class Jobs(Protocol):
    """What the runs service needs of the jobs service."""

    kinds: JobKinds

    async def get(self, job_id: str) -> DescribeJob: ...

    async def enqueue(
        self, request: Any, *, rerun_of: str | None = None, group: str | None = None
    ) -> DescribeJob: ...


#: The metric names a job has reported (``control.metrics.names``).
MetricNames = Callable[[sqlite3.Connection, str], list[str]]
#: The cards as the GPU backend sees them now.
GpuList = Callable[[], list[GpuIdentity]]
#: A project directory as the client wrote it → its resolved path (raises for a bad one).
ProjectPath = Callable[[str], str]
#: A resolved project directory → its default config (what a job queued without one ran).
DefaultConfig = Callable[[str], "str | None"]
#: Refuses a config name that is not one of the project's (400 / 403), as every
#: config endpoint does; the runs table names configs the same way.
ConfigCheck = Callable[[str, str], None]


class RunsService:
    """Provenance, re-runs, comparisons, the runs table and CSV export."""

    def __init__(
        self,
        db: Database,
        bus: EventBus,
        jobs: Jobs,
        job_dir: Callable[[str], Path],
        *,
        base_env: dict[str, str],
        gpus: GpuList,
        levels: Sequence[int],
        metric_names: MetricNames,
        render: Renderer | None = None,
        project_path: ProjectPath | None = None,
        default_config: DefaultConfig | None = None,
        check_config: ConfigCheck | None = None,
    ) -> None:
        self.db = db
        self.bus = bus
        self.jobs = jobs
        self.job_dir = job_dir
        self.base_env = base_env
        self.gpus = gpus
        # The metric series and their rollups belong to control/ (a sibling): what of
        # them the reads need is handed in by the runtime.
        self.levels = tuple(levels)
        self.metric_names = metric_names
        self.render = render
        self.project_path = project_path or (lambda p: os.path.realpath(os.path.expanduser(p)))
        self.default_config = default_config or (lambda _: None)
        self.check_config = check_config or (lambda _p, _c: None)
        # A job's first milliseconds are its command's start: the capture (a thread
        # holding the interpreter lock, on the same cores) waits until they are over,
        # and the jobs that start meanwhile are captured with it.
        self._captures = ThreadBatches(self._capture_all, "provenance captures", CAPTURE_DELAY)
        self._capturing: dict[str, asyncio.Future[None]] = {}  # by job id: captures in flight
        self._failed: dict[str, str] = {}  # job id → why its capture failed
        self._unlisten: Callable[[], None] | None = None

    def start(self) -> None:
        """Capture provenance of every job that starts from now on (call on the loop)."""
        if self._unlisten is None:
            self._unlisten = self.bus.listen(self._on_event)

    async def close(self) -> None:
        """Stop listening and cancel captures in flight."""
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        await self._captures.close()

    # -- provenance -------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        if event.type != "job_status_changed" or event.data.get("status") != "running":
            return
        if event.data.get("previous") == JobStatus.RUNNING.value:
            return
        # The record is parsed by the capture's thread, not here on the loop.
        self._spawn_capture(event.data["job"])

    def _spawn_capture(self, job: DescribeJob | dict[str, Any]) -> None:
        job_id = _job_id(job)
        self._failed.pop(job_id, None)

        def done(future: asyncio.Future[None]) -> None:
            if self._capturing.get(job_id) is future:
                del self._capturing[job_id]
            if not future.cancelled() and (e := future.exception()) is not None:
                self._failed[job_id] = f"{type(e).__name__}: {e}"[:300]

        future = self._capturing[job_id] = self._captures.submit(job)
        future.add_done_callback(done)

    async def captured(self, job_id: str) -> None:
        """Return once no capture of ``job_id`` is in flight (before its directory goes:
        a capture makes the directory, and one that ran late would make it again)."""
        future = self._capturing.get(job_id)
        if future is not None:
            await asyncio.wait([future])

    def _capture_all(self, jobs: list[DescribeJob | dict[str, Any]]) -> list[BaseException | None]:
        """Capture each of ``jobs`` in turn (a worker thread's work): None, or why it failed."""
        gpus = self._cards()  # one look at the cards for the jobs that started together
        answers: list[BaseException | None] = []
        for item in jobs:
            try:
                job = item if isinstance(item, DescribeJob) else DescribeJob.model_validate(item)
                self.capture_now(job, gpus)
                answers.append(None)
            except Exception as e:  # any failure is logged and answered, never lost
                log.exception("could not capture the provenance of job %s", _job_id(item))
                answers.append(e)
        return answers

    def _cards(self) -> list[GpuIdentity]:
        try:
            return self.gpus()
        except Exception as e:  # a driver hiccup must not lose the rest of the record
            log.warning("GPU snapshot for provenance failed: %s", e)
            return []

    def capture_now(
        self, job: DescribeJob, gpus: list[GpuIdentity] | None = None
    ) -> DescribeProvenance:
        """Capture and store ``job``'s provenance (sync, blocking: a worker thread's work).

        ``gpus``: the cards as they are now (None: asked of the backend here).
        """
        spec = self.jobs.kinds.get(job.job_type).launch_spec(launch_params(job.params), job.gpus)
        job_dir = self.job_dir(job.id)
        # Its runner makes it too, and may not have yet: private either way.
        job_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        if gpus is None:
            gpus = self._cards()
        record, text = provenance.capture(
            job,
            # The start adds the attempt's variables (names only are kept, like the rest).
            Launch(
                argv=list(spec.argv), cwd=spec.cwd, env={**spec.env, **attempt_env(job.attempt)}
            ),
            job_dir,
            base_env=self.base_env,
            gpus=gpus,
            render=self.render,
        )
        provenance.write(job_dir, text)
        return record

    async def provenance(self, job_id: str) -> DescribeProvenance:
        """The captured record; 404 (``provenance_pending`` / ``_missing``) without one."""
        job = await self.jobs.get(job_id)
        found = await asyncio.to_thread(provenance.read, self.job_dir(job.id))
        if found is not None:
            return found
        failed = self._failed.get(job.id)
        if job.status == JobStatus.RUNNING and failed is None and job.id not in self._capturing:
            self._spawn_capture(job)
        if failed is None and (job.status in PENDING or job.id in self._capturing):
            raise NotFound(
                f"The provenance of job {job.id} is not captured yet: it is captured once "
                "the job runs, in the background",
                reason="provenance_pending",
            )
        why = (
            f"its capture failed ({failed})"
            if failed
            else ("it never ran, or ran before provenance was captured")
        )
        raise NotFound(f"Job {job.id} has no provenance: {why}", reason="provenance_missing")

    async def provenance_diff(self, job_id: str) -> bytes:
        """The uncommitted diff captured with the provenance (empty when there was none)."""
        record = await self.provenance(job_id)
        if record.git_diff is None:
            return b""
        path = self.job_dir(record.job_id) / provenance.DIFF_FILE
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return b""

    # -- re-run -----------------------------------------------------------------

    async def rerun(self, job_id: str, changes: RerunJob) -> DescribeJob:
        """Queue ``job_id`` again with ``changes`` (400 and nothing queued when invalid)."""
        job = await self.jobs.get(job_id)
        return await self.jobs.enqueue(rerun_request(job, changes), rerun_of=job.id)

    # -- compare ----------------------------------------------------------------

    async def compare(
        self,
        job_ids: list[str],
        keys: list[str] | None,
        max_points: int,
        axis: CompareAxis = "step",
    ) -> CompareMetrics:
        """Each job's curves, downsampled; unknown jobs are listed in ``missing``.

        ``axis="time"``: x is the unix time each point was recorded at
        (``curves.timed_curve``); metrics with points left out for having no
        time are listed in ``untimed``.
        """
        job_ids = list(dict.fromkeys(job_ids))
        if not job_ids:
            raise BadRequest("jobs: name at least one job id")
        if len(job_ids) > MAX_COMPARE_JOBS:
            raise BadRequest(f"jobs: at most {MAX_COMPARE_JOBS} jobs, got {len(job_ids)}")
        if keys is not None and len(keys) > MAX_COMPARE_KEYS:
            raise BadRequest(f"keys: at most {MAX_COMPARE_KEYS} keys, got {len(keys)}")

        def read(conn: Any) -> CompareMetrics:
            marks = ",".join("?" * len(job_ids))
            known = {
                r[0] for r in conn.execute(f"SELECT id FROM jobs WHERE id IN ({marks})", job_ids)
            }
            series: dict[str, dict[str, list[tuple[int | float, float]]]] = {}
            untimed: dict[str, list[str]] = {}
            for job_id in job_ids:
                if job_id not in known:
                    continue
                wanted = (
                    keys if keys is not None else self.metric_names(conn, job_id)[:MAX_COMPARE_KEYS]
                )
                by_key: dict[str, list[tuple[int | float, float]]] = {}
                for k in wanted:
                    if axis == "step":
                        by_key[k] = list(curves.curve(conn, job_id, k, max_points, self.levels))
                        continue
                    points, partial = curves.timed_curve(conn, job_id, k, max_points, self.levels)
                    by_key[k] = list(points)
                    if partial:
                        untimed.setdefault(job_id, []).append(k)
                series[job_id] = by_key
            # Built, not validated: 100 runs of 1,000 points are 10^5 pairs whose types the
            # reads above already fix (INTEGER steps, REAL values and times), and validating
            # them again cost as much as serializing them (measured: ~40 ms each).
            return CompareMetrics.model_construct(
                series=series,
                axis=axis,
                untimed=untimed,
                missing=[j for j in job_ids if j not in known],
            )

        return await self.db.run(read)

    # -- the runs table ---------------------------------------------------------

    async def runs(self, project_dir: str, config: str | None, limit: int) -> ListRunsTable:
        """One row per job of the project (and config), newest first."""
        wanted = await asyncio.to_thread(self.project_path, project_dir)
        if config is not None:
            await asyncio.to_thread(self.check_config, project_dir, config)
        candidates = await self.db.run(table.config_jobs)
        resolved: dict[str, str | None] = {}

        def same(raw: str) -> bool:
            if raw not in resolved:
                try:
                    resolved[raw] = self.project_path(raw)
                except Exception:  # a project since deleted matches nothing
                    resolved[raw] = None
            return resolved[raw] == wanted

        def pick() -> list[DescribeJob]:
            default: list[str | None] = []  # looked up once, only if a job needs it
            out = []
            for job, raw, cfg in candidates:
                if not same(raw):
                    continue
                if config is not None and cfg is None:
                    if not default:
                        default.append(_default(self.default_config, wanted))
                    cfg = default[0]
                if config is None or _stem(cfg) == _stem(config):
                    out.append(job)
                    if len(out) >= limit:
                        break
            return out

        picked = await asyncio.to_thread(pick)

        def read(conn: Any) -> ListRunsTable:
            coarsest = self.levels[-1]
            rows = [
                table.row(
                    job, table.summaries(conn, job.id, self.metric_names(conn, job.id), coarsest)
                )
                for job in picked
            ]
            keys = sorted({k for r in rows for k in r.metrics})
            return ListRunsTable(runs=rows, metric_keys=keys)

        return await self.db.run(read)

    # -- export -----------------------------------------------------------------

    async def metrics_csv(self, job_id: str, keys: list[str] | None) -> AsyncIterator[str]:
        """The job's metrics as CSV text, page by page (404 for an unknown job)."""
        job = await self.jobs.get(job_id)
        names = (
            keys if keys is not None else await self.db.run(lambda c: self.metric_names(c, job.id))
        )
        return self._csv(job.id, names)

    async def _csv(self, job_id: str, names: list[str]) -> AsyncIterator[str]:
        yield export.HEADER
        for name in names:
            after: int | None = None
            while True:
                points = await self.db.run(
                    lambda c, n=name, a=after: export.page(c, job_id, n, a)  # type: ignore[misc]
                )
                if not points:
                    break
                yield export.lines(name, points)
                after = points[-1][0]
                if len(points) < export.PAGE:
                    break


def _default(lookup: DefaultConfig, project: str) -> str | None:
    try:
        return lookup(project)
    except Exception:  # a broken meta.yaml: the default is unknown
        return None


def _stem(config: str | None) -> str | None:
    return None if config is None else config.removesuffix(".yaml")


def _job_id(job: DescribeJob | dict[str, Any]) -> str:
    """The id of a record, or of a record's JSON form as an event carries it."""
    return job.id if isinstance(job, DescribeJob) else str(job["id"])
