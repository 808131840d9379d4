"""Discovery on a big tree: a root with 10,000 directories.

Reports the time of ``walk_roots`` + ``cluster`` (what ``GET /projects`` does
before reading metadata) as a ratio against a bare ``os.walk`` of the same
tree, measured in the same run. Also measures the pruning: the same tree with
its bulk under ``node_modules`` / ``output_models`` should be far cheaper.

    python benchmarks/bench_discovery.py            # prints a JSON summary
"""

from __future__ import annotations

import functools
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from forgather_lab.projects.discovery import cluster, walk_roots

DIRS = 10_000


def build_tree(root: Path, dirs: int = DIRS, prunable: bool = False) -> int:
    """``dirs`` directories: 20 workspaces x 10 projects, the rest plain subdirectories
    (under ``node_modules`` / ``output_models`` when ``prunable``)."""
    made = 0
    per_project = max(1, (dirs - 220) // 200)
    for w in range(20):
        ws = root / f"ws{w}"
        (ws / "forgather_workspace").mkdir(parents=True)
        made += 2
        for p in range(10):
            proj = ws / f"proj{p}"
            (proj / "configs").mkdir(parents=True)
            (proj / "meta.yaml").write_text(f"name: p{w}-{p}\n")
            made += 2
            bulk = (
                proj / ("node_modules" if prunable and p % 2 else "output_models")
                if prunable
                else proj / "src"
            )
            for d in range(per_project):
                (bulk / f"d{d // 20}" / f"e{d}").mkdir(parents=True, exist_ok=True)
                made += 1
    return made


def _discover(root: Path) -> object:
    return cluster(walk_roots([root]))


def _time(fn: Callable[[], Any], repeat: int = 5) -> float:
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples)


def _bare_walk(root: Path) -> int:
    return sum(1 for _ in os.walk(root))


def main() -> dict[str, Any]:
    """Run the benchmark; returns the results (seconds and ratios)."""
    results: dict[str, Any] = {"directories": DIRS}
    with tempfile.TemporaryDirectory() as tmp:
        for label, prunable in (("plain", False), ("prunable", True)):
            root = Path(tmp) / label
            root.mkdir()
            build_tree(root, DIRS, prunable)
            found = walk_roots([root])
            top, loose = cluster(found)
            baseline = _time(functools.partial(_bare_walk, root))
            discovery = _time(functools.partial(_discover, root))
            results[label] = {
                "os_walk_s": round(baseline, 4),
                "discovery_s": round(discovery, 4),
                "ratio_vs_os_walk": round(discovery / baseline, 3),
                "workspaces": len(top),
                "projects": len(found.projects),
                "unaffiliated": len(loose),
            }
    return results


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
