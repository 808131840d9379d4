"""One GPU sampler serves every viewer: N open GPU sockets do not mean N samplers."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from doubles import CountingBackend

INTERVAL = 0.25
VIEWERS = 4


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend_class": "doubles.CountingBackend",
        "gpu_sample_interval": INTERVAL,
    }


async def test_viewers_share_one_sampler(jp_ws_fetch: Any, api: Any) -> None:
    sockets = [await jp_ws_fetch("forgather", "api", "gpus", "stream") for _ in range(VIEWERS)]
    for ws in sockets:
        first = json.loads(await asyncio.wait_for(ws.read_message(), 5))
        assert first["backend"] == "counting"
    before, t0 = CountingBackend.samples, time.monotonic()
    for _ in range(8):  # every viewer keeps receiving the shared samples
        for ws in sockets:
            assert json.loads(await asyncio.wait_for(ws.read_message(), 5))["gpus"]
    elapsed = time.monotonic() - t0
    taken = CountingBackend.samples - before
    # One sampler: about one sample per interval, whatever the number of viewers
    # (a sampler per socket would take VIEWERS times as many).
    assert taken <= elapsed / INTERVAL + 3, (taken, elapsed)
    assert taken < VIEWERS * 8
    for ws in sockets:
        ws.close()
    await asyncio.sleep(3 * INTERVAL)
    idle = CountingBackend.samples
    await asyncio.sleep(4 * INTERVAL)
    assert CountingBackend.samples == idle  # nobody watches: nothing is sampled
