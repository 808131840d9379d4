"""The server process's garbage collector, tuned for a long-lived queue.

A server with a deep queue keeps tens of thousands of job records alive
(the kept queue, the planner's view, replies being built). CPython's
default thresholds (700, 10, 10) then run a full collection every few
hundred thousand allocations, and each one walks every live object: on
these machines 140 ms per full collection with 20,000 jobs queued, a third
of the time of a 1,000-job ``POST /queue/batch`` (issue 19, measured with
``gc.callbacks``). Everything imported and built at start never becomes
garbage, so it is frozen out of the collector's walks (``gc.freeze``), and
the young generation is made large enough that a burst of requests does
not age short-lived objects into the old generations.

Cyclic garbage is still collected: the young generations every 50,000 net
allocations, everything after ``threshold0 * threshold1 * threshold2``.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager


def tune_collector(thresholds: Sequence[int]) -> Callable[[], None]:
    """Freeze what exists now and set ``thresholds``; returns the undo.

    An empty ``thresholds`` changes nothing (Python's own collector). Call it
    once start-up is over: what is frozen is never collected, so it must be
    what lives as long as the process.
    """
    if not thresholds:
        return lambda: None
    before = gc.get_threshold()
    # No gc.collect() first: start-up's garbage is small, and a collection here
    # would walk every object of a big process (a test run hosting servers).
    gc.freeze()
    gc.set_threshold(*thresholds)

    def undo() -> None:
        gc.set_threshold(*before)
        gc.unfreeze()

    return undo


@contextmanager
def paused() -> Iterator[None]:
    """No automatic collection inside (the collector's own state is restored after).

    For the extension's import at server start: what it builds lives as long
    as the process, and the full collection it would trigger walks every
    object Jupyter has built so far (about 0.1 s here, issue 19).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
