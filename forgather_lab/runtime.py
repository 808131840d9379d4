"""The core services of one server, composed; no HTTP in here.

``app.py`` builds a ``Runtime`` from its traitlets and hands it to the
handlers; tests build one directly. When the state cannot be opened the
runtime still exists, in a degraded state that says why (``error``), so the
server and JupyterLab keep working and the Forgather panel can show the
problem instead of the extension vanishing with a traceback in a log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from ._version import __version__
from .errors import ForgatherError, StateError, Unavailable
from .gpus import GpuBackend, make_backend
from .gpus.backend import NoGpus
from .models import DescribeHealth
from .store import Database
from .store.db import DB_FILENAME

log = logging.getLogger("forgather_lab")


@dataclass
class RuntimeConfig:
    """The settings the core needs, as plain values (the traitlets live in app.py)."""

    state_dir: Path
    search_roots: list[Path] = field(default_factory=list)
    gpu_backend: str = "auto"
    simulated_gpus: int = 4
    scheduler_enabled: bool = True


class Runtime:
    """Owns the state database, the GPU backend and (later) the scheduler."""

    def __init__(self, config: RuntimeConfig) -> None:
        self.config = config
        self.db = Database(config.state_dir / DB_FILENAME)
        self.gpus: GpuBackend = NoGpus()
        self.error: str | None = None

    def open(self) -> None:
        """Open state and hardware; on failure record ``error`` instead of raising."""
        try:
            self.db.open()
            self.gpus = make_backend(self.config.gpu_backend, self.config.simulated_gpus)
        except ForgatherError as e:
            self.error = e.message
            log.error("Forgather Lab is unavailable: %s", e.message)

    def close(self) -> None:
        """Release everything ``open`` took."""
        self.gpus.close()
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
            gpu_backend=self.gpus.name,
            gpu_count=self.gpus.count(),
            scheduler_enabled=self.config.scheduler_enabled,
            state_dir=str(self.config.state_dir),
            schema_version=schema,
            message=self.error,
        )
