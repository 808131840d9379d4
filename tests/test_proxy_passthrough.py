"""The inference proxy's upstream client (proxy/passthrough.py): pooling, early exits.

An asyncio upstream on 127.0.0.1 counts its connections and records what it
is sent; the proxy's rules on top (tokens, ownership, cookies through the
handler) are test_proxy.py's and test_proxy_upstream_cache.py's.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from forgather_lab.proxy.passthrough import Passthrough, UpstreamBrokeOff
from forgather_lab.proxy.upstream import BadGateway

pytestmark = pytest.mark.timeout(30)


class Upstream:
    """Answers every request on a connection with three SSE chunks; ``close_after`` ends it."""

    def __init__(self, close_after: int | None = None, hang: bool = False) -> None:
        self.connections = 0
        self.closed = asyncio.Event()
        self.requests: list[dict[str, str]] = []
        self.close_after = close_after
        self.hang = hang
        self.server: asyncio.Server | None = None
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        answered = 0
        try:
            while True:
                try:
                    head = (await reader.readuntil(b"\r\n\r\n")).decode()
                except asyncio.IncompleteReadError:
                    return
                lines = head.split("\r\n")
                headers = {"_line": lines[0]}
                headers |= {
                    k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)
                }
                self.requests.append(headers)
                await reader.readexactly(int(headers.get("content-length", 0)))
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                    b"Set-Cookie: up=1\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                for n in range(3):
                    event = f"data: {n}\n\n".encode()
                    writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
                    await writer.drain()
                    if self.hang and n == 0:
                        await reader.read()  # until the proxy side closes
                        return
                writer.write(b"0\r\n\r\n")
                await writer.drain()
                answered += 1
                if self.close_after is not None and answered >= self.close_after:
                    return
        finally:
            writer.close()
            self.closed.set()

    async def __aenter__(self) -> Upstream:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/v1/chat/completions"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.server is not None
        self.server.close()


async def _read_all(client: Passthrough, url: str, headers: dict[str, str] | None = None) -> bytes:
    async with client.stream("POST", url, headers or {}, b"{}") as reply:
        assert reply.status_code == 200
        return b"".join([chunk async for chunk in reply.aiter_raw()])


async def test_a_reply_read_whole_keeps_its_connection() -> None:
    client = Passthrough()
    try:
        async with Upstream() as upstream:
            for _ in range(3):
                body = await _read_all(client, upstream.url, {"Cookie": "a=b", "Accept": "x/y"})
                assert body == b"data: 0\n\ndata: 1\n\ndata: 2\n\n"
            assert upstream.connections == 1
        sent = upstream.requests[0]
        assert sent["_line"] == "POST /v1/chat/completions HTTP/1.1"
        assert sent["host"] == upstream.url.split("/")[2]
        assert (sent["accept"], sent["content-length"]) == ("x/y", "2")
        assert "cookie" not in sent
    finally:
        await client.close()


async def test_a_reply_left_early_closes_its_connection() -> None:
    """The browser went away: the upstream must see its connection close (and stop generating)."""
    client = Passthrough()
    try:
        async with Upstream(hang=True) as upstream:
            async with client.stream("POST", upstream.url, {}, b"{}") as reply:
                async for _chunk in reply.aiter_raw():
                    break
            await asyncio.wait_for(upstream.closed.wait(), 5)
            upstream.hang = False
            await _read_all(client, upstream.url)
            assert upstream.connections == 2  # the left one was not handed on
    finally:
        await client.close()


async def test_a_kept_connection_the_upstream_closed_is_replaced_once() -> None:
    client = Passthrough()
    try:
        async with Upstream(close_after=1) as upstream:
            await _read_all(client, upstream.url)
            await asyncio.wait_for(upstream.closed.wait(), 5)
            await asyncio.sleep(0)
            await _read_all(client, upstream.url)
            assert upstream.connections == 2
            assert len(upstream.requests) == 2  # sent once each, answered once each
    finally:
        await client.close()


async def test_unreachable_and_broken_upstreams() -> None:
    client = Passthrough(connect_timeout=2)
    async with Upstream() as upstream:
        url = upstream.url
    with pytest.raises(BadGateway):  # nothing listens there any more
        await _read_all(client, url)

    async def half(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(half, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        with pytest.raises(UpstreamBrokeOff):
            await _read_all(client, f"http://127.0.0.1:{port}/v1/models")
    finally:
        server.close()
        await client.close()


async def test_a_header_that_cannot_be_sent_is_refused_without_repeating_it() -> None:
    client = Passthrough()
    async with Upstream() as upstream:
        with pytest.raises(BadGateway) as refused:
            await _read_all(client, upstream.url, {"Authorization": "Bearer se\ncret"})
    assert "cret" not in str(refused.value.message)
    assert refused.value.__cause__ is None
    assert upstream.requests == []
    await client.close()
