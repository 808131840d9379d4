"""What every benchmark shares: figures, statistics, a real server, the machine."""

from __future__ import annotations

import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import psutil

# tests/server_process.py is the one way the project starts a real server in a
# subprocess; the benchmarks reuse it rather than keep a second copy.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from server_process import TOKEN, ServerProcess

__all__ = [
    "TOKEN",
    "Figure",
    "ServerProcess",
    "Settings",
    "machine",
    "p",
    "running_server",
    "stats_ms",
]


@dataclass
class Settings:
    """Sizes for one run: ``quick`` for development, the default for the published run."""

    quick: bool = False
    log_mb: int = 2048  # the big-log follow (the 2 GB)

    def n(self, full: int, quick: int) -> int:
        return quick if self.quick else full


@dataclass
class Figure:
    """One line of the table: a measured value, its same-run baseline and the target."""

    benchmark: str
    name: str
    value: float | None
    unit: str
    baseline: str = ""  # what it is measured against, with that value
    target: str = ""
    met: bool | None = None  # None: no target, or not measured
    note: str = ""
    raw: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def p(values: list[float], q: float) -> float:
    """The q-quantile (nearest rank) of ``values``."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def stats_ms(seconds: list[float]) -> dict[str, float]:
    """median / p99 / min / max in milliseconds, and the sample count."""
    ms = [s * 1000 for s in seconds]
    return {
        "n": len(ms),
        "median_ms": round(statistics.median(ms), 3),
        "p99_ms": round(p(ms, 0.99), 3),
        "min_ms": round(min(ms), 3),
        "max_ms": round(max(ms), 3),
    }


@contextlib.contextmanager
def running_server(*args: str) -> Iterator[ServerProcess]:
    """A real ``jupyter server`` with the extension on a throwaway state directory."""
    base = Path(tempfile.mkdtemp(prefix="forgather-bench-"))
    srv = ServerProcess(base, "--ForgatherLab.seed_examples=False", *args)
    try:
        yield srv.start()
    finally:
        srv.stop()
        srv.kill_jobs()
        shutil.rmtree(base, ignore_errors=True)


def machine() -> dict[str, Any]:
    """What the figures ran on, read from the machine itself."""
    cpu = platform.processor() or ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    load = os.getloadavg()
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "os": platform.platform(),
        "load_average_at_start": [round(x, 2) for x in load],
    }
