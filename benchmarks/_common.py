"""What every benchmark shares: figures, statistics, a real server, the machine."""

from __future__ import annotations

import atexit
import contextlib
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
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
    "remove_later",
    "running_server",
    "settle_inodes",
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
        remove_later(base)


_REMOVE_AT_EXIT: list[Path] = []


def remove_later(path: Path) -> None:
    """Delete ``path`` when the benchmarks end, not now.

    A drain leaves about five thousand files behind. Deleted between two
    measurements, they would make the next one's file creation many times
    dearer for minutes on these machines (``settle_inodes``).
    """
    if not _REMOVE_AT_EXIT:
        atexit.register(_remove_all)
    _REMOVE_AT_EXIT.append(path)


def _remove_all() -> None:
    for path in _REMOVE_AT_EXIT:
        shutil.rmtree(path, ignore_errors=True)
    _REMOVE_AT_EXIT.clear()


#: Creating a file costs 15-40 us here on a settled file system; a drain creates five a job.
SETTLED_INODE_US = 60.0
_PROBE_FILES = 40
_SETTLED_PROBES = 3


def settle_inodes(limit_s: float = 120.0) -> dict[str, float]:
    """Wait until creating a file costs what it does on a settled file system.

    The root file system of these machines is ext4 without a journal. There,
    every inode allocation skips the inodes freed in the last 60 seconds (300
    while their inode table block is still dirty: ``recently_deleted`` in
    ``fs/ext4/ialloc.c``), one buffer lookup each: after a deletion of a few
    thousand files (a drain's state, another run's clean-up), each file created
    cost 150-700 us instead of 15-40 (measured here; perf shows
    ``recently_deleted`` and ``find_get_block_common`` on top). A drain creates
    five files a job and task-spooler one, so the figure would measure what
    was deleted before it. Probes of ``_PROBE_FILES`` files (kept until the
    benchmarks end: deleting them would feed what it waits out), every 2 s,
    in a new directory beside the ones the benchmarks make; settled is
    ``_SETTLED_PROBES`` cheap probes in a row (the cost of a deletion shows a
    few seconds after it).

    Returns the last probe's cost (us a file) and the seconds waited.
    """
    probes = Path(tempfile.mkdtemp(prefix="forgather-bench-probe-"))
    remove_later(probes)
    started = time.monotonic()
    cost, cheap = 0.0, 0
    for probe in range(10_000):
        directory = probes / str(probe)
        cpu = time.process_time()  # the kernel's work on our behalf is what differs
        directory.mkdir()
        for i in range(_PROBE_FILES):
            os.close(os.open(directory / str(i), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        cost = (time.process_time() - cpu) / (_PROBE_FILES + 1) * 1e6
        cheap = cheap + 1 if cost <= SETTLED_INODE_US else 0
        if cheap >= _SETTLED_PROBES or time.monotonic() - started >= limit_s:
            break
        time.sleep(2.0)
    return {"inode_us": round(cost, 1), "waited_s": round(time.monotonic() - started, 1)}


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
