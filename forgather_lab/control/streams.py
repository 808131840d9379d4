"""The streams one server has open: counted per client, filtered for what they asked.

The counts belong to a server (one ``EventStreams`` and one ``ClientSlots``
for sockets per runtime), not to a handler class, so two servers in one
process (tests, a Hub service beside an extension) each allow their own
clients their own streams. Each open stream holds descriptors (a socket, a
followed log file), so every kind is capped per client address: one client
cannot exhaust the server's files. An event stream skips ephemeral events
(periodic samples such as ``gpus_sampled``, every two seconds while anyone
watches the GPUs) unless the client asked for their type by name: a client
following state changes is not woken for samples.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import ClassVar

from ..errors import ForgatherError
from ..events import Event, EventBus, Subscription


class TooManyStreams(ForgatherError):
    """A client holds as many event streams as it may."""

    status: ClassVar[int] = 429
    default_reason: ClassVar[str] = "too_many_streams"


class EventStream:
    """One client's stream: the bus events after ``since``, of the ``types`` asked for."""

    def __init__(self, bus: EventBus, types: frozenset[str] | None, since: int | None) -> None:
        self.types = types
        #: Events after ``since`` have already left the bus history: the client must resync.
        self.missed = since is not None and bus.missed(since)
        self._sub: Subscription = bus.subscribe(set(types) if types else None, since)

    def wanted(self, event: Event) -> bool:
        """Whether the client gets ``event`` (samples only when their type was named)."""
        return not event.ephemeral or self.types is not None

    async def next(self, heartbeat: float) -> Event | None:
        """The next event to send, or None when ``heartbeat`` seconds passed without one."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + heartbeat
        while (left := deadline - loop.time()) > 0:
            event = await self._sub.get(timeout=left)
            if event is None:
                return None
            if self.wanted(event):
                return event
        return None

    def ready(self) -> list[Event]:
        """Events already waiting, to send in the same flush as the one just taken."""
        out: list[Event] = []
        while self._sub.queue:
            event = self._sub.queue.popleft()
            if self.wanted(event):
                out.append(event)
        return out

    def close(self) -> None:
        """Stop receiving events."""
        self._sub.close()


class Slot:
    """One stream counted against its client; ``release()`` gives it back (once)."""

    def __init__(self, owner: ClientSlots, client: str) -> None:
        self._owner: ClientSlots | None = owner
        self.client = client

    def release(self) -> None:
        """Stop counting this stream (a second call does nothing)."""
        owner, self._owner = self._owner, None
        if owner is not None:
            owner._release(self.client)


class ClientSlots:
    """How many streams of one kind each client address holds, and the cap on it."""

    def __init__(self, what: str, hint: str) -> None:
        self.what = what
        self.hint = hint
        self._open: Counter[str] = Counter()

    def count(self, client: str) -> int:
        """Streams ``client`` holds open now."""
        return self._open[client]

    def total(self) -> int:
        """Streams every client holds open now."""
        return sum(self._open.values())

    def acquire(self, client: str, limit: int) -> Slot:
        """Count one more stream for ``client``; 429 if it already holds ``limit``."""
        if self._open[client] >= limit:
            raise TooManyStreams(
                f"Too many {self.what} open for this client ({limit}); close one ({self.hint})",
                limit=limit,
            )
        self._open[client] += 1
        return Slot(self, client)

    @contextlib.contextmanager
    def hold(self, client: str, limit: int) -> Iterator[Slot]:
        """A slot for the ``with`` block."""
        slot = self.acquire(client, limit)
        try:
            yield slot
        finally:
            slot.release()

    def _release(self, client: str) -> None:
        self._open[client] -= 1
        if self._open[client] <= 0:
            del self._open[client]


class EventStreams:
    """The open event streams of one server, by client address."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._slots = ClientSlots("event streams", "each browser tab needs only one")

    def count(self, client: str) -> int:
        """Streams ``client`` holds open now."""
        return self._slots.count(client)

    @contextlib.contextmanager
    def open(
        self, client: str, limit: int, types: set[str] | None = None, since: int | None = None
    ) -> Iterator[EventStream]:
        """A stream for ``client`` while the ``with`` block lasts; 429 past ``limit``."""
        with self._slots.hold(client, limit):
            stream = EventStream(self.bus, frozenset(types) if types else None, since)
            try:
                yield stream
            finally:
                stream.close()


def socket_slots() -> ClientSlots:
    """The count of WebSocket streams (log follows, the GPU stream) of one server."""
    return ClientSlots(
        "WebSocket streams (log follows and GPU views together)",
        "a closed view or notebook widget gives its stream back",
    )
