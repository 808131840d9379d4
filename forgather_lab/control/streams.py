"""The event streams one server has open: counted per client, filtered for what they asked.

The count belongs to a server (one ``EventStreams`` per runtime), not to the
handler class, so two servers in one process (tests, a Hub service beside an
extension) each allow their own clients their own streams. A stream skips
ephemeral events (periodic samples such as ``gpus_sampled``, every two
seconds while anyone watches the GPUs) unless the client asked for their
type by name: a client following state changes is not woken for samples.
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


class EventStreams:
    """The open event streams of one server, by client address."""

    def __init__(self, bus: EventBus) -> None:
        self.bus = bus
        self._open: Counter[str] = Counter()

    def count(self, client: str) -> int:
        """Streams ``client`` holds open now."""
        return self._open[client]

    @contextlib.contextmanager
    def open(
        self, client: str, limit: int, types: set[str] | None = None, since: int | None = None
    ) -> Iterator[EventStream]:
        """A stream for ``client`` while the ``with`` block lasts; 429 past ``limit``."""
        if self._open[client] >= limit:
            raise TooManyStreams(
                f"Too many event streams open for this client ({limit}); close one "
                "(each browser tab needs only one)"
            )
        self._open[client] += 1
        stream: EventStream | None = None
        try:
            stream = EventStream(self.bus, frozenset(types) if types else None, since)
            yield stream
        finally:
            if stream is not None:
                stream.close()
            self._open[client] -= 1
            if self._open[client] <= 0:
                del self._open[client]
