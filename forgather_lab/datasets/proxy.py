"""The dataset proxy's rules: only registered servers, each with its own token (no tornado here).

Two ways in, one allow-list (the registry):

- ``/dataset-servers/{id}/proxy/{path}``: ``{path}`` is put after the
  server's base URL; an id that is not registered is a 403.
- ``/dataset-servers/proxy?url=``: the URL must lie under a registered
  server's base (same scheme, host and port, its path below the base path);
  any other URL is a 403. Nothing is resolved or fetched before that match,
  so the proxy cannot be pointed at an arbitrary host (no SSRF).

Only GET is forwarded (a dataset server only reads). The server's token is
injected from its 0600 file; the browser's own Authorization, cookies and
XSRF token never go upstream, and nothing of the token comes back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from urllib.parse import quote, urlsplit

from ..errors import Forbidden, Unavailable
from ..proxy.inference import UpstreamRequest, is_loopback
from ..proxy.upstream import request_headers
from .records import has_control, read_token
from .registry import DatasetRegistry, Target

SAFE = "/:@!$&'()*+,;=-._~"  # path characters forwarded as they are


def _refuse(what: str) -> Forbidden:
    return Forbidden(
        f"{what} is not a registered dataset server (the proxy reaches only the servers "
        "GET /forgather/api/dataset-servers lists)",
        reason="not_registered",
    )


async def _request(
    registry: DatasetRegistry, target: Target, url: str, incoming: Mapping[str, str]
) -> UpstreamRequest:
    if target.url is None:
        raise Unavailable(f"dataset server {target.id} has not started listening yet")
    host = urlsplit(target.url).hostname or ""
    if target.source == "user" and registry.loopback_only() and not is_loopback(host):
        raise Forbidden(
            f"{host} is not a loopback address, and dataset servers are locked to loopback "
            "(ForgatherLab.dataset_servers_loopback_only)"
        )
    token = await asyncio.to_thread(read_token, target.token_file) if target.token_file else None
    return UpstreamRequest("GET", url, request_headers(dict(incoming), token))


async def plan_by_id(
    registry: DatasetRegistry, server_id: str, path: str, query: str, incoming: Mapping[str, str]
) -> UpstreamRequest:
    """The request to ``{path}`` of the registered server ``server_id`` (403 if there is none)."""
    target = await asyncio.to_thread(registry.target, server_id)
    if target is None:
        raise _refuse(repr(server_id))
    url = f"{target.url}/{quote(path.lstrip('/'), safe=SAFE)}" + (f"?{query}" if query else "")
    return await _request(registry, target, url, incoming)


async def plan_by_url(
    registry: DatasetRegistry, url: str, incoming: Mapping[str, str]
) -> UpstreamRequest:
    """The request to ``url``, which must lie under a registered server (403 if not)."""
    if has_control(url):
        raise _refuse("A URL with control characters")
    wanted = urlsplit(url)
    for target in await registry.targets():
        if target.url is not None and _under(wanted.geturl(), target.url):
            return await _request(registry, target, url, incoming)
    raise _refuse(url.split("?", 1)[0][:200])


def _under(url: str, base: str) -> bool:
    """Same scheme, host and port as ``base``, and a path at or below its path."""
    a, b = urlsplit(url), urlsplit(base)
    if a.username or a.password or a.fragment or ".." in a.path.split("/"):
        return False
    try:
        same = (a.scheme, a.hostname, a.port) == (b.scheme, b.hostname, b.port)
    except ValueError:  # a bad port
        return False
    base_path = b.path.rstrip("/")
    return same and (a.path == base_path or a.path.startswith(base_path + "/"))
