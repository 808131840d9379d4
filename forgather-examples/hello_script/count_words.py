"""Count words in a text file, slowly enough to watch (standard library only)."""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import time
from pathlib import Path


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--text", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--steps", type=int, default=20)
    p.add_argument("--delay", type=float, default=0.1, help="seconds to sleep per step")
    args = p.parse_args()
    words = re.findall(r"[a-z']+", Path(args.text).read_text(encoding="utf-8").lower())
    run = Path(args.output_dir) / "runs" / f"count-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    run.mkdir(parents=True)
    tty = (run / "tty.log").open("w", encoding="utf-8")
    metrics = (run / "metrics.jsonl").open("w", encoding="utf-8")
    counts: collections.Counter[str] = collections.Counter()
    chunk = max(1, len(words) // args.steps)
    for step in range(1, args.steps + 1):
        counts.update(words[(step - 1) * chunk : step * chunk])
        line = f"step {step}/{args.steps} words {sum(counts.values())}"
        print(line, flush=True)
        tty.write(line + "\n")
        metrics.write(
            json.dumps({"step": step, "max_steps": args.steps, "words": sum(counts.values())})
            + "\n"
        )
        metrics.flush()
        time.sleep(args.delay)
    top = ", ".join(f"{w} {n}" for w, n in counts.most_common(5))
    print(f"most common: {top}", flush=True)
    tty.write(f"most common: {top}\n")


if __name__ == "__main__":
    main()
