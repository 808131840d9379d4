"""The event stream in a shared pool: everyone sees jobs come and go, only owners their reports.

A job's metrics are the owner's to read (``GET /jobs/{id}/status`` and
``/metrics`` answer others 403), so its ``job_progress`` events must not reach
another user's stream either; its status changes do, as the queue does.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config
from jobs_helpers import command
from test_events import sse

TRAINER = """
from forgather_lab import reporter
with reporter.connect() as rep:
    for step in range(1, 6):
        rep.report(step, 5, loss=1.0 / step)
    rep.flush()
"""


@pytest.fixture
def forgather_config(state_dir: Any, request: pytest.FixtureRequest) -> dict[str, Any]:
    extra = getattr(request, "param", {})  # a test's own settings (indirect parametrize)
    return {"state_dir": str(state_dir), "gpu_backend": "simulated", "simulated_gpus": 4, **extra}


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return hub_server_config(forgather_config)


async def _types_until_finished(messages: AsyncIterator[dict[str, Any]], job_id: str) -> set[str]:
    seen: set[str] = set()
    async for message in messages:
        if "data" not in message:
            continue
        event = json.loads(message["data"])
        if event.get("job_id") == job_id:
            seen.add(event["type"])
            if event["type"] == "job_finished":
                return seen
    raise AssertionError(f"stream ended; saw {seen}")


async def test_a_jobs_progress_reaches_its_owner_and_admins_only(
    api: Any, jp_http_port: int, jp_base_url: str
) -> None:
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/events"
    async with (
        sse(url, auth("alice")) as (_, alices),
        sse(url, auth("bob")) as (_, bobs),
        sse(url, auth("admin")) as (_, admins),
    ):
        status, job = await api(
            "queue", method="POST", json_body=command(TRAINER), headers=auth("alice")
        )
        assert status == 201, job
        seen = await asyncio.wait_for(
            asyncio.gather(*(_types_until_finished(m, job["id"]) for m in (alices, bobs, admins))),
            60,
        )
    alice, bob, admin = seen
    assert "job_progress" in alice
    assert "job_progress" in admin
    assert "job_progress" not in bob
    assert {"job_status_changed", "job_finished"} <= bob  # the pool is everyone's to watch


@pytest.mark.parametrize("forgather_config", [{"events_max_connections": 1}], indirect=True)
async def test_stream_caps_count_per_hub_user_not_per_address(
    forgather_config: dict[str, Any], api: Any, jp_http_port: int, jp_base_url: str
) -> None:
    # Every user's server reaches a hub service from one address: a cap per
    # address would let alice's tabs lock bob out.
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/events"
    async with sse(url, auth("alice")) as (first, _):
        assert first.status_code == 200
        async with sse(url, auth("alice")) as (second, _):
            assert second.status_code == 429
        async with sse(url, auth("bob")) as (bobs, _):
            assert bobs.status_code == 200
