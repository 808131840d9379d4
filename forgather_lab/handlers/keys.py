"""The tornado settings through which the extension hands its runtime to the handlers."""

from __future__ import annotations

#: The ``Runtime``, once built (after the server listens: ``app.py``).
RUNTIME_KEY = "forgather_runtime"
#: An ``asyncio.Event`` set once the runtime is built and has re-attached the jobs that
#: survived a restart (what the API reads is current from then on), or could not be built.
RUNTIME_READY_KEY = "forgather_runtime_ready"
