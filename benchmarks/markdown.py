"""Render a results JSON as the Markdown table docs/performance.md publishes.

python -m benchmarks.markdown [benchmarks/results/latest.json]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any


def _value(v: float | None) -> str:
    if v is None:
        return "-"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def render(report: dict[str, Any]) -> str:
    """The figures as a Markdown table, one row per figure."""
    lines = [
        "| benchmark | figure | value | baseline (same run) | target | | note |",
        "|---|---|---|---|---|---|---|",
    ]
    for f in report["figures"]:
        met = {True: "met", False: "**not met**", None: ""}[f["met"]]
        lines.append(
            f"| {f['benchmark']} | {f['name']} | {_value(f['value'])} {f['unit']} "
            f"| {f['baseline']} | {f['target']} | {met} | {f['note']} |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/results/latest.json")
    print(render(json.loads(path.read_text())))
