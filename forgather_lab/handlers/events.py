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
import collections
import contextlib
import json
import logging

from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..control.streams import EventStream
from ..errors import BadRequest, NotFound
from ..events import Event
from ..gpus.sampler import SAMPLED
from ..models.control import EventsQuery
from ..tasks import wait_set
from .base import ForgatherHandler, Route, operation

log = logging.getLogger("forgather_lab.events")

#: Events that carry what only a job's owner may read (metrics, trainer commands).
OWNER_ONLY_EVENTS = frozenset({"job_progress", "job_command", "job_command_acknowledged"})


def _message(event: Event) -> str:
    return f"id: {event.id}\ndata: {event.encoded}\n\n"


class EventsHandler(ForgatherHandler):
    _closed: asyncio.Event | None = None
    _push: _Push | None = None

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
        if self._push is not None:
            self._push.stop()

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
        client = self.stream_client()
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
            with contextlib.suppress(StreamClosedError):
                self.finish()

    async def _pump(self, stream: EventStream, closed: asyncio.Event, heartbeat: float) -> None:
        """Write events as they are published (or a keep-alive comment) until the client
        goes away.

        The stream's own queue gives what waited before (the replay after
        ``since``); from then on the bus calls ``_Push.offer`` as it publishes,
        which writes the frame to this connection at once: no task wakes per
        event and stream, so a fan-out to a hundred streams costs a hundred
        socket writes of one JSON text serialised once.
        """
        push = _Push(self, stream, closed)
        for event in stream.ready():
            push.offer(event)
        unlisten = self.runtime.bus.listen(push.offer)
        stream.close()  # the push replaces the stream's queue; its slot stays held
        loop = asyncio.get_running_loop()
        self._push = push
        try:
            while not closed.is_set() and not push.broken:
                quiet = push.last_write + heartbeat - loop.time()
                if quiet > 0:
                    await wait_set(push.ended, quiet)
                else:
                    push.write(": keep-alive\n\n")
        finally:
            self._push = None
            unlisten()
            push.stop()


class _Push:
    """One SSE connection fed by the bus: frames written as events are published.

    Events a non-admin may only see once their job's owner is known wait in
    ``pending`` (and everything after them, so the order holds) for a task
    that looks the owner up. A client that stops reading does not grow the
    server without bound: past ``MAX_UNFLUSHED`` frames not yet taken by the
    socket, further events are dropped and the connection is ended.
    """

    MAX_UNFLUSHED = 10_000

    def __init__(self, handler: EventsHandler, stream: EventStream, closed: asyncio.Event) -> None:
        self.handler = handler
        self.stream = stream
        self.closed = closed
        self.admin = handler.caller.admin
        self.owners: dict[str, str | None] = {}  # a job's owner never changes
        self.pending: collections.deque[Event] = collections.deque()
        self.task: asyncio.Task[None] | None = None
        self.unflushed = 0
        self.broken = False
        #: Set when the client went away or this stream stopped: the pump returns.
        self.ended = asyncio.Event()
        self.remote = handler.request.remote_ip
        self.last_write = asyncio.get_running_loop().time()

    def offer(self, event: Event) -> None:
        """Called by the bus for every event (on the loop, inside ``publish``: never raises,
        whatever the event holds, so a publisher is never failed by a stream)."""
        if self.broken or self.closed.is_set():
            return
        try:
            self._offer(event)
        except Exception:
            log.exception("event %s could not be sent on a stream; the stream ends", event.id)
            self.stop()

    def _offer(self, event: Event) -> None:
        types = self.stream.types
        if (types is not None and event.type not in types) or not self.stream.wanted(event):
            return
        if self.pending or self._lookup(event):
            self.pending.append(event)
            if self.task is None:
                self.task = asyncio.ensure_future(self._drain())
            return
        if self._allowed(event):
            self.write(_message(event))

    def _lookup(self, event: Event) -> bool:
        """Whether ``event`` needs its job's owner looked up before it may be sent."""
        if event.type not in OWNER_ONLY_EVENTS or self.admin:
            return False
        return str(event.data.get("job_id", "")) not in self.owners

    def _allowed(self, event: Event) -> bool:
        if event.type not in OWNER_ONLY_EVENTS or self.admin:
            return True
        return self.handler.caller.may_act_on(self.owners[str(event.data.get("job_id", ""))])

    async def _drain(self) -> None:
        try:
            while self.pending and not self.closed.is_set():
                event = self.pending[0]
                try:
                    if await self.handler._may_see(event, self.owners):
                        self.write(_message(event))
                except Exception:  # a failed lookup loses that event, not the stream
                    log.exception("could not check who may see event %s", event.id)
                self.pending.popleft()
        finally:
            self.task = None

    def write(self, text: str) -> None:
        """Write ``text`` and flush it without waiting for the socket."""
        if self.broken:
            return
        if self.unflushed >= self.MAX_UNFLUSHED:
            log.warning(
                "event stream to %s does not keep up: closed", self.handler.request.remote_ip
            )
            self.broken = True
            self.closed.set()
            return
        try:
            self.handler.write(text)
            flushed = self.handler.flush()
        except Exception:  # the connection is gone or finished: stop feeding it
            self.stop()
            return
        self.unflushed += 1
        flushed.add_done_callback(self._flushed)
        self.last_write = asyncio.get_running_loop().time()

    def _flushed(self, future: asyncio.Future[None]) -> None:
        self.unflushed -= 1
        if not future.cancelled() and future.exception() is not None:
            self.stop()

    def stop(self) -> None:
        """No more writes; the owner-lookup task, if any, is cancelled."""
        self.broken = True
        self.ended.set()
        if self.task is not None:
            self.task.cancel()


ROUTES = [Route("/events", EventsHandler)]
