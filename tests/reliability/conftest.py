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
# written to test-artifacts/reliability/figures.json (tests/conftest.py).
FIGURES: dict[str, Any] = {}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)


OUT = Path("test-artifacts/reliability")


def pytest_sessionfinish(session: pytest.Session) -> None:
    # Each xdist worker writes what its tests reported; the root conftest's
    # terminal summary (on the controller) merges the parts.
    if FIGURES:
        OUT.mkdir(parents=True, exist_ok=True)
        worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
        (OUT / f"figures-{worker}.json").write_text(json.dumps(FIGURES))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    """A not-yet-started server process on a fresh state directory."""
    srv = ServerProcess(tmp_path)
    yield srv
    srv.stop()
    srv.kill_jobs()
