"""Row access to local files (JSONL, CSV / TSV, text, Parquet), inside a dataset server job.

Line-based files are read through a sparse index: the byte offset of every
``STRIDE``-th record, built once on first use (one pass, nothing held but
the offsets) and rebuilt when the file's size or mtime changes. A page at
any offset then costs one seek and at most ``STRIDE`` skipped records, so a
trainer iterating a multi-gigabyte JSONL never makes the server read it from
the start again. Parquet keeps its own row-group index; pyarrow (installed
with the ``datasets`` extra) is imported only when a Parquet file is read.

Standard library only apart from that: this runs in the job.
"""

from __future__ import annotations

import csv
import json
import threading
from abc import ABC, abstractmethod
from array import array
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

STRIDE = 64
DEFAULT_SPLIT = "train"


class UnreadableRow(ValueError):
    """A record the file holds that cannot be parsed (answered as a 422)."""


class Reader(ABC):
    """One split of one dataset: its length, its columns, a page of its rows."""

    @abstractmethod
    def length(self) -> int:
        """Number of rows."""

    @abstractmethod
    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        """Rows ``offset`` .. ``offset + limit`` (fewer at the end)."""

    def columns(self, rows: list[dict[str, Any]]) -> list[str]:
        """Column names, in order; by default every key of ``rows``."""
        return list(dict.fromkeys(k for row in rows for k in row))


class _LineIndex:
    """Offsets of every STRIDE-th record of a file, rebuilt when the file changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._offsets = array("Q")
        self._count = 0
        self._start = 0  # where records begin (after a header)

    def get(
        self, build: Callable[[BinaryIO], tuple[int, Iterable[int]]]
    ) -> tuple[array[int], int, int]:
        """(sparse offsets, record count, start) for the file as it is now."""
        st = self.path.stat()
        stamp = (st.st_size, st.st_mtime_ns)
        with self._lock:
            if self._stamp != stamp:
                with self.path.open("rb") as f:
                    self._start, offsets = build(f)
                    sparse = array("Q")
                    count = 0
                    for count, offset in enumerate(offsets, start=1):
                        if (count - 1) % STRIDE == 0:
                            sparse.append(offset)
                    self._offsets, self._count, self._stamp = sparse, count, stamp
            return self._offsets, self._count, self._start


def _line_records(f: BinaryIO, skip_blank: bool) -> Iterator[int]:
    """Byte offset of each line (of each non-blank one with ``skip_blank``)."""
    offset = f.tell()
    for line in f:
        if not skip_blank or line.strip():
            yield offset
        offset += len(line)


class _LineReader(Reader):
    """Records that are lines: JSONL and text."""

    skip_blank = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self._index = _LineIndex(path)

    def _offsets(self) -> tuple[array[int], int, int]:
        return self._index.get(lambda f: (0, _line_records(f, self.skip_blank)))

    def length(self) -> int:
        return self._offsets()[1]

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        sparse, count, _ = self._offsets()
        if offset >= count or limit <= 0:
            return []
        out: list[dict[str, Any]] = []
        with self.path.open("rb") as f:
            f.seek(sparse[offset // STRIDE])
            position = offset - offset % STRIDE
            for line in f:
                if self.skip_blank and not line.strip():
                    continue
                if position >= offset:
                    out.append(self.parse(line, position))
                    if len(out) >= limit:
                        break
                position += 1
        return out

    @abstractmethod
    def parse(self, line: bytes, number: int) -> dict[str, Any]:
        """One record from its line (``number`` counts records from 0)."""


class JsonlReader(_LineReader):
    """One JSON value per line; an object is a row, anything else ``{"value": ...}``."""

    def parse(self, line: bytes, number: int) -> dict[str, Any]:
        try:
            value = json.loads(line)
        except ValueError as e:
            raise UnreadableRow(f"record {number} of {self.path.name} is not JSON: {e}") from e
        return value if isinstance(value, dict) else {"value": value}


class TextReader(_LineReader):
    """One ``{"text": line}`` per line, blank lines included (as the ``text`` loader does)."""

    skip_blank = False

    def parse(self, line: bytes, number: int) -> dict[str, Any]:
        return {"text": line.decode("utf-8", "replace").rstrip("\r\n")}


class CsvReader(Reader):
    """A header row, then one row per record (a quoted field may span lines)."""

    def __init__(self, path: Path, delimiter: str = ",") -> None:
        self.path = path
        self.delimiter = delimiter
        self._index = _LineIndex(path)
        self._header: list[str] | None = None

    def _records(self, f: BinaryIO) -> tuple[int, Iterator[int]]:
        lines = _TrackedLines(f)
        reader = csv.reader(lines, delimiter=self.delimiter)
        self._header = next(reader, [])
        start = lines.position

        def offsets() -> Iterator[int]:
            while True:
                begin = lines.position
                try:
                    row = next(reader)
                except StopIteration:
                    return
                except csv.Error as e:
                    raise UnreadableRow(f"{self.path.name}: {e}") from e
                if row:
                    yield begin

        return start, offsets()

    def header(self) -> list[str]:
        self._index.get(self._records)
        return list(self._header or [])

    def length(self) -> int:
        return self._index.get(self._records)[1]

    def columns(self, rows: list[dict[str, Any]]) -> list[str]:
        return self.header()

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        sparse, count, _ = self._index.get(self._records)
        if offset >= count or limit <= 0:
            return []
        header = self.header()
        out: list[dict[str, Any]] = []
        with self.path.open("rb") as f:
            f.seek(sparse[offset // STRIDE])
            position = offset - offset % STRIDE
            for row in csv.reader(_TrackedLines(f), delimiter=self.delimiter):
                if not row:
                    continue
                if position >= offset:
                    out.append(dict(zip(header, row, strict=False)))
                    if len(out) >= limit:
                        break
                position += 1
        return out


class _TrackedLines:
    """Decoded lines of a binary file, knowing the byte offset after the last one read."""

    def __init__(self, f: BinaryIO) -> None:
        self._f = f
        self.position = f.tell()

    def __iter__(self) -> _TrackedLines:
        return self

    def __next__(self) -> str:
        line = self._f.readline()
        if not line:
            raise StopIteration
        self.position += len(line)
        return line.decode("utf-8", "replace")


class ParquetReader(Reader):
    """Row groups read as needed (pyarrow, from the ``datasets`` extra)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _file(self) -> Any:
        try:
            import pyarrow.parquet as pq  # type: ignore[import-untyped,unused-ignore]
        except ImportError as e:
            raise UnreadableRow(
                "reading Parquet needs pyarrow: pip install 'forgather-lab[datasets]'"
            ) from e
        return pq.ParquetFile(self.path)

    def length(self) -> int:
        return int(self._file().metadata.num_rows)

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        pf = self._file()
        out: list[dict[str, Any]] = []
        start = 0
        for group in range(pf.num_row_groups):
            size = pf.metadata.row_group(group).num_rows
            if start + size > offset and len(out) < limit:
                table = pf.read_row_group(group)
                begin = max(0, offset - start)
                out.extend(table.slice(begin, limit - len(out)).to_pylist())
            start += size
            if len(out) >= limit:
                break
        return out

    def columns(self, rows: list[dict[str, Any]]) -> list[str]:
        return list(self._file().schema_arrow.names)


#: File suffixes served, and the reader each gets.
SUFFIXES = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".parquet": "parquet",
    ".txt": "text",
}


def reader_for(path: Path, fmt: str) -> Reader:
    """The reader of a file in format ``fmt`` (a value of ``SUFFIXES``)."""
    if fmt == "jsonl":
        return JsonlReader(path)
    if fmt == "csv":
        return CsvReader(path)
    if fmt == "tsv":
        return CsvReader(path, delimiter="\t")
    if fmt == "parquet":
        return ParquetReader(path)
    return TextReader(path)


__all__ = ["DEFAULT_SPLIT", "SUFFIXES", "Reader", "UnreadableRow", "reader_for"]
