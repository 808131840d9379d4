"""The Jupyter server extension: settings and the start / stop of the core.

This is the only wiring point. Everything configurable is a trait of
``ForgatherLab`` (``c.ForgatherLab.x = ...`` or ``--ForgatherLab.x=...``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from jupyter_core.paths import jupyter_data_dir
from jupyter_server._tz import utcnow
from jupyter_server.extension.application import ExtensionApp
from traitlets import (
    Bool,
    Dict,
    Enum,
    Float,
    Int,
    List,
    TraitError,
    Unicode,
    default,
    validate,
)

from ._version import __version__
from .handlers import fallback
from .handlers.routes import handlers
from .jupyter_events import bridge as bridge_jupyter_events
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

    allow_search_roots_outside_root_dir = Bool(
        False,
        help="Allow search roots outside the Jupyter server's root_dir (files there cannot "
        "be opened in JupyterLab's editor).",
    ).tag(config=True)

    seed_examples = Bool(
        True,
        help="On first start, copy the example workspace into <root_dir>/forgather-examples "
        "and register it as a search root.",
    ).tag(config=True)

    simulated_gpus = Int(4, help="How many cards the simulated backend reports (0-64).").tag(
        config=True
    )

    scheduler_enabled = Bool(
        True, help="Whether the scheduler dispatches queued jobs at start (pause/resume later)."
    ).tag(config=True)

    kill_timeout = Float(
        10.0, help="Seconds a kill waits after SIGTERM before reporting survivors."
    ).tag(config=True)

    inference_proxy_loopback_only = Bool(
        True,
        help="Lock the inference proxy (/forgather/api/inference/*?base=) to loopback "
        "upstreams (localhost, 127.0.0.0/8, ::1; names are not resolved). The http/https "
        "scheme guard applies either way.",
    ).tag(config=True)

    services = Dict(
        help="Auto-start services: {type: {name: {enabled, priority, requested_gpus, "
        "...job_params}}}, e.g. {'inference': {'tiny': {'enabled': True, 'model_path': "
        "'/models/tiny'}}}. Started at server start unless a job with the same signature "
        "(type + normalised args) is already queued or running.",
    ).tag(config=True)

    endpoint_ready_timeout = Float(
        900.0, help="Seconds an inference / TensorBoard job may take to answer its health URL."
    ).tag(config=True)

    webhook_urls = List(
        Unicode(),
        help="URLs that get an HMAC-signed JSON POST when a job reaches a terminal state "
        "(retried with backoff; never blocks the scheduler).",
    ).tag(config=True)

    webhook_secret_file = Unicode(
        "",
        help="A file (mode 0600) holding the webhook HMAC key; deliveries carry "
        "X-Forgather-Signature: sha256=<hex>. Set it whenever webhook_urls are set.",
    ).tag(config=True)

    events_max_connections = Int(
        32,
        help="Open /forgather/api/events streams allowed per client address (every Lab tab "
        "and notebook widget holds one; on a laptop they all come from 127.0.0.1).",
    ).tag(config=True)

    events_heartbeat = Float(
        15.0, help="Seconds between SSE keep-alive comments on /forgather/api/events."
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
            root_dir=root.expanduser().resolve(),
            allow_search_roots_outside_root_dir=self.allow_search_roots_outside_root_dir,
            seed_examples=self.seed_examples,
            gpu_backend=self.gpu_backend,
            simulated_gpus=self.simulated_gpus,
            scheduler_enabled=self.scheduler_enabled,
            cuda_visible_devices=os.environ.get("CUDA_VISIBLE_DEVICES"),
            kill_timeout=self.kill_timeout,
            inference_proxy_loopback_only=self.inference_proxy_loopback_only,
            services=dict(self.services),
            endpoint_ready_timeout=self.endpoint_ready_timeout,
            webhook_urls=list(self.webhook_urls),
            webhook_secret_file=self.webhook_secret_file or None,
        )
        self.runtime = Runtime(config)
        self.runtime.open()
        self.settings["forgather_runtime"] = self.runtime
        self.settings["forgather_events"] = {
            "max_connections": self.events_max_connections,
            "heartbeat": self.events_heartbeat,
        }
        if self.serverapp is not None:
            self._set_server_url()
            # JupyterHub's idle culler reads last_activity(): any *_last_activity
            # setting counts, so job events keep a busy server alive.
            settings = self.serverapp.web_app.settings
            # The same events on Jupyter's event system, for serviceManager.events.
            bridge_jupyter_events(self.serverapp.event_logger, self.runtime.bus)
            self.runtime.bus.listen(
                lambda event: (
                    settings.__setitem__("forgather_last_activity", utcnow())
                    if event.type.startswith("job_")
                    else None
                )
            )

    def initialize_handlers(self) -> None:
        self.handlers.extend(handlers())
        self.handlers.append((fallback.PATTERN, fallback.UnknownEndpointHandler))  # last

    def _set_server_url(self) -> None:
        # Jobs call back to the server over loopback, whatever ip it listens on.
        port = self.serverapp.port
        base = self.serverapp.base_url
        self.runtime.launcher.server_url = f"http://127.0.0.1:{port}{base}"

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        # The port is only final once the server is bound (--port=0 and port
        # retries choose it then), so the jobs' callback URL is set again here.
        if self.serverapp is not None:
            self._set_server_url()
        # Re-attach jobs that survived a restart and start dispatching now,
        # not at the first request.
        await self.runtime.ensure_started()

    def current_activity(self) -> list[str] | None:
        """Running jobs keep the server from being culled as idle."""
        running = self.runtime.running_job_ids() if hasattr(self, "runtime") else []
        return [f"forgather job {j}" for j in running] or None

    async def stop_extension(self) -> None:
        runtime: Runtime | None = getattr(self, "runtime", None)
        if runtime is not None:
            await runtime.stop()
            runtime.close()
