"""Sampling profiles of the server while a benchmark runs (py-spy), and their summary.

``Profiler(pid, out_dir, name)`` records ``pid`` (with its native threads and
idle time left out) until ``stop()``; nothing happens when ``out_dir`` is
None or py-spy is not installed (``benchmarks/setup.sh`` installs it).
With ``FORGATHER_BENCH_PROFILE_GIL=1`` only the thread holding the
interpreter lock is sampled: where a server bound by that lock spends it
(a thread waiting on a syscall or a pipe is then not counted).

    python -m benchmarks.profile DIR/drain.txt [--top 25]

prints where the samples went: by function (inclusive and self) and by
thread, from py-spy's collapsed-stack ("raw") output.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path


class Profiler:
    """py-spy attached to one process for the duration of a measurement."""

    def __init__(self, pid: int, out_dir: Path | None, name: str, rate: int = 200) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.out: Path | None = None
        spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
        if out_dir is None or not Path(spy).exists():
            return
        out_dir.mkdir(parents=True, exist_ok=True)
        self.out = out_dir / f"{name}.txt"
        self.proc = subprocess.Popen(
            [
                *(spy, "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw"),
                *("--threads", "--output", str(self.out), "--nonblocking"),
                *(["--gil"] if os.environ.get("FORGATHER_BENCH_PROFILE_GIL") == "1" else []),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def stop(self) -> Path | None:
        """Stop recording; the path of the collapsed stacks (None if none were taken)."""
        if self.proc is None:
            return None
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        return self.out


def summarize(path: Path, top: int = 25) -> str:
    """Inclusive and self samples per function, and samples per thread, as text."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    total = 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        threads[frames[0]] += n
        seen = set()
        for frame in frames[1:]:
            name = frame.split(" (", 1)[0] + " " + _where(frame)
            if name not in seen:
                inclusive[name] += n
                seen.add(name)
        if len(frames) > 1:
            last = frames[-1]
            own[last.split(" (", 1)[0] + " " + _where(last)] += n
    if not total:
        return "no samples"
    lines = [f"{total} samples"]
    lines.append("by thread:")
    lines += [f"  {n / total:6.1%}  {t}" for t, n in threads.most_common(8)]
    lines.append("inclusive (top):")
    lines += [f"  {n / total:6.1%}  {f}" for f, n in inclusive.most_common(top)]
    lines.append("self (top):")
    lines += [f"  {n / total:6.1%}  {f}" for f, n in own.most_common(top)]
    return "\n".join(lines)


def _where(frame: str) -> str:
    if "(" not in frame:
        return ""
    place = frame.split("(", 1)[1].rstrip(")")
    file = place.rpartition(":")[0]
    parts = Path(file).parts
    short = "/".join(parts[-2:]) if parts else file
    return f"({short})"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("path", type=Path)
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    print(summarize(args.path, args.top))
