"""A base for endpoints that answer plain HTTP and also accept a WebSocket upgrade."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tornado import websocket

from .base import ForgatherHandler


class StreamingHandler(ForgatherHandler, websocket.WebSocketHandler):
    """``GET`` answers HTTP unless the client asked to upgrade; then ``stream()`` runs.

    Jupyter's authentication runs in ``prepare`` for both, so a socket is as
    protected as the REST call beside it. The socket owns its ``stream()``
    task: closing either side cancels it, and its failure is logged.
    """

    _stream_task: asyncio.Task[None] | None = None

    def is_upgrade(self) -> bool:
        """Whether the client asked for a WebSocket."""
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    async def upgrade(self) -> None:
        """Complete the WebSocket handshake (``open`` then runs ``stream``)."""
        await websocket.WebSocketHandler.get(self, *self.path_args, **self.path_kwargs)

    def open(self, *args: Any, **kwargs: Any) -> None:
        task = asyncio.get_running_loop().create_task(self.stream(*args, **kwargs))
        task.add_done_callback(self._stream_done)
        self._stream_task = task

    def _stream_done(self, task: asyncio.Task[None]) -> None:
        if not task.cancelled() and task.exception() is not None:
            self.log.error("stream failed", exc_info=task.exception())
        with contextlib.suppress(Exception):  # already closed by the client: nothing to do
            self.close(1000)

    async def stream(self, *args: Any, **kwargs: Any) -> None:
        """Send messages until done; the socket closes when this returns."""
        raise NotImplementedError

    def on_close(self) -> None:
        if self._stream_task is not None:
            self._stream_task.cancel()

    def on_message(self, message: str | bytes) -> None:
        pass  # these streams only talk
