"""The core services of one pool, composed once; no HTTP in here.

A ``Runtime`` is built from the settings alone (``ForgatherLabSettings``:
the server extension passes itself, a JupyterHub service or a test passes
its own) and needs no Jupyter server: ``start(server_url)`` once the event
loop runs and the host knows where jobs can call back, ``stop()`` at the
end. When the state cannot be opened the runtime still exists, in a
degraded state that says why (``error``), so the host keeps working and the
Forgather panel can show the problem instead of the extension vanishing.

Over 500 lines on purpose: this is the composition root, where every service
is built from the settings and wired to the others, in the order their
dependencies need, and started and stopped in reverse. Split by area, the one
order of construction (and of shutdown) would have to be read across files.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_config_dir

from ._version import __version__
from .cluster.local_jobs import pool_jobs
from .cluster.service import ClusterService, LocalNode
from .control import ControlService
from .control import metrics as metric_series
from .control.external import ExternalKind, ExternalTrainers
from .control.limits import TimeLimits
from .control.preemption import Preemptor, Stopper
from .control.server_config import ServerConfig
from .datasets.kind import DatasetServerKind, default_hf_cache
from .datasets.registry import DatasetRegistry
from .docsite.kind import DocsKind
from .errors import BadRequest, ForgatherError, StateError, Unavailable
from .events import EventBus
from .executors.base import Executor, ExecutorContext
from .executors.engines import annotate_engine, engine_options, executor_from_settings
from .gpus import GpuBackend, backend_from_settings
from .gpus.backend import GpuInfo, NoGpus
from .gpus.policy import excluded_indices, load_all
from .gpus.sampler import GpuSampler
from .gpus.service import GpuService
from .inference.kind import InferenceKind
from .inference.presets import PresetsService
from .inference.supervisor import EndpointSupervisor
from .jobs import repository as jobs_repo
from .jobs.accounts import RunAs
from .jobs.environment import base_environment
from .jobs.fair_share import FairShare
from .jobs.housekeeping import Housekeeping
from .jobs.kinds import JobKinds
from .jobs.service import JobsService
from .jobs.submit import largest_gpu_mib
from .models import DescribeHealth
from .models.jobs import DescribeJob, DescribeScheduler
from .models.projects import ResolvedJob
from .models.runs import GpuIdentity
from .notebook_jobs.kind import NotebookKind
from .notebook_jobs.service import NotebookJobsService
from .projects import ProjectsService, ProjectsSettings
from .proxy.passthrough import Passthrough
from .proxy.upstream import Upstream
from .runs.service import RunsService
from .scheduler import Card
from .scheduler.dispatcher import Dispatcher, Snapshot
from .services.service import ServicesService
from .settings import ForgatherLabSettings
from .store import Database
from .store.db import DB_FILENAME
from .tensorboard.kind import TensorBoardKind
from .webhooks import Webhooks
from .webhooks import from_settings as webhooks_from_settings

log = logging.getLogger("forgather_lab")

SCHEDULER_KEY = "scheduler_enabled"


class Runtime:
    """Owns the state database, the GPU pool, the jobs and the dispatcher."""

    def __init__(
        self,
        settings: ForgatherLabSettings,
        root_dir: Path | None = None,
        environ: dict[str, str] | None = None,
    ) -> None:
        """Build every service; ``root_dir`` is the host's (search roots live under it)."""
        env = dict(os.environ if environ is None else environ)
        self.settings = settings
        self.state_dir = Path(settings.state_dir).expanduser().resolve()
        root = (root_dir or Path.cwd()).expanduser().resolve()
        self.error: str | None = None
        self.db = Database(self.state_dir / DB_FILENAME)
        self.bus = EventBus()
        self.backend = self._open()
        # The service kinds sit above the job engine (they know endpoints and
        # presets), so they are handed in here rather than imported by it.
        dataset_kind = DatasetServerKind(
            root,
            [(root / p).expanduser() for p in settings.dataset_paths] or [root],
            Path(settings.dataset_hf_cache_dir or default_hf_cache(env)).expanduser(),
        )
        self.kinds = JobKinds.load(
            extra=[
                *(InferenceKind(), TensorBoardKind(settings.tensorboard_allow_bind_all)),
                *(NotebookKind(root), dataset_kind, DocsKind()),
                ExternalKind(),  # known so its records read; never queued
            ],
            # Training and eval take a GPU by default when there are any (the pool is built below).
            usable_gpus=lambda: self.gpus.usable_count,
        )
        executor_class: type[Executor] = executor_from_settings(settings)
        # Jobs as their owners' accounts: a shared pool, as root, on this machine (accounts.py).
        self.run_as = RunAs(
            hub_mode=settings.mode == "hub",
            enabled=settings.run_as_owner,
            user_map=settings.user_map,
            fallback=settings.run_as_owner_fallback,
            state_dir=self.state_dir,
            executor=executor_class.name,
            remote=executor_class.remote,
        )
        self.executor = executor_class(
            ExecutorContext(
                state_dir=self.state_dir,
                base_env=base_environment(env, settings.job_env_passthrough),
                kill_timeout=settings.kill_timeout,
                public_url=settings.public_url,
                options=engine_options(settings),
                on_change=self._engine_changed,
                on_pool_change=self._engine_pool_changed,
                run_as=self.run_as,
            )
        )
        if self.executor.remote and self.error is None:
            # The engine's nodes are the pool: GET /gpus and the dispatcher see its GPUs.
            self.backend.close()
            self.backend = EngineGpus(self.executor)
        self.projects = ProjectsService(
            self.db,
            ProjectsSettings(
                root_dir=root,
                config_roots=[(root / p).expanduser().resolve() for p in settings.search_roots],
                allow_outside_root_dir=settings.allow_search_roots_outside_root_dir,
                seed_examples=settings.seed_examples,
                state_dir=self.state_dir,
                # A config's default GPU reservation, shown by its Run form (pool built below).
                usable_gpus=lambda: self.gpus.usable_count,
            ),
        )
        if self.error is None:
            try:
                self.projects.open()
            except (ForgatherError, OSError) as e:  # projects degrade alone, jobs still work
                log.warning("Could not seed the example workspace: %s", e)
        uuids = [g.uuid for g in self.backend.snapshot()]
        # CUDA_VISIBLE_DEVICES names this machine's cards, not an engine's.
        visible = None if self.executor.remote else env.get("CUDA_VISIBLE_DEVICES")
        excluded = excluded_indices(visible, uuids)
        self.gpus = GpuService(self.db, self.bus, self.backend, excluded, self._active_jobs)
        self.gpu_sampler = GpuSampler(self.gpus, self.bus, settings.gpu_sample_interval)
        self.jobs = JobsService(
            self.db,
            self.bus,
            self.executor,
            self.kinds,
            max_gpus=self.gpus.usable_count,
            kill_timeout=settings.kill_timeout,
            resolver=self._resolve_config,
            observer=self.backend,
            max_gpu_memory=lambda: largest_gpu_mib(self.backend, self.gpus.excluded),
            max_sweep_size=settings.max_sweep_size,
        )
        self.fair_share = FairShare(self.db, self.bus, settings.fair_share_half_life)
        self.dispatcher = Dispatcher(
            self.bus,
            self._dispatch_snapshot,
            self.jobs.start_job,
            preempt=self._preempt,
            cancel_queued=self.jobs.cancel_queued,
            being_preempted=lambda: self.preemptor.preempting(),
            enabled=False,
            tick=settings.dispatch_safety_tick,
            reservation_after=settings.reservation_after,
            preemption_min_priority=settings.preemption_min_priority,
            # issue 15: a shared pool's fair sharing and per-user GPU cap
            usage=self.fair_share.usage,
            user_gpu_limit=settings.user_gpu_limit,
        )
        self.jobs.annotate = self._annotate
        self.jobs.user_queue_limit = settings.user_queue_limit  # issue 15: a shared pool
        self.control = ControlService(self.db, self.bus, self.jobs)
        # Time limits and preemption stop jobs the same way: save-stop, grace, kill.
        self.stopper = Stopper(self.db, self.bus, self.jobs, self.control, settings.stop_grace)
        self.time_limits = TimeLimits(self.bus, self.jobs, self.stopper)
        self.preemptor = Preemptor(self.jobs, self.stopper)
        self.webhooks: Webhooks = webhooks_from_settings(
            self.bus, list(settings.webhook_urls), settings.webhook_secret_file or None
        )
        # Inference / TensorBoard readiness, the proxy's client, presets, services.
        self.endpoints = EndpointSupervisor(
            self.db,
            self.bus,
            self.executor.job_dir,
            settings.endpoint_ready_timeout,
            hosts=self.executor,  # engine jobs are reached at their node, and only there
        )
        self.upstream = Upstream()
        # The inference proxy's streams: bytes passed on with less per-request work.
        self.passthrough = Passthrough()
        self.presets = PresetsService(self.db)
        self.services = ServicesService(self.db, self.jobs, dict(settings.services), self.endpoints)
        # Provenance at dispatch, re-runs, comparisons, the runs table, CSV export.
        self.runs = RunsService(
            self.db,
            self.bus,
            self.jobs,
            self.executor.job_dir,
            base_env=self.executor.context.base_env,
            levels=metric_series.LEVELS,
            metric_names=metric_series.names,
            gpus=lambda: [
                GpuIdentity(index=g.index, name=g.name, uuid=g.uuid)
                for g in self.backend.snapshot()
            ],
            render=lambda p, c, a: self.projects.configs.render(p, c, a)[1].text,
            # A project inside the search roots, checked as every project endpoint checks.
            project_path=lambda raw: str(self.projects.roots.project(raw).root),
            check_config=self._check_config,
            default_config=lambda root: self.projects.roots.project(root).default_config,
        )
        self.jobs.before_removal.append(self.runs.captured)
        self.notebook_jobs = NotebookJobsService(self.jobs.get, self.executor.job_dir)
        # Dataset servers: the proxy's allow-list, and dataset_source for jobs.
        self.datasets = DatasetRegistry(
            self.db,
            self.bus,
            self.executor.job_dir,
            self.state_dir,
            loopback_only=lambda: settings.dataset_servers_loopback_only,
        )
        self.jobs.add_enqueue_check(self.datasets.check_enqueue)
        # executor_params the executor cannot honour are a 400, not ignored at submit.
        self.jobs.add_enqueue_check(self.executor.check_request)
        self.jobs.add_launch_env(self.datasets.launch_env)
        # Trainers started outside the queue; housekeeping (log TTL, tty.log links).
        self.external = ExternalTrainers(self.db, self.bus, self.executor.job_dir)
        self.housekeeping = Housekeeping(
            self.db,
            self.bus,
            self.executor.job_dir,
            self.projects.roots.all,
            log_ttl=settings.log_ttl,
            interval=settings.housekeeping_interval,
        )
        self.server_config = ServerConfig(Path(jupyter_config_dir()), root)
        # Cluster mode (issue 16): standalone it starts nothing; joined, peers see these GPUs.
        self.cluster = ClusterService(
            settings,
            self.state_dir,
            LocalNode(
                self.gpus.describe_pool,
                self.gpus.set_policy,
                jobs=pool_jobs(self.jobs, self.control.act, self.control.metrics),
            ),
        )
        self.started = False

    def _open(self) -> GpuBackend:
        """Open state and hardware; on failure record ``error`` instead of raising."""
        try:
            self.db.open()
            return backend_from_settings(self.settings)
        except ForgatherError as e:
            self.error = e.message
            log.error("Forgather Lab is unavailable: %s", e.message)
            return NoGpus()

    def _check_config(self, project_dir: str, config: str) -> None:
        """Refuse a config that is not one of the project's (the runs table's filter),
        as every config endpoint does: 400 / 403 for a bad name, 404 for a missing one."""
        self.projects.configs.config_name(self.projects.roots.project(project_dir), config)

    def _resolve_config(
        self, project_dir: str, config: str | None, dynamic_args: dict[str, Any]
    ) -> ResolvedJob:
        """A config's job block for the training / eval kinds (sync, off the loop)."""
        try:
            return self.projects.resolve_job(project_dir, config, dynamic_args).describe()
        except (OSError, ValueError) as e:  # a path the OS refuses is the client's mistake
            raise BadRequest(f"Cannot use project {project_dir!r}: {e}") from e

    # -- life cycle -----------------------------------------------------------

    async def start(self, server_url: str, attached: Callable[[], None] | None = None) -> None:
        """Re-attach surviving jobs and start dispatching (once, on the running loop).

        ``server_url`` is where jobs call back (loopback, with the base URL).
        ``attached`` is called once the jobs that survived are re-attached and
        their stops and time limits resumed (at once if there is nothing to do):
        what the stored jobs say is current from then on.
        """
        self.executor.context.server_url = server_url
        if self.error is not None or self.started:
            if attached is not None:
                attached()
            return
        if self.db.read_only is not None:
            # A read-only copy serves reads; re-attaching or dispatching would write.
            log.warning("Not scheduling: %s", self.db.problem)
            if attached is not None:
                attached()
            return
        self.started = True
        self.runs.start()  # before any job starts: provenance is captured from the first
        self.housekeeping.start()  # before any job starts: config jobs' tty.log links
        await self.executor.start()
        await self.stopper.prepare()  # before re-attach: a stopped job's end is planned
        await self.external.check()  # before re-attach: trainers that went while it was down
        counts = await self.jobs.reattach()
        self.external.start()
        await self.stopper.resume()  # stops under way when the server went down
        await self.time_limits.start()
        if attached is not None:
            attached()
        if any(counts.values()):
            log.info("Forgather Lab restart: %s", counts)
        stored = await self.db.run(
            lambda c: c.execute(
                "SELECT value FROM settings WHERE key = ?", (SCHEDULER_KEY,)
            ).fetchone()
        )
        self.dispatcher.enabled = self.settings.scheduler_enabled and (
            stored is None or stored[0] == "1"
        )
        await self.datasets.start()  # before dispatching: launches read its servers
        self.dispatcher.start()
        await self.endpoints.start()
        await self.services.reconcile()  # after re-attach: survivors count as running
        await self.cluster.start(server_url)  # last: a node joins once it can serve its peers

    async def stop(self) -> None:
        """Stop every background task and release what the runtime opened.

        Running jobs keep running; the next start re-attaches them.
        """
        await self.cluster.stop()  # first: peers stop being answered before the pool goes
        await self.dispatcher.stop()
        await self.fair_share.close()  # charges being written land before the db closes
        await self.gpu_sampler.close()
        await self.endpoints.stop()
        await self.upstream.close()
        await self.passthrough.close()
        await self.datasets.stop()
        await self.time_limits.close()
        await self.stopper.close()
        await self.jobs.close()
        await self.control.close()
        await self.runs.close()
        await self.external.close()
        await self.housekeeping.close()
        await self.webhooks.close()
        self.backend.close()
        self.db.close()

    # -- the scheduler --------------------------------------------------------

    async def set_scheduler(self, enabled: bool) -> DescribeScheduler:
        """Pause or resume dispatching; remembered across restarts."""
        await self.db.run(
            lambda c: c.execute(
                "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) "
                "DO UPDATE SET value = excluded.value",
                (SCHEDULER_KEY, "1" if enabled else "0"),
            )
        )
        self.dispatcher.enabled = enabled
        self.bus.publish("scheduler_changed", enabled=enabled)
        return await self.describe_scheduler()

    async def describe_scheduler(self) -> DescribeScheduler:
        """Whether the scheduler dispatches, and what it holds."""
        queued = await self.jobs.queue()
        return DescribeScheduler(
            enabled=self.dispatcher.enabled,
            queued=len(queued),
            running=len(self.running_job_ids()),
        )

    async def _preempt(self, job_id: str, reason: str) -> None:
        """The dispatcher's ``preempt`` (the preemptor is built after the dispatcher)."""
        await self.preemptor.preempt(job_id, reason)

    async def _active_jobs(self) -> list[DescribeJob]:
        return await self.db.run(jobs_repo.active)

    async def _dispatch_snapshot(self) -> Snapshot:
        """What a dispatch pass reads: queue, active jobs, GPU policy and dependency
        statuses in one read of the store; card memory from the GPU backend."""

        def read(conn: Any) -> tuple[Any, Any, Any, Any]:
            queue, seqs, declared, depending = jobs_repo.queued_with_seqs(conn)
            return (
                (queue, seqs, declared),
                jobs_repo.active(conn),
                load_all(conn),
                jobs_repo.dependency_statuses(conn, queue) if depending else {},
            )

        # Quick: the queue is kept between reads and brought up to date from what changed.
        (queued, seqs, declared), active, policies, dependencies = await self.db.run(
            read, quick=True
        )
        # Memory matters only to jobs that declare it; the driver is not asked otherwise.
        memory: dict[int, tuple[int, int | None]] = {}
        if declared:
            for g in await asyncio.to_thread(self.backend.snapshot):
                # Simulated cards offer their total; NVML's used memory already
                # includes running jobs, so its free memory is the card's truth.
                free = None if g.simulated else (g.memory_total - g.memory_used) // 2**20
                memory[g.index] = (g.memory_total // 2**20, free)
        cards = []
        # An engine without a queue (Ray) takes a job only while it has the GPUs free:
        # the cards ours do not hold beyond what it reports free wait this pass out.
        room = self.executor.engine_free_gpus()
        held = {i for j in active for i in j.gpus}
        for i in range(self.backend.count()):
            policy = policies.get(i)
            total, free = memory.get(i, (None, None))
            busy_elsewhere = False
            if room is not None and i not in held:
                busy_elsewhere, room = room <= 0, room - 1
            cards.append(
                Card(
                    index=i,
                    min_priority=policy.min_priority if policy else 0,
                    excluded=i in self.gpus.excluded,
                    disabled=bool(policy and policy.disabled) or busy_elsewhere,
                    total_mib=total,
                    free_mib=free,
                )
            )
        statuses = {job_id: str(status) for job_id, status in dependencies.items()}
        return Snapshot(queued, active, cards, time.time(), statuses, seqs)

    def _engine_changed(self, job_id: str) -> None:
        """The executor's engine moved a job on (started it, says why it waits)."""
        self.bus.publish("job_updated", job_id=job_id)

    def _engine_pool_changed(self) -> None:
        """The engine has more (or fewer) GPUs free: the queue may move."""
        if self.started:
            self.dispatcher.wake()

    def _annotate(self, jobs: list[DescribeJob]) -> list[DescribeJob]:
        """The scheduler's positions and reasons, then what the executor's engine says."""
        return annotate_engine(self.executor, self.dispatcher.annotate(jobs))

    def running_job_ids(self) -> list[str]:
        """Jobs whose processes this runtime is watching now."""
        return sorted(self.jobs.watched)

    # -- health ---------------------------------------------------------------

    def require_ready(self) -> None:
        """Raise 503 with the reason when the runtime could not open."""
        if self.error is not None:
            raise Unavailable(self.error)

    async def describe_health(self) -> DescribeHealth:
        """The extension's health, including why it is degraded if it is."""
        schema: int | None = None
        if self.error is None:
            try:
                schema = await self.db.run(lambda c: c.execute("PRAGMA user_version").fetchone()[0])
            except StateError as e:
                self.error = e.message
        # Writes failing while reads work (a full disk, a read-only state
        # directory) is not healthy either: said until a write succeeds again.
        problem = self.error or self.db.problem
        run_as = await asyncio.to_thread(self.run_as.status)
        return DescribeHealth(
            status="ok" if problem is None else "error",
            version=__version__,
            gpu_backend=self.backend.name,
            gpu_count=self.backend.count(),
            scheduler_enabled=self.dispatcher.enabled
            if self.started
            else self.settings.scheduler_enabled,
            state_dir=str(self.state_dir),
            schema_version=schema,
            message=problem,
            run_as_owner=run_as.active,
            run_as_reason=run_as.reason,
        )


class EngineGpus(GpuBackend):
    """The GPUs of a remote executor's engine (Slurm's partition, Ray's nodes) as the pool.

    One card per GPU of every node, numbered across nodes; the name says the
    node. The executor refreshes its view as it polls; ``snapshot`` (called
    off the loop) asks the engine when the view is stale.
    """

    simulated = False

    def __init__(self, executor: Executor) -> None:
        self.executor = executor
        self.name = executor.name
        executor.refresh_pool()

    def count(self) -> int:
        return sum(n.gpus for n in self.executor.pool() or [])

    def snapshot(self) -> list[GpuInfo]:
        cards: list[GpuInfo] = []
        for node in self.executor.refresh_pool() or []:
            for i in range(node.gpus):
                cards.append(
                    GpuInfo(
                        index=len(cards),
                        name=f"{node.name}: {node.gpu_name} {i}",
                        uuid=f"{self.name}:{node.name}:{i}",
                        memory_total=0,
                        memory_used=0,
                        # The engine says how many of a node's GPUs are allocated, not which.
                        utilization=None,
                        temperature=None,
                        power=None,
                    )
                )
        return cards
