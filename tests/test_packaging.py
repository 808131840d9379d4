"""The installed package registers both halves with Jupyter."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import forgather_lab


def _jupyter(*args: str) -> str:
    exe = shutil.which("jupyter", path=str(Path(sys.executable).parent))
    assert exe, "jupyter is not installed next to this Python"
    out = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60)
    return out.stdout + out.stderr


def test_server_extension_enabled_and_ok() -> None:
    out = _jupyter("server", "extension", "list")
    assert "forgather_lab \x1b[32menabled" in out or "forgather_lab enabled" in out
    assert (
        f"forgather_lab {forgather_lab.__version__} \x1b[32mOK" in out
        or f"forgather_lab {forgather_lab.__version__} OK" in out
    )


def test_labextension_enabled_and_ok() -> None:
    out = _jupyter("labextension", "list")
    line = next((ln for ln in out.splitlines() if "forgather-lab" in ln), None)
    assert line is not None, out
    assert "enabled" in line
    assert "OK" in line


@pytest.mark.parametrize("name", ["remoteEntry", "style.js"])
def test_prebuilt_assets_are_shipped(name: str) -> None:
    static = Path(forgather_lab.__file__).parent / "labextension" / "static"
    assert any(name in p.name for p in static.iterdir())
