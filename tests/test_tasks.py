"""``wait_set``: the event wait every background loop sleeps in, and how its owner stops it."""

from __future__ import annotations

import asyncio
import contextlib

from forgather_lab.tasks import wait_set


async def test_says_whether_the_event_was_set() -> None:
    event = asyncio.Event()
    assert await wait_set(event, 0.01) is False
    event.set()
    assert await wait_set(event, 0.01) is True
    assert await wait_set(event, None) is True


async def test_a_cancel_arriving_as_the_event_is_set_stops_the_loop() -> None:
    """The race that hung a server's stop: the loop is woken and cancelled in one turn.

    With ``asyncio.wait_for`` on Python 3.11 the cancellation was swallowed and
    the loop went round again, so ``await task`` after ``cancel()`` never ended.
    """
    wake = asyncio.Event()
    rounds = 0

    async def loop() -> None:
        nonlocal rounds
        while True:
            await wait_set(wake, 5.0)
            wake.clear()
            rounds += 1

    for _ in range(20):
        task = asyncio.create_task(loop())
        await asyncio.sleep(0)  # the loop is now waiting
        wake.set()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(task, 2.0)  # a TimeoutError here is the hang
        assert task.cancelled()
