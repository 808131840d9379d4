"""Inline progress for jobs without a reporter, parsed from their log.

The rules are SimpleTuner's: the stage comes from keywords in recent lines
(preprocessing / loading, warming up / warmup, step / epoch, validat,
checkpoint), the percentage from ``step N/M`` or ``epoch N/M`` (and from a
tqdm bar's ``| N/M [``), and the last line is cut to 80 characters.

``LogProgress`` is incremental: it remembers how far it has read and only
looks at bytes appended since, so polling a 2 GB log costs what was added.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..models.control import DescribeInlineProgress

MAX_READ = 256 * 1024  # only the newest bytes of a big append matter
MAX_PARTIAL = 64 * 1024  # an unterminated line longer than this is cut
LAST_LOG_CHARS = 80

# OSC strings first (titles, OSC 8 hyperlinks: ESC ] ... BEL or ESC \), then CSI
# sequences, then the remaining two-byte escapes.
_ANSI = re.compile(r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-_]")
_FRACTION = re.compile(
    r"\b(?P<what>step|epoch)s?\b\s*[:=#]?\s*(?P<n>\d+)\s*(?:/|of)\s*(?P<m>\d+)", re.IGNORECASE
)
_TQDM = re.compile(r"\|\s*(?P<n>\d+)\s*/\s*(?P<m>\d+)\s*\[")
_STAGES: list[tuple[str, re.Pattern[str]]] = [
    ("Saving checkpoint", re.compile(r"checkpoint", re.IGNORECASE)),
    ("Validation", re.compile(r"validat", re.IGNORECASE)),
    ("Warmup", re.compile(r"warming up|warmup", re.IGNORECASE)),
    ("Preprocessing", re.compile(r"preprocessing|loading", re.IGNORECASE)),
    ("Training", re.compile(r"\bsteps?\b|\bepochs?\b", re.IGNORECASE)),
]


def stage_of(line: str) -> str | None:
    """The stage a log line announces, most specific keyword first."""
    for stage, pattern in _STAGES:
        if pattern.search(line):
            return stage
    return None


def percent_of(line: str) -> float | None:
    """The progress a line reports (the last ``N/M`` on it), as a percentage."""
    found: float | None = None
    for pattern in (_FRACTION, _TQDM):
        for m in pattern.finditer(line):
            n, total = int(m["n"]), int(m["m"])
            if total > 0 and n <= total:
                found = round(100.0 * n / total, 2)
        if found is not None:
            return found
    return None


@dataclass
class LogProgress:
    """What the log of one job says so far."""

    offset: int = 0
    stage: str | None = None
    last_log: str | None = None
    progress: float | None = None
    _partial: bytes = field(default=b"", repr=False)

    def feed(self, data: bytes, final: bool = False) -> None:
        """Take appended bytes; complete lines update the state (``final``: the rest too)."""
        data = self._partial + data
        # \r ends a line too: progress bars redraw themselves with it.
        lines = re.split(rb"\r\n|\r|\n", data)
        self._partial = lines.pop() if not final else b""
        if len(self._partial) > MAX_PARTIAL:
            lines.append(self._partial[-MAX_PARTIAL:])
            self._partial = b""
        for raw in lines:
            self._line(_ANSI.sub("", raw.decode("utf-8", "replace")).strip())

    def _line(self, line: str) -> None:
        if not line:
            return
        self.last_log = line[:LAST_LOG_CHARS]
        stage = stage_of(line)
        if stage is not None:
            self.stage = stage
        percent = percent_of(line)
        if percent is not None:
            self.progress = percent

    def read(self, path: Path | str, finished: bool = False) -> None:
        """Read what was appended to ``path`` since the last call (blocking; use a thread)."""
        try:
            fd = os.open(path, os.O_RDONLY)
        except FileNotFoundError:
            return
        try:
            size = os.fstat(fd).st_size
            if size < self.offset:  # truncated or replaced: start again
                self.offset, self.stage, self.last_log, self.progress = 0, None, None, None
                self._partial = b""
            start = max(self.offset, size - MAX_READ)
            data = os.pread(fd, size - start, start)
            skipped = start > self.offset
            self.offset = start + len(data)
            if skipped:  # the partial line we held and the first one read are not whole
                self._partial = b""
                cut = data.find(b"\n")
                data = data[cut + 1 :] if cut >= 0 else data
            self.feed(data, final=finished)
        finally:
            os.close(fd)

    def describe(self, job_id: str) -> DescribeInlineProgress:
        """The ``inline-progress`` reply."""
        return DescribeInlineProgress(
            job_id=job_id, stage=self.stage, last_log=self.last_log, progress=self.progress
        )
