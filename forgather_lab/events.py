"""The in-process event bus: every state change is published here once.

The scheduler wakes on it, the SSE stream and the Lab listen to it. Events
carry a monotonically increasing ``id`` and the last ``history`` of them are
kept so a client reconnecting with ``Last-Event-ID`` misses nothing recent.
Publishing never blocks: a subscriber that cannot keep up loses its oldest
events and is told so (``dropped``), rather than slowing the publisher.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

from .tasks import wait_set


@dataclass(frozen=True)
class Event:
    """One state change."""

    id: int
    type: str
    data: dict[str, Any]
    time: float
    ephemeral: bool = False  # a periodic sample: not kept for replay, not bridged

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: ``{"id", "type", "time", **data}``."""
        return {"id": self.id, "type": self.type, "time": self.time, **self.data}

    @functools.cached_property
    def encoded(self) -> str:
        """``to_dict()`` as JSON text, serialised once for every stream that sends it."""
        return json.dumps(self.to_dict())


@dataclass(eq=False)
class Subscription:
    """A bounded queue of events for one listener."""

    bus: EventBus
    types: frozenset[str] | None
    maxsize: int
    queue: deque[Event] = field(default_factory=deque)
    dropped: int = 0
    _ready: asyncio.Event = field(default_factory=asyncio.Event)

    def offer(self, event: Event) -> None:
        if self.types is not None and event.type not in self.types:
            return
        if len(self.queue) >= self.maxsize:
            self.queue.popleft()
            self.dropped += 1
        self.queue.append(event)
        self._ready.set()

    async def get(self, timeout: float | None = None) -> Event | None:  # noqa: ASYNC109 - None on timeout is the API
        """The next event, or None after ``timeout`` seconds without one."""
        while not self.queue:
            self._ready.clear()
            if not await wait_set(self._ready, timeout):
                return None
        return self.queue.popleft()

    async def __aiter__(self) -> AsyncIterator[Event]:
        while True:
            event = await self.get()
            if event is not None:
                yield event

    def close(self) -> None:
        """Stop receiving events."""
        self.bus._subscribers.discard(self)


class EventBus:
    """Publish / subscribe within one server process (loop thread only)."""

    def __init__(self, history: int = 2000) -> None:
        self._ids = itertools.count(1)
        self._history: deque[Event] = deque(maxlen=history)
        self._evicted = 0  # the newest event id that has left the history
        self._subscribers: set[Subscription] = set()
        self._listeners: list[Callable[[Event], None]] = []

    @property
    def last_id(self) -> int:
        """The id of the newest kept event (0 before any)."""
        return self._history[-1].id if self._history else 0

    def publish(self, type_: str, ephemeral: bool = False, **data: Any) -> Event:
        """Record and fan out an event.

        ``ephemeral`` events (periodic samples) reach current subscribers but
        are not kept for ``Last-Event-ID`` replay, so they never push state
        changes out of the history.
        """
        event = Event(next(self._ids), type_, data, time.time(), ephemeral)
        if not ephemeral:
            if len(self._history) == self._history.maxlen:
                self._evicted = self._history[0].id
            self._history.append(event)
        for sub in list(self._subscribers):
            sub.offer(event)
        for listener in list(self._listeners):
            listener(event)
        return event

    def listen(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call ``callback`` synchronously for every event; returns an unsubscribe.

        The unsubscribe may be called more than once (stop paths overlap).
        """
        self._listeners.append(callback)

        def unlisten() -> None:
            with contextlib.suppress(ValueError):
                self._listeners.remove(callback)

        return unlisten

    def subscribe(
        self, types: set[str] | None = None, since: int | None = None, maxsize: int = 10_000
    ) -> Subscription:
        """A queue of future events (and those after ``since`` still in history)."""
        sub = Subscription(self, frozenset(types) if types else None, maxsize)
        if since is not None:
            for event in self._history:
                if event.id > since:
                    sub.offer(event)
        self._subscribers.add(sub)
        return sub

    def missed(self, since: int) -> bool:
        """Whether events after ``since`` have already left the history."""
        return since < self._evicted
