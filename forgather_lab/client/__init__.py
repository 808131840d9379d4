"""A Python client for the Forgather Lab API: ``Client`` (blocking) and ``AsyncClient``.

Used by the ``%forgather`` magics, the widgets' Python side and the
``forgather-lab`` CLI. It imports neither tornado nor jupyter_server, so it is
cheap inside a kernel or a training job.
"""

from __future__ import annotations

from ._async import AsyncClient
from ._discovery import ServerInfo, discover, running_servers
from ._endpoints import CONTROLS
from ._errors import DiscoveryError, ForgatherClientError, ServerUnreachable
from ._sync import Client
from ._transport import Event

__all__ = [
    "CONTROLS",
    "AsyncClient",
    "Client",
    "DiscoveryError",
    "Event",
    "ForgatherClientError",
    "ServerInfo",
    "ServerUnreachable",
    "discover",
    "running_servers",
]
