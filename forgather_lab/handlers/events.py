"""``GET /forgather/api/events``: the event bus as Server-Sent Events.

One ``data:`` line of JSON per event (``{"id", "type", "time", ...}``, no
``event:`` field, so ``EventSource.onmessage`` sees everything), an ``id:``
line with the bus event id so a reconnecting browser resumes after
``Last-Event-ID`` (or ``?since=``) without losing anything still in the bus
history; when the gap is older than the history the stream starts with a
``resync`` event telling the client to reload its state. Comments keep idle
connections open through proxies. Each client (user and address) may hold a
few streams at once (by address); one more is answered 429.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from typing import Any

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..errors import BadRequest, ForgatherError
from ..models.control import EventsQuery
from .base import ForgatherHandler, Route, operation

DEFAULTS = {"max_connections": 32, "heartbeat": 15.0}


class TooManyStreams(ForgatherError):
    """A client holds as many event streams as it may."""

    status = 429


class EventsHandler(ForgatherHandler):
    _open: Counter[str] = Counter()  # streams per client address, across requests

    def _option(self, name: str) -> Any:
        return self.settings.get("forgather_events", {}).get(name, DEFAULTS[name])

    def _since(self, query: EventsQuery) -> int | None:
        header = self.request.headers.get("Last-Event-ID")
        if header is None:
            return query.since
        try:
            return max(0, int(header))
        except ValueError:
            raise BadRequest(f"Last-Event-ID must be an event id, not {header!r}") from None

    def on_connection_close(self) -> None:
        closed = getattr(self, "_closed", None)
        if closed is not None:
            closed.set()

    @operation(
        "Server-Sent Events: every state change (job_status_changed, job_progress, "
        "job_finished, queue_changed, gpu_policy_changed, ...) as JSON with a type field; "
        "resumes after Last-Event-ID or ?since=",
        query=EventsQuery,
        errors={429: "too many open streams for this client"},
        content_type="text/event-stream",
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        q = self.parse_query(EventsQuery)
        since = self._since(q)
        types = {t.strip() for t in (q.types or "").split(",") if t.strip()} or None
        # By address: with token auth Jupyter may make up a new user per request.
        client = self.request.remote_ip or "?"
        limit = int(self._option("max_connections"))
        if self._open[client] >= limit:
            raise TooManyStreams(
                f"Too many event streams open for this client ({limit}); close one "
                "(each browser tab needs only one)"
            )
        self._open[client] += 1
        self._closed = asyncio.Event()
        bus = self.runtime.bus
        sub = bus.subscribe(types, since)
        try:
            self.set_header("Content-Type", "text/event-stream; charset=utf-8")
            self.set_header("Cache-Control", "no-cache")
            self.set_header("X-Accel-Buffering", "no")  # nginx: do not buffer the stream
            self.write("retry: 2000\n\n")
            if since is not None and bus.missed(since):
                gone = {"type": "resync", "message": "Events were missed; reload the state."}
                self.write(f"data: {json.dumps(gone)}\n\n")
            await self.flush()
            await self._pump(sub, float(self._option("heartbeat")))
        except StreamClosedError:
            pass
        finally:
            sub.close()
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]
        if not self._closed.is_set():
            self.finish()

    async def _pump(self, sub: Any, heartbeat: float) -> None:
        closed = asyncio.ensure_future(self._closed.wait())
        try:
            while not self._closed.is_set():
                nxt = asyncio.ensure_future(sub.get(timeout=heartbeat))
                await asyncio.wait({nxt, closed}, return_when=asyncio.FIRST_COMPLETED)
                if not nxt.done():
                    nxt.cancel()
                    return
                event = nxt.result()
                if event is None:
                    self.write(": keep-alive\n\n")
                else:
                    self.write(f"id: {event.id}\ndata: {json.dumps(event.to_dict())}\n\n")
                    while sub.queue:  # send what is already waiting in the same flush
                        event = sub.queue.popleft()
                        self.write(f"id: {event.id}\ndata: {json.dumps(event.to_dict())}\n\n")
                await self.flush()
        finally:
            closed.cancel()


ROUTES = [Route("/events", EventsHandler)]
