"""A base for endpoints that answer plain HTTP and also accept a WebSocket upgrade."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from tornado import websocket

from ..control.streams import Slot
from .base import ForgatherHandler

#: Open WebSocket streams allowed per client address when the setting is absent.


class StreamingHandler(ForgatherHandler, websocket.WebSocketHandler):
    """``GET`` answers HTTP unless the client asked to upgrade; then ``stream()`` runs.

    Jupyter's authentication runs in ``prepare`` for both, so a socket is as
    protected as the REST call beside it. The socket owns its ``stream()``
    task: closing either side cancels it, and its failure is logged.

    Every socket of every subclass counts against one cap per client address
    (``streams_max_connections``: log follows of all jobs and the GPU stream
    together), taken before the handshake: one more is a 429 with a JSON
    message instead of a socket, and the count is given back when the socket
    closes, however it closes.
    """

    _stream_task: asyncio.Task[None] | None = None
    _slot: Slot | None = None

    def is_upgrade(self) -> bool:
        """Whether the client asked for a WebSocket."""
        return self.request.headers.get("Upgrade", "").lower() == "websocket"

    def max_sockets(self) -> int:
        """Open sockets one client address may hold (all jobs and the GPU stream)."""
        return self.runtime.settings.streams_max_connections

    async def upgrade(self) -> None:
        """Complete the WebSocket handshake (``open`` then runs ``stream``); 429 past the cap.

        Tornado's ``get`` returns when the socket has closed (or the handshake
        failed), so the slot is released here whatever happened; ``on_close``
        releases it too, for a socket closed before this returns.
        """
        client = self.stream_client()
        self._slot = self.runtime.control.sockets.acquire(client, self.max_sockets())
        try:
            await websocket.WebSocketHandler.get(self, *self.path_args, **self.path_kwargs)
        finally:
            self._release_slot()

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
        self._release_slot()

    def _release_slot(self) -> None:
        slot, self._slot = self._slot, None
        if slot is not None:
            slot.release()

    def on_message(self, message: str | bytes) -> None:
        pass  # these streams only talk
