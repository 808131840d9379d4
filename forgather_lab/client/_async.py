"""The asyncio twin of ``Client``: the same methods, each a coroutine."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Self, TypeVar

import httpx

from ..models.jobs import DescribeJob
from ._call import AsyncSender, Call
from ._discovery import ServerInfo, discover
from ._endpoints import Endpoints
from ._errors import error_from_response
from ._transport import (
    DEFAULT_TIMEOUT,
    FINISHED,
    Event,
    event_params,
    headers,
    parse_sse,
    result,
    tty_follow_path,
    unreachable,
    ws_url,
)

T = TypeVar("T")


class AsyncClient(Endpoints, AsyncSender):
    """The Forgather Lab REST API for asyncio code: ``await client.jobs()``.

    Every method of ``Client`` exists here and returns an awaitable of the
    same result (``follow_tty`` and ``events`` are ``async for`` iterators);
    errors are the same ``ForgatherClientError``.
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        server: ServerInfo | None = None,
    ) -> None:
        self.server = server or discover(url, token)
        self._http = httpx.AsyncClient(
            base_url=self.server.api_url, headers=headers(self.server), timeout=timeout
        )

    def __repr__(self) -> str:
        return f"AsyncClient({self.server.url!r}, source={self.server.source!r})"

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._http.aclose()

    async def _send(self, call: Call[T]) -> T:
        try:
            r = await self._http.request(
                call.method, call.path, params=call.params or None, json=call.json
            )
        except httpx.TransportError as e:
            raise unreachable(self.server, e) from None
        return result(call, r.status_code, r.text, str(r.url))

    async def wait(
        self, job_id: str, until: tuple[str, ...] = FINISHED, interval: float = 0.5
    ) -> DescribeJob:
        """Poll until the job's status is one of ``until``; the job.

        No ``timeout`` argument, as asyncio code bounds it itself:
        ``async with asyncio.timeout(60): await client.wait(job_id)``.
        """
        while True:  # polling the server: nothing in this process to wait on
            job = await self.job(job_id)
            if job.status in until:
                return job
            await asyncio.sleep(interval)

    async def follow_tty(self, job_id: str) -> AsyncIterator[str]:
        """The job's log, backlog then live, until the job ends (``async for``)."""
        # tornado is there whenever jupyter_server is; imported here, not at module level.
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        job = await self.job(job_id)
        url = ws_url(self.server, tty_follow_path(job_id))
        while True:
            got = False
            try:
                ws = await websocket_connect(HTTPRequest(url, headers=headers(self.server)))
            except OSError as e:
                raise unreachable(self.server, e) from None
            try:
                while (message := await ws.read_message()) is not None:
                    got = True
                    yield (
                        message if isinstance(message, str) else message.decode("utf-8", "replace")
                    )
            finally:
                ws.close()
            # The server closes at once for a job that has not started: wait for it.
            if got or job.status not in ("queued", "starting"):
                return
            await asyncio.sleep(0.5)
            job = await self.job(job_id)

    async def events(
        self, types: list[str] | None = None, since: int | None = None
    ) -> AsyncIterator[Event]:
        """The server's event stream (SSE ``GET /events``), optionally only ``types``."""
        try:
            async with self._http.stream(
                "GET",
                "events",
                params=event_params(types, since),
                headers={"Accept": "text/event-stream"},
                timeout=None,
            ) as r:
                if r.status_code >= 400:
                    await r.aread()
                    raise error_from_response(r.status_code, r.text, str(r.url))
                buffer: list[str] = []
                async for line in r.aiter_lines():
                    buffer.append(line)
                    if not line:
                        for event in parse_sse(buffer):
                            yield event
                        buffer = []
        except httpx.TransportError as e:
            raise unreachable(self.server, e) from None
