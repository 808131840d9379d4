"""The tornado settings through which the extension hands its runtime to the handlers."""

from __future__ import annotations

#: The ``Runtime``, once built (after the server listens: ``app.py``).
RUNTIME_KEY = "forgather_runtime"
#: An ``asyncio.Event`` set once the runtime is built, or could not be.
RUNTIME_BUILT_KEY = "forgather_runtime_built"
