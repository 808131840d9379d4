"""Byte-for-byte streaming to an upstream over asyncio and h11, for the proxies' hot path.

httpx (through httpcore and anyio) spent more of a streamed reply's time than
the proxy's own work: about 1.5 ms more to an upstream's headers than the
same request written by hand, and twice the CPU per chunk, on a small
machine. The proxies only pass bytes on, so they need none of what costs:
no decoding, redirects, auth flows, cookies or proxies from the environment.
h11 (the parser under httpx, and the cluster listener's) still frames every
message, so nothing here parses HTTP by hand.

What it keeps from the httpx client it replaces on this path: no cookie jar
at all (nothing is stored, and ``Cookie`` never goes out), no environment
proxies, no redirects followed, TLS verified as httpx verifies it, and a pool
of kept-alive connections per origin. A connection goes back to the pool
only when its reply was read to the end; a reply left early (the browser
went away) closes its connection, which stops the generation upstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import ssl
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import quote, urlsplit

import h11
import httpx

from .upstream import BadGateway, _safe

# Upstream failures after the status line: the handler ends the reply where it broke.
BROKEN = (OSError, TimeoutError, h11.ProtocolError, ssl.SSLError)
READ_SIZE = 65536
# A kept connection older than this is not reused (httpx's default keep-alive expiry).
KEEPALIVE_S = 5.0
MAX_IDLE_PER_ORIGIN = 8
# The most a status line and headers may take: httpcore's limit (h11's own is 16 KiB,
# which a page of upstream cookies passes, and those are dropped here, not refused).
MAX_HEAD = 100 * 1024

Origin = tuple[str, str, int]


class UpstreamBrokeOff(Exception):
    """The upstream closed, timed out or broke HTTP after its status line."""


class _Stale(Exception):
    """A kept connection was closed by the upstream before it answered a byte."""


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.h11 = h11.Connection(h11.CLIENT, max_incomplete_event_size=MAX_HEAD)
        self.idle_since = time.monotonic()

    def usable(self) -> bool:
        """Idle, open and not expired: a closed one would swallow the request."""
        fresh = time.monotonic() - self.idle_since < KEEPALIVE_S
        return fresh and not self.reader.at_eof() and not self.writer.is_closing()

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.writer.close()


class PassthroughResponse:
    """An upstream's status and headers, and its body as it arrives (undecoded)."""

    def __init__(
        self, connection: _Connection, response: h11.Response, read_timeout: float
    ) -> None:
        self._connection = connection
        self._read_timeout = read_timeout
        self.status_code = response.status_code
        self.headers = httpx.Headers(
            [(k.decode("latin-1"), v.decode("latin-1")) for k, v in response.headers]
        )
        self.complete = False

    async def aiter_raw(self) -> AsyncIterator[bytes]:
        """The body's bytes as the upstream sends them.

        Chunks that arrived together are yielded together: one write to the
        browser instead of one per chunk when the proxy is behind, and never
        a wait for a chunk that has not arrived.
        """
        state = self._connection.h11
        try:
            while True:
                event = await _next_event(self._connection, self._read_timeout)
                if isinstance(event, h11.EndOfMessage):
                    self.complete = True
                    return
                if not isinstance(event, h11.Data):  # closed before the end, or a stray event
                    raise UpstreamBrokeOff("the upstream closed the connection mid-reply")
                data = bytes(event.data)
                while True:
                    event = state.next_event()  # only what is already read: no waiting
                    if not isinstance(event, h11.Data):
                        break
                    data += event.data
                if isinstance(event, h11.EndOfMessage):
                    self.complete = True
                    yield data
                    return
                yield data
                if event is not h11.NEED_DATA:
                    raise UpstreamBrokeOff("the upstream closed the connection mid-reply")
        except BROKEN as e:
            raise UpstreamBrokeOff(_reason(e)) from e


class Passthrough:
    """Pooled HTTP/1.1 connections to upstreams; one per proxied request at a time."""

    def __init__(self, connect_timeout: float = 10.0, read_timeout: float = 600.0) -> None:
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._idle: dict[Origin, list[_Connection]] = {}
        self._tls: ssl.SSLContext | None = None

    @asynccontextmanager
    async def stream(
        self, method: str, url: str, headers: dict[str, str], body: bytes | None
    ) -> AsyncIterator[PassthroughResponse]:
        """Send the request; yields the reply with its body unread. 502 if it cannot be sent."""
        parts = urlsplit(url)
        origin: Origin = (
            parts.scheme,
            parts.hostname or "",
            parts.port or _default_port(parts.scheme),
        )
        # As httpx sent it: a space or a control character is escaped, an escape kept.
        target = quote(parts.path or "/", safe=_PATH_SAFE)
        if parts.query:
            target += "?" + quote(parts.query, safe=_QUERY_SAFE)
        # Whatever a caller passed: a Cookie header is a browser's credential, never an upstream's.
        out = [("Host", parts.netloc)]
        out += [(k, v) for k, v in headers.items() if k.lower() not in _OWN_HEADERS]
        if body or method in ("POST", "PUT", "PATCH"):
            out.append(("Content-Length", str(len(body or b""))))
        try:
            request = h11.Request(method=method, target=target, headers=out)
        except h11.LocalProtocolError:
            # h11's message quotes the offending value, which may be a token: not repeated.
            raise BadGateway(
                f"The request to {_safe(url)} has a header that cannot be sent upstream"
            ) from None
        connection, response = await self._send(origin, request, body or b"", url)
        reply = PassthroughResponse(connection, response, self._read_timeout)
        try:
            yield reply
        finally:
            self._release(origin, connection, reply)

    async def _send(
        self, origin: Origin, request: h11.Request, body: bytes, url: str
    ) -> tuple[_Connection, h11.Response]:
        kept = self._take(origin)
        if kept is not None:
            try:
                return kept, await self._exchange(kept, request, body)
            except _Stale:
                # The upstream had closed the kept connection (it answered nothing
                # on it), so the request goes once more, on a new one.
                kept.close()
            except BROKEN as e:
                kept.close()
                raise BadGateway(f"The upstream {_safe(url)} broke off: {_reason(e)}") from e
            except BaseException:  # cancelled: a half-sent request leaves the socket unusable
                kept.close()
                raise
        try:
            connection = await self._connect(origin)
        except (OSError, TimeoutError, ssl.SSLError) as e:
            raise BadGateway(f"Could not reach the upstream {_safe(url)}: {_reason(e)}") from e
        try:
            return connection, await self._exchange(connection, request, body)
        except (_Stale, *BROKEN) as e:
            connection.close()
            raise BadGateway(f"Could not reach the upstream {_safe(url)}: {_reason(e)}") from e
        except BaseException:
            connection.close()
            raise

    async def _exchange(
        self, connection: _Connection, request: h11.Request, body: bytes
    ) -> h11.Response:
        data = connection.h11.send(request) or b""
        if body:
            data += connection.h11.send(h11.Data(data=body)) or b""
        data += connection.h11.send(h11.EndOfMessage()) or b""
        try:
            connection.writer.write(data)  # one segment: headers and body together
            async with asyncio.timeout(self._connect_timeout):
                await connection.writer.drain()
            first = await _read(connection, self._read_timeout)
        except ConnectionError as e:
            raise _Stale(_CLOSED) from e
        if not first:
            raise _Stale(_CLOSED)
        connection.h11.receive_data(first)
        while True:
            event = await _next_event(connection, self._read_timeout)
            if isinstance(event, h11.Response):
                return event
            if not isinstance(event, h11.InformationalResponse):
                raise h11.RemoteProtocolError("the upstream closed without answering")

    async def _connect(self, origin: Origin) -> _Connection:
        scheme, host, port = origin
        tls = None
        if scheme == "https":
            if self._tls is None:
                # The same verification the httpx client applied (trust_env off).
                self._tls = httpx.create_ssl_context(trust_env=False)
            tls = self._tls
        async with asyncio.timeout(self._connect_timeout):
            reader, writer = await asyncio.open_connection(host, port, ssl=tls, limit=READ_SIZE)
        return _Connection(reader, writer)

    def _take(self, origin: Origin) -> _Connection | None:
        idle = self._idle.get(origin)
        while idle:
            connection = idle.pop()
            if connection.usable():
                return connection
            connection.close()
        return None

    def _release(self, origin: Origin, connection: _Connection, reply: PassthroughResponse) -> None:
        """Keep the connection only if its reply was read whole and both sides may go on."""
        state = connection.h11
        if (
            reply.complete
            and state.our_state is h11.DONE
            and state.their_state is h11.DONE
            and not connection.writer.is_closing()
        ):
            state.start_next_cycle()
            connection.idle_since = time.monotonic()
            idle = self._idle.setdefault(origin, [])
            if len(idle) < MAX_IDLE_PER_ORIGIN:
                idle.append(connection)
                return
        connection.close()

    async def close(self) -> None:
        """Close every kept connection."""
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()


_CLOSED = "the upstream closed the connection without answering"
# Set here from the request itself; a caller's copy would conflict (or smuggle).
_OWN_HEADERS = frozenset({"host", "content-length", "transfer-encoding", "connection", "cookie"})
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


async def _read(connection: _Connection, timeout: float) -> bytes:  # noqa: ASYNC109 - per read, as httpx's read timeout
    async with asyncio.timeout(timeout):
        return await connection.reader.read(READ_SIZE)


async def _next_event(connection: _Connection, timeout: float) -> object:  # noqa: ASYNC109 - per read
    state = connection.h11
    while True:
        event = state.next_event()
        if event is not h11.NEED_DATA:
            return event
        state.receive_data(await _read(connection, timeout))  # b"": the end of the stream


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _reason(e: BaseException) -> str:
    return str(e) or type(e).__name__
