"""The inter-node listener: HTTP/1.1 (h11) over mutual TLS on asyncio, serving ``PeerApi``.

Not tornado: the core never imports the web framework (it must also run as a
JupyterHub service), and this server answers only a handful of inter-node
operations. h11 (the protocol engine under httpx) parses the requests, so no
HTTP is parsed by hand. The TLS context requires a client certificate from
the cluster CA: a client without one, or with one from another CA, fails the
handshake and never reaches an operation.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import logging
import ssl

import h11

from .peer_api import MAX_BODY, PeerApi

log = logging.getLogger("forgather_lab")

HANDSHAKE_TIMEOUT = 5.0
ALL_INTERFACES = "0.0.0.0"  # noqa: S104  # only when an advertised address is not local
IDLE_TIMEOUT = 60.0
_READ = 64 * 1024


class Listener:
    """Listens on this node's addresses (one port for all of them) until ``stop``."""

    def __init__(
        self, api: PeerApi, ssl_context: ssl.SSLContext, addresses: list[str], port: int
    ) -> None:
        self.api = api
        self.ssl_context = ssl_context
        self.addresses = addresses
        self.port = port
        self._servers: list[asyncio.Server] = []
        self._connections: set[asyncio.Task[None]] = set()

    async def start(self, local: set[str]) -> int:
        """Bind (port 0: a free one, the same on every address); the port bound.

        An advertised address that is not this host's (a container behind NAT)
        cannot be bound: then the listener takes every interface.
        """
        hosts = [a for a in self.addresses if a in local]
        if not hosts or len(hosts) < len(self.addresses):
            # Every client must still present a CA-signed certificate (mTLS).
            hosts = [ALL_INTERFACES]
        port = self.port
        for host in hosts:
            server = await asyncio.start_server(
                self._serve,
                host=host,
                port=port,
                ssl=self.ssl_context,
                ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
            )
            self._servers.append(server)
            port = int(server.sockets[0].getsockname()[1])
        self.port = port
        return port

    async def stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._connections):
            task.cancel()
        await asyncio.gather(*self._connections, return_exceptions=True)
        for server in self._servers:
            with contextlib.suppress(Exception):
                await server.wait_closed()
        self._servers.clear()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._connection(reader, writer)
        except (OSError, ssl.SSLError, h11.ProtocolError, TimeoutError) as e:
            log.debug("Inter-node connection ended: %s", e)
        except asyncio.CancelledError:
            # Only ``stop`` cancels these tasks. Ending normally matters: asyncio
            # 3.11's done-callback for a connection calls ``task.exception()``,
            # which raises on a cancelled task and logs a traceback per connection.
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=16 * 1024)
        while True:
            request, body = await _read_request(conn, reader)
            if request is None:
                return
            method = request.method.decode("ascii", "replace")
            target = request.target.decode("ascii", "replace")
            if body is None:
                reply_status, reply_body, ctype = (
                    413,
                    b'{"message":"Body too large"}',
                    "application/json",
                )
            else:
                r = await self.api.handle(method, target, body)
                reply_status, reply_body, ctype = r.status, r.body, r.content_type
            headers = [
                ("Content-Type", ctype),
                ("Content-Length", str(len(reply_body))),
            ]
            if body is None:
                headers.append(("Connection", "close"))
            writer.write(conn.send(h11.Response(status_code=reply_status, headers=headers)) or b"")
            writer.write(conn.send(h11.Data(data=reply_body)) or b"")
            writer.write(conn.send(h11.EndOfMessage()) or b"")
            await writer.drain()
            if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                return
            conn.start_next_cycle()


async def _read_request(
    conn: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request | None, bytes | None]:
    """The next request and its body (None when too large), or (None, None) at the end."""
    request: h11.Request | None = None
    chunks: list[bytes] = []
    size = 0
    while True:
        event = conn.next_event()
        if event is h11.NEED_DATA:
            async with asyncio.timeout(IDLE_TIMEOUT):
                data = await reader.read(_READ)
            conn.receive_data(data)
            continue
        if isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            size += len(event.data)
            if size <= MAX_BODY:
                chunks.append(event.data)
        elif isinstance(event, h11.EndOfMessage):
            return request, (b"".join(chunks) if size <= MAX_BODY else None)
        elif isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            return None, None


def local_addresses(interfaces: list[str]) -> set[str]:
    """The addresses of this host among ``interfaces`` (plus loopback), to know what binds."""
    out = {"127.0.0.1"}
    for a in interfaces:
        with contextlib.suppress(ValueError):
            out.add(str(ipaddress.ip_address(a)))
    return out
