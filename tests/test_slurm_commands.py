"""A Slurm client command the caller gives up on is killed and reaped, not left behind."""

from __future__ import annotations

import asyncio
import contextlib
import time

import psutil

from forgather_lab.executors.slurm import SlurmExecutor


async def test_a_cancelled_command_leaves_no_process() -> None:
    # The server's stop cancels a poll mid-command; the loop closes after, and a
    # command still running then can be reaped by nobody (CI: "subprocess is still
    # running" at the loop's close).
    executor = object.__new__(SlurmExecutor)  # ``run`` needs none of its settings
    before = {p.pid for p in psutil.Process().children()}
    task = asyncio.ensure_future(executor.run("sleep", "30"))
    deadline = time.monotonic() + 10
    while not {p.pid for p in psutil.Process().children()} - before:
        assert time.monotonic() < deadline, "the command did not start"
        await asyncio.sleep(0.01)
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    assert {p.pid for p in psutil.Process().children()} - before == set()
