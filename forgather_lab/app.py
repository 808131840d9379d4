"""The Jupyter server extension: settings and the start / stop of the core.

This is the only wiring point. Everything configurable is a trait of
``ForgatherLab`` (``c.ForgatherLab.x = ...`` or ``--ForgatherLab.x=...``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server.extension.application import ExtensionApp
from traitlets import Bool, Enum, Int, List, TraitError, Unicode, default, validate

from ._version import __version__
from .handlers.routes import handlers
from .runtime import Runtime, RuntimeConfig


class ForgatherLab(ExtensionApp):
    """Forgather Lab: queue and watch ML training on a GPU pool from JupyterLab."""

    name = "forgather_lab"
    description = __doc__ or ""
    version = __version__
    load_other_extensions = True

    state_dir = Unicode(
        help="Directory holding the state database and job logs (created 0700). "
        "Defaults to <jupyter data dir>/forgather_lab."
    ).tag(config=True)

    search_roots = List(
        Unicode(),
        help="Directories searched for workspaces and projects. Relative paths are "
        "taken from the server's root_dir.",
    ).tag(config=True)

    gpu_backend = Enum(
        ["auto", "nvml", "simulated"],
        default_value="auto",
        help="'auto' uses NVML when a driver answers and otherwise reports no GPUs; "
        "'nvml' requires it; 'simulated' gives simulated_gpus fake cards (marked simulated).",
    ).tag(config=True)

    simulated_gpus = Int(4, help="How many cards the simulated backend reports (0-64).").tag(
        config=True
    )

    scheduler_enabled = Bool(
        True, help="Whether the scheduler dispatches queued jobs at start (pause/resume later)."
    ).tag(config=True)

    @default("state_dir")
    def _default_state_dir(self) -> str:
        return os.path.join(jupyter_data_dir(), "forgather_lab")

    @validate("simulated_gpus")
    def _check_simulated_gpus(self, proposal: dict[str, Any]) -> int:
        value = int(proposal["value"])
        if not 0 <= value <= 64:
            raise TraitError(f"simulated_gpus must be between 0 and 64, not {value}")
        return value

    # -- life cycle -----------------------------------------------------------

    def initialize_settings(self) -> None:
        root = Path(self.serverapp.root_dir) if self.serverapp else Path.cwd()
        config = RuntimeConfig(
            state_dir=Path(self.state_dir).expanduser().resolve(),
            search_roots=[(root / p).expanduser().resolve() for p in self.search_roots],
            gpu_backend=self.gpu_backend,
            simulated_gpus=self.simulated_gpus,
            scheduler_enabled=self.scheduler_enabled,
        )
        self.runtime = Runtime(config)
        self.runtime.open()
        self.settings["forgather_runtime"] = self.runtime

    def initialize_handlers(self) -> None:
        self.handlers.extend(handlers())

    async def stop_extension(self) -> None:
        runtime: Runtime | None = getattr(self, "runtime", None)
        if runtime is not None:
            runtime.close()
