"""Health, state files and settings, through a real Jupyter server."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import forgather_lab
from forgather_lab.store import SCHEMA_VERSION


async def test_health_reports_ok_and_backend(api: Any, state_dir: Path) -> None:
    status, body = await api("health")
    assert status == 200
    assert body["status"] == "ok"
    assert body["version"] == forgather_lab.__version__
    assert body["gpu_backend"] == "simulated"
    assert body["gpu_count"] == 4
    assert body["state_dir"] == str(state_dir.resolve())
    assert body["schema_version"] == SCHEMA_VERSION
    assert body["message"] is None


async def test_state_is_private(api: Any, state_dir: Path) -> None:
    await api("health")
    assert stat.S_IMODE(state_dir.stat().st_mode) == 0o700
    files = list(state_dir.iterdir())
    assert any(f.name == "forgather.db" for f in files)
    for f in files:
        assert stat.S_IMODE(f.stat().st_mode) == 0o600, f


async def test_unknown_api_path_is_404_json(api: Any) -> None:
    status, _ = await api("no-such-thing")
    assert status == 404
