"""A base for endpoints that answer plain HTTP and also accept a WebSocket upgrade."""

from __future__ import annotations

import contextlib
from typing import Any

from tornado import websocket

from .base import ForgatherHandler


class StreamingHandler(ForgatherHandler, websocket.WebSocketHandler):
    """``GET`` answers HTTP unless the client asked to upgrade; then ``stream()`` runs.

    Jupyter's authentication runs in ``prepare`` for both, so a socket is as
    protected as the REST call beside it.
    """

    def is_upgrade(self) -> bool:
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    async def upgrade(self) -> None:
        """Complete the WebSocket handshake (``open`` then runs ``stream``)."""
        await websocket.WebSocketHandler.get(self, *self.path_args, **self.path_kwargs)

    def open(self, *args: Any, **kwargs: Any) -> None:
        self._stream_task = self._spawn(self.stream(*args, **kwargs))

    def _spawn(self, coro: Any) -> Any:
        import asyncio

        task = asyncio.ensure_future(coro)
        task.add_done_callback(self._stream_done)
        return task

    def _stream_done(self, task: Any) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.log.error("stream failed", exc_info=task.exception())
        with contextlib.suppress(Exception):
            self.close(1000)

    async def stream(self, *args: Any, **kwargs: Any) -> None:
        """Send messages until done; the socket closes when this returns."""
        raise NotImplementedError

    def on_close(self) -> None:
        task = getattr(self, "_stream_task", None)
        if task is not None:
            task.cancel()

    def on_message(self, message: str | bytes) -> None:
        pass  # these streams only talk
