"""The pool's sockets through a user's server: a job's log follow, the GPU stream.

``GET`` of these routes is plain HTTP (forwarded as any other) unless the
client asks to upgrade; then the server opens the same socket at the service
first (with its server token, so a refusal there, 403 / 404 / 429, is the
client's answer before any handshake) and relays messages both ways until
either side closes.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import httpclient, web, websocket

from ..proxy.upstream import BadGateway
from .base import ForgatherHandler
from .forward import ForwardHandler
from .streams import StreamingHandler


def streams(handler: type[ForgatherHandler]) -> bool:
    """Whether ``handler``'s route also speaks WebSocket."""
    return issubclass(handler, StreamingHandler)


class ForwardSocketHandler(ForwardHandler, websocket.WebSocketHandler):
    """HTTP forwarded; a WebSocket upgrade relayed to the same socket at the service."""

    _upstream: websocket.WebSocketClientConnection | None = None
    _pump: asyncio.Task[None] | None = None

    def is_upgrade(self) -> bool:
        """Whether the client asked for a WebSocket."""
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    @web.authenticated
    @authorized
    async def get(self, *args: str, **kwargs: str) -> None:  # type: ignore[override]  # web.authenticated widens the return
        if not self.is_upgrade():
            await self.forward()
            return
        url = await self.pool.api_url_for(self.api_rest(), self.forwarded_query())
        request = httpclient.HTTPRequest(
            "ws" + url[len("http") :], headers=self.pool.authorization(), connect_timeout=10
        )
        try:
            self._upstream = await websocket.websocket_connect(request)
        except httpclient.HTTPClientError as e:
            body = e.response.body.decode("utf-8", "replace") if e.response is not None else ""
            raise web.HTTPError(e.code, _reason(body) or e.message or "refused") from e
        except OSError as e:
            raise BadGateway(f"Could not reach the shared pool {self.pool.label}: {e}") from e
        try:
            await websocket.WebSocketHandler.get(self, *args, **kwargs)
        finally:
            if self.ws_connection is None:  # the handshake failed: nothing will relay
                self._upstream.close()

    def open(self, *args: Any, **kwargs: Any) -> None:
        self._pump = asyncio.get_running_loop().create_task(self._relay_down())

    async def _relay_down(self) -> None:
        assert self._upstream is not None
        while True:
            message = await self._upstream.read_message()
            if message is None:
                break
            try:
                await self.write_message(message, binary=isinstance(message, bytes))
            except websocket.WebSocketClosedError:
                break
        with contextlib.suppress(Exception):  # already closed by the client
            self.close(1000)

    def on_message(self, message: str | bytes) -> Any:
        if self._upstream is not None:
            return self._upstream.write_message(message, binary=isinstance(message, bytes))
        return None

    def on_close(self) -> None:
        if self._pump is not None:
            self._pump.cancel()
        if self._upstream is not None:
            self._upstream.close()


def _reason(body: str) -> str:
    try:
        return str(json.loads(body).get("message") or "")
    except (ValueError, AttributeError):
        return ""


__all__ = ["ForwardSocketHandler", "streams"]
