"""A Hub user's server using the shared pool: the pool's routes forwarded to the Hub service.

With ``ForgatherLab.hub_service = "forgather"`` the single-user server keeps
what is the user's own (projects, configs, files, generation presets, its
Jupyter config) and forwards the pool's routes (queue, jobs, GPUs, events,
control, TTY and the inference / TensorBoard / docs / dataset / services
proxies) to the service, byte for byte and streaming (SSE, log tails, proxied
pages), sockets included (``forward_socket.py``).

What crosses: the method, the path under ``forgather/api/``, the query (less
Jupyter's ``token`` / ``_xsrf``), the body and a few end-to-end headers; back
come the status, the body and the end-to-end headers the API sets. What never
crosses: the user's browser credentials (cookies, Jupyter's token or XSRF):
the local server has already authenticated the request, and the service is
called with this server's own Hub token (``JUPYTERHUB_API_TOKEN``), which the
Hub resolves to the server's user, so the service checks that user (owner,
admin, limits). Routes that carry their own credential (a job's token, a view
link's grant) keep theirs and get no server token.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..errors import Unavailable
from ..models import DescribeHealth
from ..proxy.upstream import BadGateway, request_headers
from .base import API_PREFIX, ForgatherHandler, Route, operation
from .forward_pool import HubPool

POOL_KEY = "forgather_hub_pool"

#: First path segments (under /forgather/api) that are the pool's: forwarded.
#: Everything else (projects, configs, workspace, files, presets, server config) is local.
FORWARDED = frozenset(
    {
        "queue",
        "jobs",
        "events",
        "gpus",
        "inference",
        "tb",
        "tb-view",
        "docsite",
        "docsite-view",
        "services",
        "metrics",
        "runs",
        "dataset-servers",
        "cluster",  # the pool's nodes and their GPUs
    }
)

# End-to-end request headers sent on (besides the API's own: accept, content-type,
# cache-control, last-event-id); conditional requests keep proxied pages cacheable.
_ALSO_REQUEST = ("if-none-match", "if-modified-since", "range", "x-requested-with")
# Response headers the API and its proxies set, passed back as they are. The
# proxies' Content-Security-Policy keeps a proxied page sandboxed here too.
_RESPONSE = frozenset(
    {
        "content-type",
        "content-encoding",
        "content-disposition",
        "content-security-policy",
        "cache-control",
        "etag",
        "last-modified",
        "referrer-policy",
        "retry-after",
        "x-accel-buffering",
        "x-content-type-options",
        "x-log-size",
        "x-request-id",
        "access-control-allow-origin",
        "access-control-allow-methods",
        "access-control-allow-headers",
        "access-control-max-age",
        "vary",
    }
)
_JUPYTER_CREDENTIALS = frozenset({"token", "_xsrf"})


class ForwardHandler(ForgatherHandler):
    """Any verb of a pool route: sent to the service, the answer streamed back."""

    requires_ready = False  # the local state does not matter to the pool's routes
    #: Whether the route carries its own credential (then the server token is not sent).
    own_credential = False

    _gone: asyncio.Event | None = None

    @property
    def pool(self) -> HubPool:
        """The Hub service this server forwards to."""
        return self.settings[POOL_KEY]  # type: ignore[no-any-return]

    async def check_access(self) -> None:
        """Nothing here: the service checks owner, admin and limits for the Hub user."""

    def on_connection_close(self) -> None:
        if self._gone is not None:
            self._gone.set()
        super().on_connection_close()  # a socket's own clean-up (WebSocketHandler) too

    async def forward(self) -> None:
        """Send this request to the service and stream its answer back."""
        self._gone = asyncio.Event()
        url = await self.pool.api_url_for(self.api_rest(), self.forwarded_query())
        headers = request_headers(dict(self.request.headers), None, also=_ALSO_REQUEST)
        if not self.own_credential:
            headers.update(self.pool.authorization())
        elif self.request.headers.get("Authorization", "").lower().startswith("bearer "):
            # A job's token (the only header credential these routes take), nothing else.
            headers["Authorization"] = self.request.headers["Authorization"]
        body = self.request.body if self.request.method not in ("GET", "HEAD") else None
        relay = asyncio.ensure_future(self._relay(url, headers, body))
        gone = asyncio.ensure_future(self._gone.wait())
        try:
            await asyncio.wait({relay, gone}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            gone.cancel()
        if not relay.done():  # the client went away: closing the relay closes upstream
            relay.cancel()
            await asyncio.wait({relay})
            return
        relay.result()  # a BadGateway before any header went out is answered as one

    async def _relay(self, url: str, headers: dict[str, str], body: bytes | None) -> None:
        method = self.request.method or "GET"
        async with self.pool.upstream.stream(method, url, headers, body) as upstream:
            self.set_status(upstream.status_code, upstream.reason_phrase or "Unknown")
            self.clear_header("Content-Type")
            for name, value in self.response_headers(upstream.headers.multi_items()):
                self.set_header(name, value)
            try:
                async for chunk in upstream.aiter_raw():
                    self.write(chunk)
                    await self.flush()
            except StreamClosedError:
                return  # the client went away
            except httpx.HTTPError as e:
                # Headers are out: all that is left is to end where the upstream broke off.
                self.log.warning("%s broke off: %s", self.pool.label, e)
        self.finish()

    def api_rest(self) -> str:
        """The request's path under ``forgather/api/`` (still percent-encoded)."""
        path = self.request.path
        local = self.base_url.rstrip("/") + API_PREFIX + "/"
        if path.startswith(local):
            return path[len(local) :]
        # A base URL the request spells differently (a user name percent-encoded).
        return path.split(API_PREFIX + "/", 1)[-1]

    def forwarded_query(self) -> str:
        """The query without Jupyter's credentials (``?token=`` on sockets, ``_xsrf``)."""
        pairs = parse_qsl(self.request.query, keep_blank_values=True)
        return urlencode([(k, v) for k, v in pairs if k not in _JUPYTER_CREDENTIALS])

    def response_headers(self, items: Iterable[tuple[str, str]]) -> Iterable[tuple[str, str]]:
        """The service's end-to-end headers; a redirect into the service comes back here."""
        for name, value in items:
            lower = name.lower()
            if lower in _RESPONSE:
                yield name, value
            elif lower == "location":
                yield name, self._local_location(value)

    def _local_location(self, location: str) -> str:
        prefix = self.pool.prefix()
        root = self.pool.service_url
        for service in (root, prefix):
            if service and location.startswith(service):
                return self.base_url + location[len(service) :]
        return location

    @web.authenticated
    @authorized
    async def get(self, *args: str, **kwargs: str) -> None:
        await self.forward()

    @web.authenticated
    @authorized
    async def post(self, *args: str, **kwargs: str) -> None:
        await self.forward()

    @web.authenticated
    @authorized
    async def put(self, *args: str, **kwargs: str) -> None:
        await self.forward()

    @web.authenticated
    @authorized
    async def patch(self, *args: str, **kwargs: str) -> None:
        await self.forward()

    @web.authenticated
    @authorized
    async def delete(self, *args: str, **kwargs: str) -> None:
        await self.forward()


class ForwardOwnCredentialHandler(ForwardHandler):
    """A route whose caller brings its own credential (a job's token, a view link's grant).

    The service checks that credential; no credential of this server is used
    (no server token, no cookie), so an ambient-credential check (XSRF) has
    nothing to protect here, as on the service's own route.
    """

    own_credential = True

    def check_xsrf_cookie(self) -> None:
        """Nothing: the credential is the request's own, never an ambient one."""

    @allow_unauthenticated
    async def get(self, *args: str, **kwargs: str) -> None:
        await self.forward()

    @allow_unauthenticated
    async def post(self, *args: str, **kwargs: str) -> None:
        await self.forward()


class HubHealthHandler(ForgatherHandler):
    """``GET /health`` of a user's server on the shared pool: this server's and the pool's."""

    requires_ready = False

    @operation(
        "Health of the extension (503 with a message when degraded)",
        response=DescribeHealth,
        also={503: "degraded: the state database is unusable (message says why)"},
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        pool: HubPool = self.settings[POOL_KEY]
        local = await self.runtime.describe_health()
        try:
            shared = await pool.health()
        except (Unavailable, BadGateway) as e:
            shared = local.model_copy(
                update={"status": "error", "message": e.message, "gpu_count": 0, "user": None}
            )
        # The pool's answer (GPUs, scheduler, who you are there, whose account jobs run
        # as), with what is this server's own: its version and its state (projects).
        problems = [m for m in (local.message, shared.message) if m]
        health = shared.model_copy(
            update={
                "mode": "hub",
                "version": local.version,
                "state_dir": local.state_dir,
                "schema_version": local.schema_version,
                "status": "ok" if local.status == shared.status == "ok" else "error",
                "message": "; ".join(problems) or None,
            }
        )
        self.reply(health, status=200 if health.status == "ok" else 503)


def forwards(route: Route) -> bool:
    """Whether ``route`` is the pool's (forwarded) rather than this server's own."""
    return route.path.lstrip("/").split("/", 1)[0] in FORWARDED


def hub_handlers(routes: Iterable[Route]) -> list[tuple[str, type[ForgatherHandler]]]:
    """The route table of a server on the shared pool: pool routes forwarded, the rest local."""
    # Imported here: forward_socket subclasses this module's handler.
    from .forward_socket import ForwardSocketHandler, streams

    table: list[tuple[str, type[ForgatherHandler]]] = []
    for route in routes:
        if route.path == "/health":
            table.append((route.pattern, HubHealthHandler))
        elif not forwards(route):
            table.append((route.pattern, route.handler))
        elif _own_credential(route.handler):
            table.append((route.pattern, ForwardOwnCredentialHandler))
        elif streams(route.handler):
            table.append((route.pattern, ForwardSocketHandler))
        else:
            table.append((route.pattern, ForwardHandler))
    return table


def _own_credential(handler: type[ForgatherHandler]) -> bool:
    verbs = [getattr(handler, v) for v in ("get", "post", "put", "patch", "delete")]
    own = {bool(getattr(v, "__allow_unauthenticated", False)) for v in verbs if _defined(v)}
    if len(own) > 1:  # one forwarding class per route: a route is one or the other
        raise TypeError(f"{handler.__name__} mixes self-authenticated and Jupyter-auth verbs")
    return own == {True}


def _defined(verb: Any) -> bool:
    # tornado's RequestHandler answers 405 from its own verbs; ours come from forgather_lab.
    return str(getattr(verb, "__module__", "")).startswith("forgather_lab")


__all__ = [
    "FORWARDED",
    "POOL_KEY",
    "ForwardHandler",
    "ForwardOwnCredentialHandler",
    "HubHealthHandler",
    "HubPool",
    "forwards",
    "hub_handlers",
]
