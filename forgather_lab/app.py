"""The Jupyter server extension: the composition root of the embedded runtime.

Every setting is a trait of ``ForgatherLab`` (declared once, in
``settings.py``, and inherited here): ``c.ForgatherLab.x = ...`` or
``--ForgatherLab.x=...``. This module builds the ``Runtime`` from them,
connects it to what only a Jupyter server has (its event logger, its
activity tracking for idle culling, its URL) and undoes all of it at stop.
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_server._tz import utcnow
from jupyter_server.extension.application import ExtensionApp

from ._version import __version__
from .collector import paused, tune_collector
from .events import Event
from .handlers import lazy
from .handlers.keys import RUNTIME_KEY, RUNTIME_READY_KEY
from .jupyter_events import bridge as bridge_jupyter_events
from .settings import ForgatherLabSettings

if TYPE_CHECKING:
    from .handlers.forward_pool import HubPool
    from .runtime import Runtime

LAST_ACTIVITY_KEY = "forgather_last_activity"


class ForgatherLab(ForgatherLabSettings, ExtensionApp):
    """Forgather Lab: queue and watch ML training on a GPU pool from JupyterLab."""

    name = "forgather_lab"
    description = __doc__ or ""
    version = __version__
    load_other_extensions = True

    runtime: Runtime | None = None
    pool: HubPool | None = None  # the Hub's shared pool, when hub_service names it
    _undo: list[Callable[[], None]]

    # -- life cycle -----------------------------------------------------------

    def initialize_settings(self) -> None:
        """Make the place the runtime goes; it is built once the server listens (``_build``)."""
        self._undo = []
        self._ready = asyncio.Event()
        self.settings[RUNTIME_READY_KEY] = self._ready
        if self.hub_service and self.mode != "hub":  # the service itself never forwards
            # Imported here: only a server on a Hub's shared pool forwards (issue 19).
            from .handlers.forward import POOL_KEY
            from .handlers.forward_pool import HubPool

            self.pool = HubPool.from_environ(self.hub_service, self.hub_service_url)
            self.settings[POOL_KEY] = self.pool

    def initialize_handlers(self) -> None:
        """The API's routes, and a JSON 404 for anything else under it.

        Each route's handler is imported at its first request (``handlers/lazy.py``).
        On a Hub's shared pool the pool's routes forward to the service and the
        user's own (projects, configs, files) stay here (``handlers/forward.py``).
        """
        if self.pool is None:
            self.handlers.extend(lazy.handlers())
            return
        from .handlers import fallback
        from .handlers.forward import hub_handlers  # only on a Hub's shared pool
        from .handlers.routes import ROUTES

        self.handlers.extend(hub_handlers(ROUTES))
        self.handlers.append((fallback.PATTERN, fallback.UnknownEndpointHandler))  # last

    async def _build(self) -> Runtime:
        """Import the runtime and the handlers beside the listening server, then build it.

        Those imports are most of what the extension costs a server's start, and
        Jupyter's own first requests need none of them: they run in a thread while
        the server answers, and requests to this API wait for the runtime.
        """

        def load() -> type[Runtime]:
            with paused():
                importlib.import_module(".handlers.routes", __package__)
                return importlib.import_module(".runtime", __package__).Runtime  # type: ignore[no-any-return]

        runtime_class = await asyncio.to_thread(load)
        serverapp = self.serverapp
        root = Path(serverapp.root_dir) if serverapp is not None else Path.cwd()
        self.runtime = runtime = runtime_class(self, root_dir=root)
        if serverapp is not None:
            web_settings = serverapp.web_app.settings  # ours were merged into it at load
            web_settings[RUNTIME_KEY] = runtime
            # The same events on Jupyter's event system, for serviceManager.events.
            self._undo.append(bridge_jupyter_events(serverapp.event_logger, runtime.bus))

            def busy(event: Event) -> None:
                # JupyterHub's idle culler reads last_activity(): every *_last_activity
                # setting counts, so job events keep a busy server alive.
                if event.type.startswith("job_"):
                    web_settings[LAST_ACTIVITY_KEY] = utcnow()

            self._undo.append(runtime.bus.listen(busy))
        return runtime

    def _server_url(self) -> str:
        # Jobs call back to the server over loopback, whatever ip it listens on.
        assert self.serverapp is not None
        return f"http://127.0.0.1:{self.serverapp.port}{self.serverapp.base_url}"

    async def _start_jupyter_server_extension(self, serverapp: Any) -> None:
        """Build the runtime, re-attach jobs that survived a restart and start dispatching.

        Called once the server listens, so the port (``--port=0`` and port
        retries choose it late) in the jobs' callback URL is final. Start-up is
        over then: what it built is frozen out of the collector's walks. API
        requests wait until the survivors are re-attached (not for the rest of
        the start: a cluster's join, say), so none reads a job as it was before.
        """
        try:
            runtime = await self._build()
            self._undo.append(tune_collector(self.gc_thresholds))
            if self.pool is not None:
                # The jobs, the scheduler and the GPU sampler are the service's: nothing
                # of the pool runs here, so stopping this server stops none of them.
                self.log.info("Forgather Lab: using the shared pool %s", self.pool.label)
                return
            await runtime.start(self._server_url(), attached=self._ready.set)
        finally:
            self._ready.set()  # requests waiting for the runtime go on (503 without one)

    def current_activity(self) -> list[str] | None:
        """Running jobs keep the server from being culled as idle."""
        running = self.runtime.running_job_ids() if self.runtime is not None else []
        return [f"forgather job {j}" for j in running] or None

    async def stop_extension(self) -> None:
        """Undo what ``initialize_settings`` connected and stop the runtime."""
        for undo in reversed(getattr(self, "_undo", [])):
            undo()
        self._undo = []
        if self.pool is not None:
            await self.pool.close()
        if self.runtime is not None:
            runtime, self.runtime = self.runtime, None
            await runtime.stop()
