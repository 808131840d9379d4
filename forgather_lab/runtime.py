"""The core services of one server, composed; no HTTP in here.

``app.py`` builds a ``Runtime`` from its traitlets and hands it to the
handlers; tests build one directly. When the state cannot be opened the
runtime still exists, in a degraded state that says why (``error``), so the
server and JupyterLab keep working and the Forgather panel can show the
problem instead of the extension vanishing with a traceback in a log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ._version import __version__
from .control import ControlService
from .errors import BadRequest, ForgatherError, StateError, Unavailable
from .events import EventBus
from .gpus import GpuBackend, make_backend
from .gpus.backend import NoGpus
from .gpus.policy import excluded_indices, load_all
from .gpus.service import GpuService
from .inference.presets import PresetsService
from .inference.supervisor import EndpointSupervisor
from .jobs import repository as jobs_repo
from .jobs.launcher import Launcher
from .jobs.service import JobsService
from .models import DescribeHealth
from .projects import ProjectsService, ProjectsSettings
from .proxy.upstream import Upstream
from .scheduler import GpuSlot
from .scheduler.dispatcher import Dispatcher
from .services.service import ServicesService
from .store import Database
from .store.db import DB_FILENAME
from .webhooks import Webhooks
from .webhooks import from_settings as webhooks_from_settings

log = logging.getLogger("forgather_lab")

SCHEDULER_KEY = "scheduler_enabled"


@dataclass
class RuntimeConfig:
    """The settings the core needs, as plain values (the traitlets live in app.py)."""

    state_dir: Path
    search_roots: list[Path] = field(default_factory=list)
    root_dir: Path | None = None  # the Jupyter server's; search roots live under it
    allow_search_roots_outside_root_dir: bool = False
    seed_examples: bool = True
    gpu_backend: str = "auto"
    simulated_gpus: int = 4
    scheduler_enabled: bool = True
    cuda_visible_devices: str | None = None  # as the server saw it at start
    kill_timeout: float = 10.0
    safety_tick: float = 30.0
    inference_proxy_loopback_only: bool = True
    services: dict[str, Any] = field(default_factory=dict)  # ForgatherLab.services
    endpoint_ready_timeout: float = 900.0
    webhook_urls: list[str] = field(default_factory=list)
    webhook_secret_file: str | None = None  # 0600 file holding the HMAC key


class Runtime:
    """Owns the state database, the GPU pool, the jobs and the dispatcher."""

    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self.db = Database(config.state_dir / DB_FILENAME)
        self.bus = EventBus()
        self.backend: GpuBackend = NoGpus()
        self.error: str | None = None
        self.launcher = Launcher(config.state_dir)
        self.projects = ProjectsService(
            self.db,
            ProjectsSettings(
                root_dir=config.root_dir,
                config_roots=config.search_roots,
                allow_outside_root_dir=config.allow_search_roots_outside_root_dir,
                seed_examples=config.seed_examples,
            ),
        )
        self.gpus = GpuService(self.db, self.bus, self.backend, set())
        self.jobs = JobsService(
            self.db, self.bus, self.launcher, 0, config.kill_timeout, resolver=self._resolve_config
        )
        self.dispatcher = Dispatcher(
            self.bus,
            self._dispatch_snapshot,
            self.jobs.start_job,
            enabled=False,
            tick=config.safety_tick,
        )
        self.control = ControlService(self.db, self.bus, self.jobs)
        self.webhooks: Webhooks = webhooks_from_settings(
            self.bus, config.webhook_urls, config.webhook_secret_file
        )
        # Inference / TensorBoard readiness, the proxy's client, presets, services.
        self.endpoints = EndpointSupervisor(
            self.db, self.bus, self.launcher.job_dir, config.endpoint_ready_timeout
        )
        self.upstream = Upstream()
        self.presets = PresetsService(self.db)
        self.services = ServicesService(self.db, self.jobs, config.services, self.endpoints)
        self._started: asyncio.Task[None] | None = None

    def open(self) -> None:
        """Open state and hardware; on failure record ``error`` instead of raising."""
        try:
            self.db.open()
            self.backend = make_backend(self.config.gpu_backend, self.config.simulated_gpus)
        except ForgatherError as e:
            self.error = e.message
            log.error("Forgather Lab is unavailable: %s", e.message)
            return
        try:
            self.projects.open()
        except (ForgatherError, OSError) as e:  # projects degrade alone, jobs still work
            log.warning("Could not seed the example workspace: %s", e)
        uuids = [g.uuid for g in self.backend.snapshot()]
        excluded = excluded_indices(self.config.cuda_visible_devices, uuids)
        self.gpus = GpuService(self.db, self.bus, self.backend, excluded)
        self.jobs.max_gpus = self.gpus.usable_count
        if hasattr(self.backend, "attach"):  # simulated cards learn who runs on them
            backend: Any = self.backend
            self.jobs.on_started.append(
                lambda job, pid: [backend.attach(i, pid) for i in job["gpus"]]
            )
            self.jobs.on_ended.append(lambda job: backend.detach(job["pid"]))

    def _resolve_config(
        self, project_dir: str, config: str | None, dynamic_args: dict[str, Any]
    ) -> dict[str, Any]:
        """A config's job block for the training / eval kinds (sync, off the loop)."""
        try:
            return self.projects.resolve_job(project_dir, config, dynamic_args).as_dict()
        except (OSError, ValueError) as e:  # a path the OS refuses is the client's mistake
            raise BadRequest(f"Cannot use project {project_dir!r}: {e}") from e

    async def ensure_started(self) -> None:
        """Re-attach surviving jobs and start dispatching, once, on the running loop."""
        if self.error is not None:
            return
        if self._started is None:
            self._started = asyncio.ensure_future(self._start())
        await asyncio.shield(self._started)

    async def _start(self) -> None:
        counts = await self.jobs.reattach()
        if any(counts.values()):
            log.info("Forgather Lab restart: %s", counts)
        self.jobs.prestart_runner()
        stored = await self.db.run(
            lambda c: c.execute(
                "SELECT value FROM settings WHERE key = ?", (SCHEDULER_KEY,)
            ).fetchone()
        )
        self.dispatcher.enabled = self.config.scheduler_enabled and (
            stored is None or stored[0] == "1"
        )
        self.dispatcher.start()
        await self.endpoints.start()
        await self.services.reconcile()  # after re-attach: survivors count as running

    async def set_scheduler(self, enabled: bool) -> None:
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

    async def _dispatch_snapshot(self) -> tuple[list[dict[str, Any]], list[GpuSlot]]:
        def read(conn: Any) -> tuple[Any, Any, Any]:
            return jobs_repo.queued(conn), jobs_repo.active(conn), load_all(conn)

        queued, active, policies = await self.db.run(read)
        return queued, self.gpus.slots(policies, active)

    async def describe_gpus(self) -> dict[str, Any]:
        """The GPU list with policy, reservations and process → job attribution."""
        active = await self.db.run(jobs_repo.active)
        return {
            "gpus": await self.gpus.describe(active),
            "backend": self.backend.name,
            "simulated": self.backend.simulated,
        }

    def running_job_ids(self) -> list[str]:
        """Jobs whose processes this server is watching now."""
        return sorted(self.jobs.watched)

    async def stop(self) -> None:
        """Stop dispatching and watching; running jobs keep running."""
        await self.dispatcher.stop()
        await self.endpoints.stop()
        await self.upstream.close()
        self.jobs.close()
        await self.control.close()
        await self.webhooks.close()

    def close(self) -> None:
        """Release everything ``open`` took."""
        self.backend.close()
        self.db.close()

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
        return DescribeHealth(
            status="ok" if self.error is None else "error",
            version=__version__,
            gpu_backend=self.backend.name,
            gpu_count=self.backend.count(),
            scheduler_enabled=self.dispatcher.enabled
            if self._started
            else self.config.scheduler_enabled,
            state_dir=str(self.config.state_dir),
            schema_version=schema,
            message=self.error,
        )
