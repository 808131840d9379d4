"""The inference proxy's rules: which upstreams, which URL, which token.

``?base=`` names the upstream API base (``http://127.0.0.1:PORT/v1``). The
scheme guard (http / https only) always applies; with
``inference_proxy_loopback_only`` (default on) the host must be a literal
loopback address or ``localhost``: names are not resolved, so a DNS answer
cannot point the proxy elsewhere (no rebinding). The lock gives way to the
job engine's nodes (``engine_host``: ``Executor.serves_from``) and to the
origin of one of our own ready inference jobs, which the endpoint supervisor
records only at loopback or at the engine node the job runs on (a job on
Slurm or Ray); never to another host. The upstream token is looked
up from the job listening at that origin; a non-job upstream may get a token
from the ``X-Inference-Token`` request header instead. Either way the token
only travels server → upstream, never back to the browser.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from ..errors import BadRequest, Forbidden
from .upstream import request_headers

CLIENT_TOKEN_HEADER = "X-Inference-Token"  # noqa: S105 (a header name)

# Given an upstream base, the token of the job listening there (EndpointSupervisor.token_for).
TokenLookup = Callable[[str], Awaitable[str | None]]
# Whether a (non-loopback) host is a node of the job engine (Executor.serves_from).
HostCheck = Callable[[str], bool]


class ProxyOperation(StrEnum):
    """What the proxy forwards: ``/forgather/api/inference/<value>`` → ``<base>/<value>``."""

    HEALTH = "health"
    MODELS = "models"
    COMPLETIONS = "completions"
    CHAT = "chat/completions"

    @property
    def method(self) -> Literal["GET", "POST"]:
        """The verb the upstream takes (and the proxy serves)."""
        return "GET" if self in (ProxyOperation.HEALTH, ProxyOperation.MODELS) else "POST"


@dataclass(frozen=True)
class UpstreamRequest:
    """One request to send upstream: verb, URL and the headers it may carry."""

    method: str
    url: str
    headers: dict[str, str]


async def plan(
    operation: ProxyOperation,
    base: str,
    incoming: Mapping[str, str],
    *,
    loopback_only: bool,
    token_for: TokenLookup,
    engine_host: HostCheck | None = None,
) -> UpstreamRequest:
    """Check ``base`` and build the upstream request, with the upstream token if one is known.

    The token of our job at that origin wins; for any other upstream the
    client may name one in ``X-Inference-Token``. ``engine_host`` (the
    executor's ``serves_from``) lets the loopback lock give way to the
    engine's nodes, where inference jobs on Slurm or Ray listen.
    """
    try:
        checked = check_base(base, loopback_only, engine_host)
    except Forbidden:
        # One of our own ready jobs passes the lock: the supervisor recorded its
        # origin only at loopback or at its engine node (Slurm, Ray), never elsewhere.
        checked = check_base(base, loopback_only=False)
        own = await token_for(checked)
        if own is None:
            raise
        return UpstreamRequest(
            operation.method, upstream_url(checked, operation), request_headers(dict(incoming), own)
        )
    token = await token_for(checked) or incoming.get(CLIENT_TOKEN_HEADER) or None
    return UpstreamRequest(
        operation.method, upstream_url(checked, operation), request_headers(dict(incoming), token)
    )


def check_base(base: str, loopback_only: bool, engine_host: HostCheck | None = None) -> str:
    """The validated base URL without a trailing slash; 400 / 403 explain a refusal."""
    base = (base or "").strip()
    if not base:
        raise BadRequest("base: the upstream URL is required (e.g. http://127.0.0.1:8137/v1)")
    return check_upstream_url(
        base,
        "base",
        loopback_only=loopback_only,
        lock="the inference proxy is locked to loopback upstreams "
        "(ForgatherLab.inference_proxy_loopback_only)",
        credentials="use a job or a header",
        engine_host=engine_host,
    )


def check_upstream_url(
    url: str,
    field: str,
    *,
    loopback_only: bool,
    lock: str,
    credentials: str,
    engine_host: HostCheck | None = None,
) -> str:
    """An http(s) URL a proxy may reach, normalised (no trailing slash, no query).

    Shared by every proxy whose upstream a user names (inference, dataset
    servers): no credentials, query or fragment in it, a valid port, and a
    loopback host while ``loopback_only`` (``lock`` says which setting holds it)
    or, with ``engine_host``, a node of the job engine (never any other host).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise BadRequest(
            f"{field}: only http and https upstreams are allowed, not {parts.scheme!r}"
        )
    if not parts.hostname:
        raise BadRequest(f"{field}: the URL has no host")
    if parts.username or parts.password:
        raise BadRequest(f"{field}: credentials in the URL are not allowed; {credentials}")
    if parts.query or parts.fragment:
        raise BadRequest(f"{field}: the URL must not have a query or fragment")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError as e:
        raise BadRequest(f"{field}: {e}") from e
    host = parts.hostname
    # An engine's node is where its jobs' servers listen; no other host gets past the lock.
    if loopback_only and not is_loopback(host) and not (engine_host and engine_host(host)):
        if engine_host is not None:
            raise Forbidden(
                f"{field}: {host} is neither a loopback address nor a node of the job engine "
                f"(its pool or ForgatherLab.engine_nodes), and {lock}"
            )
        raise Forbidden(f"{field}: {host} is not a loopback address and {lock}")
    return urlunsplit((parts.scheme, parts.netloc, parts.path.rstrip("/"), "", ""))


def is_loopback(host: str) -> bool:
    """``localhost`` or a literal loopback IP; other names are not resolved."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def upstream_url(base: str, operation: ProxyOperation | str) -> str:
    """``<base>/<operation>``; health is the server's ``/health`` (beside ``/v1``)."""
    try:
        operation = ProxyOperation(operation)
    except ValueError:
        raise BadRequest(f"Unknown inference operation {operation!r}") from None
    if operation == ProxyOperation.HEALTH:
        parts = urlsplit(base)
        path = parts.path.rstrip("/")
        if path.endswith("/v1"):
            path = path[: -len("/v1")]
        return urlunsplit((parts.scheme, parts.netloc, path + "/health", "", ""))
    return f"{base}/{operation}"
