"""``python -m benchmarks``: run every benchmark, print the table, write the JSON.

python -m benchmarks                 # the published run (about 5 minutes)
python -m benchmarks --quick         # small sizes, for development
python -m benchmarks --only dispatch,placement
python -m benchmarks --log-mb 512    # a smaller big-log follow (say so when publishing)
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
import traceback
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ._common import Figure, Settings, machine

BENCHMARKS = [
    "drain",
    "dispatch",
    "placement",
    "submission",
    "batch",
    "load",
    "history",
    "logs",
    "events",
    "proxy",
    "extension",
    "reporter",
    "footprint",
    "discovery",
    "compare",
]
RESULTS = Path(__file__).parent / "results"


def _run_one(name: str, settings: Settings) -> list[Figure]:
    if name == "discovery":
        # benchmarks/bench_discovery.py (the projects work) returns a plain dict.
        from . import bench_discovery

        data = bench_discovery.main()
        return [
            Figure(
                "discovery",
                f"GET /projects walk, {data['directories']:,} dirs ({label})",
                data[label]["discovery_s"] * 1000,
                "ms",
                baseline=f"os.walk {data[label]['os_walk_s'] * 1000:.1f} ms "
                f"(x{data[label]['ratio_vs_os_walk']:.2f})",
                raw=data[label],
            )
            for label in ("plain", "prunable")
        ]
    module = importlib.import_module(f".bench_{name}", __package__)
    return module.run(settings)  # type: ignore[no-any-return]


def _table(figures: list[Figure]) -> None:
    rows = [
        (
            f.benchmark,
            f.name,
            "-"
            if f.value is None
            else f"{f.value:,.3g}"
            if abs(f.value) < 1000
            else f"{f.value:,.0f}",
            f.unit,
            f.baseline,
            f.target,
            {True: "met", False: "NOT MET", None: ""}[f.met],
            f.note,
        )
        for f in figures
    ]
    headers = ("bench", "figure", "value", "unit", "baseline (same run)", "target", "", "note")
    try:
        from rich.console import Console
        from rich.table import Table
    except ImportError:  # plain columns when rich is not installed
        print(" | ".join(headers))
        for row in rows:
            print(" | ".join(row))
        return
    table = Table(*headers, show_lines=False)
    for row in rows:
        table.add_row(*row)
    Console(width=220).print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes (development)")
    parser.add_argument("--only", default="", help="comma-separated: " + ",".join(BENCHMARKS))
    parser.add_argument("--log-mb", type=int, default=None, help="size of the big-log follow")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.json")
    args = parser.parse_args(argv)
    settings = Settings(quick=args.quick)
    settings.log_mb = args.log_mb or (256 if args.quick else 2048)
    chosen = [b for b in args.only.split(",") if b] or BENCHMARKS
    report: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join(["python -m benchmarks", *(sys.argv[1:] if argv is None else argv)]),
        "machine": machine(),
        "settings": {"quick": settings.quick, "log_mb": settings.log_mb},
        "seconds": {},
        "figures": [],
        "failures": {},
    }
    figures: list[Figure] = []
    for name in chosen:
        print(f"[bench] {name} ...", flush=True)
        started = time.monotonic()
        try:
            figures += _run_one(name, settings)
        except Exception:  # one broken benchmark must not lose the others' figures
            report["failures"][name] = traceback.format_exc()
            print(report["failures"][name])
        report["seconds"][name] = round(time.monotonic() - started, 1)
    report["figures"] = [f.as_dict() for f in figures]
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2))
    _table(figures)
    print(f"[bench] wrote {args.out} ({sum(report['seconds'].values()):.0f} s)")
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
