"""``wait_set`` (the event wait every background loop sleeps in, and how its owner stops it)
and ``ThreadBatches`` (blocking calls made together in one hop to a thread)."""

from __future__ import annotations

import asyncio
import contextlib
import threading

from forgather_lab.tasks import ThreadBatches, wait_set


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


async def test_calls_made_while_a_batch_runs_go_together_in_the_next() -> None:
    gate, entered = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def work(items: list[int]) -> list[int | BaseException]:
        batches.append(items)
        entered.set()
        gate.wait(10)
        return [ValueError(f"odd {i}") if i % 2 else i * 10 for i in items]

    calls = ThreadBatches(work, "test")
    first = calls.submit(0)
    await asyncio.to_thread(entered.wait, 10)  # the first batch is in the thread, held
    rest = [calls.submit(i) for i in (1, 2, 3, 4)]
    gate.set()
    assert await first == 0
    answers = await asyncio.gather(*rest, return_exceptions=True)
    assert batches == [[0], [1, 2, 3, 4]]
    assert answers[1::2] == [20, 40]
    assert [str(e) for e in answers[::2] if isinstance(e, ValueError)] == ["odd 1", "odd 3"]


async def test_a_failing_batch_fails_each_of_its_callers_and_the_next_batch_runs() -> None:
    def work(items: list[str]) -> list[str | BaseException]:
        if "boom" in items:
            raise OSError("disk gone")
        return [i.upper() for i in items]

    calls = ThreadBatches(work, "test")
    failed = await asyncio.gather(calls("boom"), return_exceptions=True)
    assert isinstance(failed[0], OSError)
    assert await calls("fine") == "FINE"


async def test_close_cancels_the_callers_still_waiting() -> None:
    gate = threading.Event()

    def work(items: list[int]) -> list[int | BaseException]:
        gate.wait(10)
        return items

    calls = ThreadBatches(work, "test")
    running = calls.submit(1)
    await asyncio.sleep(0.01)
    queued = calls.submit(2)
    await calls.close()
    gate.set()
    assert [running.cancelled(), queued.cancelled()] == [True, True]


async def test_with_a_delay_the_calls_of_a_quiet_spell_s_first_moments_go_together() -> None:
    batches: list[list[int]] = []

    def work(items: list[int]) -> list[int | BaseException]:
        batches.append(items)
        return items

    calls = ThreadBatches(work, "test", delay=0.2)
    first = calls.submit(1)
    await asyncio.sleep(0.05)  # well inside the delay: joins the first batch
    second = calls.submit(2)
    assert await asyncio.gather(first, second) == [1, 2]
    assert batches == [[1, 2]]
    # Closed during the delay: its caller is cancelled, nothing runs.
    waiting = calls.submit(3)
    await calls.close()
    assert waiting.cancelled()
    assert batches == [[1, 2]]
