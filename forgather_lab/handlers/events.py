"""``GET /forgather/api/events``: the event bus as Server-Sent Events.

One ``data:`` line of JSON per event (``{"id", "type", "time", ...}``, no
``event:`` field, so ``EventSource.onmessage`` sees everything), an ``id:``
line with the bus event id so a reconnecting browser resumes after
``Last-Event-ID`` (or ``?since=``) without losing anything still in the bus
history; when the gap is older than the history the stream starts with a
``resync`` event telling the client to reload its state. Comments keep idle
connections open through proxies. Each client address may hold a few streams
at once (``events_max_connections``, counted by the server's
``EventStreams``); one more is answered 429. Periodic samples
(``gpus_sampled``) come only to a stream that names their type, and naming
it keeps the GPU sampler running for as long as the stream is open.

A shared pool (``mode = "hub"``) shows every user the queue and the jobs,
but a job's reports and commands (its metrics, its trainer's commands) only
to its owner and admins, as its REST routes do: those events are left out of
other users' streams.
"""

from __future__ import annotations

import asyncio
import contextlib
import json

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..control.streams import EventStream
from ..errors import BadRequest, NotFound
from ..events import Event
from ..gpus.sampler import SAMPLED
from ..models.control import EventsQuery
from .base import ForgatherHandler, Route, operation

#: Events that carry what only a job's owner may read (metrics, trainer commands).
OWNER_ONLY_EVENTS = frozenset({"job_progress", "job_command", "job_command_acknowledged"})


def _message(event: Event) -> str:
    return f"id: {event.id}\ndata: {json.dumps(event.to_dict())}\n\n"


class EventsHandler(ForgatherHandler):
    _closed: asyncio.Event | None = None

    async def _may_see(self, event: Event, owners: dict[str, str | None]) -> bool:
        """Whether this stream's caller may read ``event`` (``owners``: jobs looked up so far)."""
        if event.type not in OWNER_ONLY_EVENTS or self.caller.admin:
            return True
        job_id = str(event.data.get("job_id", ""))
        if job_id not in owners:
            try:
                owners[job_id] = (await self.runtime.jobs.get(job_id)).owner
            except NotFound:
                owners[job_id] = None
        return self.caller.may_act_on(owners[job_id])

    def _since(self, query: EventsQuery) -> int | None:
        header = self.request.headers.get("Last-Event-ID")
        if header is None:
            return query.since
        try:
            return max(0, int(header))
        except ValueError:
            raise BadRequest(f"Last-Event-ID must be an event id, not {header!r}") from None

    def on_connection_close(self) -> None:
        if self._closed is not None:
            self._closed.set()

    @operation(
        "Server-Sent Events: every state change (job_status_changed, job_progress, "
        "job_finished, queue_changed, gpu_policy_changed, ...) as JSON with a type field; "
        "resumes after Last-Event-ID or ?since=; periodic gpus_sampled only when named in types",
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
        settings = self.runtime.settings
        self._closed = asyncio.Event()
        with contextlib.ExitStack() as stack:
            stream = stack.enter_context(
                self.runtime.control.streams.open(
                    client, settings.events_max_connections, types, since
                )
            )
            if types is not None and SAMPLED in types:
                stack.enter_context(self.runtime.gpu_sampler.watch())
            try:
                self.set_header("Content-Type", "text/event-stream; charset=utf-8")
                self.set_header("Cache-Control", "no-cache")
                self.set_header("X-Accel-Buffering", "no")  # nginx: do not buffer the stream
                self.write("retry: 2000\n\n")
                if stream.missed:
                    gone = {"type": "resync", "message": "Events were missed; reload the state."}
                    self.write(f"data: {json.dumps(gone)}\n\n")
                await self.flush()
                await self._pump(stream, self._closed, settings.events_heartbeat)
            except StreamClosedError:
                pass
        if not self._closed.is_set():
            self.finish()

    async def _pump(self, stream: EventStream, closed: asyncio.Event, heartbeat: float) -> None:
        """Write events (or a keep-alive comment) until the client goes away."""
        gone = asyncio.ensure_future(closed.wait())
        nxt: asyncio.Future[Event | None] | None = None
        owners: dict[str, str | None] = {}  # a job's owner never changes
        try:
            while not closed.is_set():
                nxt = asyncio.ensure_future(stream.next(heartbeat))
                await asyncio.wait({nxt, gone}, return_when=asyncio.FIRST_COMPLETED)
                if not nxt.done():
                    return
                event = nxt.result()
                if event is None:
                    self.write(": keep-alive\n\n")
                else:
                    # With what already waits, in the same flush.
                    for each in (event, *stream.ready()):
                        if await self._may_see(each, owners):
                            self.write(_message(each))
                await self.flush()
        finally:
            for task in (gone, nxt):
                if task is not None and not task.done():
                    task.cancel()


ROUTES = [Route("/events", EventsHandler)]
