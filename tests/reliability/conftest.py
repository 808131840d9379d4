"""Fixtures for the reliability suite: real server processes, bounded by default.

Every test here is marked ``reliability``. By default the suite runs a bounded
subset sized for CI (a 10-second load, a few fuzz examples per operation);
``FORGATHER_RELIABILITY=full`` runs the whole thing (a 60-second load, many
more fuzz examples), see docs/performance.md.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server_process import ServerProcess

FULL = os.environ.get("FORGATHER_RELIABILITY", "").lower() == "full"

# Figures the tests report (p99s, counts), printed at the end of the run and
# written to test-artifacts/reliability/figures.json.
FIGURES: dict[str, Any] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name, value in FIGURES.items():
        terminalreporter.write_line(f"{name}: {json.dumps(value)}")
    out = Path("test-artifacts/reliability")
    out.mkdir(parents=True, exist_ok=True)
    (out / "figures.json").write_text(json.dumps(FIGURES, indent=2))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A not-yet-started server process on a fresh state directory."""
    srv = ServerProcess(tmp_path)
    yield srv
    srv.stop()
    srv.kill_jobs()
