"""Background tasks with an owner: kept, logged when they fail, cancelled at stop.

``asyncio.ensure_future`` without a reference can be garbage-collected
mid-flight and is never cancelled; a service that starts work in the
background holds a ``TaskSet`` instead and closes it when it stops.

``ThreadBatches`` makes the blocking calls that come in bursts (a drain
starts and ends jobs several at a time) together, in one hop to a worker
thread: each hop wakes a thread that then contends for the interpreter
lock with the loop, which in a drain cost more than the calls themselves.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine, Sequence
from typing import Any, Generic, TypeVar

log = logging.getLogger("forgather_lab")

T = TypeVar("T")
R = TypeVar("R")


async def wait_set(event: asyncio.Event, seconds: float | None) -> bool:
    """Wait until ``event`` is set or ``seconds`` pass (None: no limit); whether it was set.

    Not ``asyncio.wait_for(event.wait(), timeout)``: on Python 3.11 that swallows
    a cancellation arriving as the event is set (CPython gh-86296), and a loop
    around it then never stops: its owner's ``stop()`` waits forever.
    """
    try:
        async with asyncio.timeout(seconds):
            await event.wait()
    except TimeoutError:
        return False
    return True


class TaskSet:
    """The background tasks of one service."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def spawn(self, coro: Coroutine[Any, Any, Any], name: str | None = None) -> asyncio.Task[Any]:
        """Run ``coro`` in the background; its failure is logged, not lost."""
        if self._closed:
            coro.close()
            raise RuntimeError(f"{self.name}: closed, cannot start {name or coro!r}")
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)
        return task

    def __len__(self) -> int:
        return len(self._tasks)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("%s: task %s failed", self.name, task.get_name(), exc_info=task.exception())

    async def close(self) -> None:
        """Cancel every task and wait for them to finish."""
        self._closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._tasks.clear()


class ThreadBatches(Generic[T, R]):
    """Calls of a blocking function, made in batches in a worker thread.

    ``await batches(item)`` queues ``item``. One batch runs at a time:
    ``work(items)`` in a thread, answering one result per item, in order,
    or the exception that item raised. The items queued while it runs make
    the next batch. Each caller gets its own item's answer; an exception
    from ``work`` itself is every caller's of that batch. With a ``delay``,
    the first item of a quiet spell waits that long for others to join it.
    """

    def __init__(
        self,
        work: Callable[[list[T]], Sequence[R | BaseException]],
        name: str,
        delay: float = 0.0,
    ) -> None:
        self._work = work
        self.name = name
        #: How long the first item waits for others to join its batch (seconds).
        self.delay = delay
        self._queue: list[tuple[T, asyncio.Future[R]]] = []
        self._task: asyncio.Task[None] | None = None

    def submit(self, item: T) -> asyncio.Future[R]:
        """Queue ``item``; the future of its answer (call on the loop)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self._queue.append((item, future))
        if self._task is None or self._task.done():
            self._task = loop.create_task(self._batches(), name=self.name)
        return future

    async def __call__(self, item: T) -> R:
        return await self.submit(item)

    async def _batches(self) -> None:
        if self.delay:
            await asyncio.sleep(self.delay)
        while self._queue:
            batch, self._queue = self._queue, []
            try:
                answers = await asyncio.to_thread(self._work, [item for item, _ in batch])
            except asyncio.CancelledError:
                for _, future in batch:
                    future.cancel()
                raise
            except Exception as e:
                answers = [e] * len(batch)
            if len(answers) != len(batch):  # a bug in ``work``: no caller may wait forever
                answers = [RuntimeError(f"{self.name}: {len(answers)} answers to {len(batch)}")]
                answers *= len(batch)
            for (_, future), answer in zip(batch, answers, strict=True):
                if future.done():
                    continue  # its caller gave up waiting
                if isinstance(answer, BaseException):
                    future.set_exception(answer)
                else:
                    future.set_result(answer)

    async def close(self) -> None:
        """Stop: the batch in flight and the queued items' callers are cancelled."""
        queued, self._queue = self._queue, []
        for _, future in queued:
            future.cancel()
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
