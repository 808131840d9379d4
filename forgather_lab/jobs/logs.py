"""Job logs: a capped tail and a chunked follow that never loads a whole file."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

from ..jobfiles import open_regular

CHUNK = 64 * 1024
FOLLOW_INTERVAL = 0.05  # seconds between looks at a quiet, still-running log


def read_tail(path: Path | str, max_bytes: int) -> tuple[bytes, int]:
    """The last ``max_bytes`` of a log (from a line start when cut) and the file size."""
    try:
        with os.fdopen(open_regular(path), "rb") as f:
            size = f.seek(0, os.SEEK_END)
            start = max(0, size - max_bytes)
            f.seek(start)
            data = f.read(size - start)
    except FileNotFoundError:
        return b"", 0
    if start > 0:
        cut = data.find(b"\n")
        data = data[cut + 1 :] if cut >= 0 else data
    return data, size


async def follow(
    path: Path | str, start: int, still_running: Callable[[], bool], chunk: int = CHUNK
) -> AsyncIterator[bytes]:
    """Yield the log from byte ``start``, then what is appended, until the job ends.

    Reads at most ``chunk`` bytes at a time off the event loop, so a 2 GB log
    costs the server one chunk of memory per follower.
    """
    offset = start
    fd: int | None = None
    try:
        while True:
            if fd is None:
                try:
                    fd = open_regular(path)
                except FileNotFoundError:
                    if not still_running():
                        return
                    await asyncio.sleep(FOLLOW_INTERVAL)
                    continue
            data = await asyncio.to_thread(os.pread, fd, chunk, offset)
            if data:
                offset += len(data)
                yield data
                continue
            if not still_running():
                # One last look: the job may have written its final lines as it exited.
                data = await asyncio.to_thread(os.pread, fd, chunk, offset)
                if not data:
                    return
                offset += len(data)
                yield data
                continue
            await asyncio.sleep(FOLLOW_INTERVAL)
    finally:
        if fd is not None:
            os.close(fd)
