"""A corrupt state database: the server still starts, and says why over HTTP."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    state = tmp_path / "broken-state"
    state.mkdir(mode=0o700)
    (state / "forgather.db").write_bytes(b"definitely not sqlite\n" * 500)
    return state


async def test_health_is_503_with_the_file_named(api: Any, state_dir: Path) -> None:
    status, body = await api("health")
    assert status == 503
    assert body["status"] == "error"
    assert str(state_dir.resolve() / "forgather.db") in body["message"]


async def test_openapi_still_answers(api: Any) -> None:
    status, body = await api("openapi.json")
    assert status == 200
    assert body["openapi"].startswith("3.")
