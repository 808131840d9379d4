"""Streaming HTTP to an upstream, byte for byte, with httpx (no tornado here).

The handler writes each chunk as it arrives and flushes it, so a Server-Sent
Events stream reaches the browser token by token; nothing here buffers a
body. Closing the context (the browser went away) closes the upstream
connection, which is how a "Stop" in the chat stops the generation upstream.

Cookies never cross the proxy in either direction. One client serves every
proxied request of every user, and a cookie jar on it would be a shared one:
cookies are scoped by host, not port, so a ``Set-Cookie`` from one loopback
upstream would be replayed to every other (Jupyter's own login cookie
included, after one proxied request to Jupyter). The client therefore gets a
jar that refuses to store anything (``NoCookieJar``), requests lose any
``Cookie`` header, and upstream ``Set-Cookie`` is never passed back.
"""

from __future__ import annotations

import http.cookiejar
import urllib.request
from collections.abc import AsyncIterator, Collection
from contextlib import asynccontextmanager
from typing import ClassVar, Protocol
from urllib.parse import urlsplit, urlunsplit

import httpx

from ..errors import ForgatherError


class BadGateway(ForgatherError):
    """The upstream could not be reached or broke off."""

    status: ClassVar[int] = 502
    default_reason: ClassVar[str] = "bad_gateway"


# Request headers a client may send upstream; everything else (cookies, the
# Jupyter Authorization header, XSRF tokens) stays on this side.
FORWARD_REQUEST = ("accept", "accept-encoding", "content-type", "cache-control", "last-event-id")
# Response headers passed back; the upstream cannot set cookies or auth challenges here.
FORWARD_RESPONSE = (
    "content-type",
    "content-encoding",
    "cache-control",
    "etag",
    "last-modified",
    "x-request-id",
)


class _RefuseAll(http.cookiejar.CookiePolicy):
    """A cookie policy that neither accepts nor returns any cookie."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: urllib.request.Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        return False


class NoCookieJar(http.cookiejar.CookieJar):
    """A jar that stays empty: every way in is closed, and the policy refuses too.

    It must be handed to ``httpx.AsyncClient(cookies=...)`` itself: httpx 0.28
    copies an ``httpx.Cookies`` (or a dict) into a fresh, accepting jar, and
    uses only a ``CookieJar`` instance as it is.
    """

    def __init__(self) -> None:
        super().__init__(policy=_RefuseAll())

    def set_cookie(self, cookie: http.cookiejar.Cookie) -> None:
        return  # never stored

    def set_cookie_if_ok(
        self, cookie: http.cookiejar.Cookie, request: urllib.request.Request
    ) -> None:
        return

    # ``object``: httpx passes a look-alike of http.client.HTTPResponse.
    def extract_cookies(self, response: object, request: urllib.request.Request) -> None:
        return  # a response's Set-Cookie is read by nobody

    def add_cookie_header(self, request: urllib.request.Request) -> None:
        return  # nothing to send, ever


class Upstream:
    """One pooled async HTTP client for all proxied requests of a server; it keeps no cookies."""

    def __init__(self, read_timeout: float = 600.0) -> None:
        self._timeout = httpx.Timeout(10.0, read=read_timeout)
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # created on the loop that uses it
            # trust_env=False: an HTTP(S)_PROXY in the server's env must not
            # receive upstream tokens meant for a loopback server.
            self._client = httpx.AsyncClient(
                timeout=self._timeout,
                trust_env=False,
                follow_redirects=False,
                cookies=NoCookieJar(),
            )
        return self._client

    @asynccontextmanager
    async def stream(
        self,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
    ) -> AsyncIterator[httpx.Response]:
        """Open ``url``; yields the response with its body still unread."""
        request = self.client.build_request(method, url, headers=headers, content=body or None)
        # Whatever a caller passed: a Cookie header is a browser's credential, never an upstream's.
        request.headers.pop("cookie", None)
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as e:
            raise BadGateway(f"Could not reach the upstream {_safe(url)}: {_reason(e)}") from e
        try:
            yield response
        finally:
            await response.aclose()

    async def close(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def request_headers(
    incoming: dict[str, str], token: str | None, also: Collection[str] = ()
) -> dict[str, str]:
    """The headers sent upstream: a safe subset (plus ``also``), and the upstream token if any.

    ``Cookie`` is never forwarded, whatever ``also`` names.
    """
    allowed = {*FORWARD_REQUEST, *(h.lower() for h in also)} - {"cookie"}
    out = {k: v for k, v in incoming.items() if k.lower() in allowed}
    if token:
        out["Authorization"] = f"Bearer {token}"
    return out


class _HasHeaders(Protocol):
    @property
    def headers(self) -> httpx.Headers: ...


def response_headers(upstream: _HasHeaders) -> list[tuple[str, str]]:
    """The upstream's headers passed on to the browser (never ``Set-Cookie``)."""
    return [(k, v) for k, v in upstream.headers.multi_items() if k.lower() in FORWARD_RESPONSE]


def host_key(host: str) -> str:
    """A host as allow-lists compare it: lower case, no IPv6 brackets, no trailing dot."""
    return host.strip().strip("[]").rstrip(".").lower()


def with_host(url: str, host: str) -> str:
    """``url`` with its host replaced (port, path and the rest kept): an engine job's upstream.

    A job on an engine node announces the port it bound; where the server
    reaches it is the node the engine says it runs on, not what the job wrote.
    """
    parts = urlsplit(url)
    name = host_key(host)
    netloc = f"[{name}]" if ":" in name else name
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _safe(url: str) -> str:
    return url.split("?", 1)[0]


def _reason(e: httpx.HTTPError) -> str:
    return str(e) or type(e).__name__
