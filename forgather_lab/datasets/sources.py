"""What a dataset server serves: datasets found under its paths, by name.

A request names a dataset by the name the catalog gave it, never by a
path: nothing a client sends is joined to a file system path, so there is
nothing to escape. The scan itself stays inside each configured path: every
candidate is resolved (symlinks followed) and kept only if it still lies
under the resolved path, hidden directories are not entered, and the walk
stops at ``MAX_DEPTH`` levels and ``MAX_DATASETS`` datasets.

Names: a path that is itself a dataset (a file, a ``save_to_disk``
directory) is named by its base name; what a directory holds is named by
its path relative to it (``data/train.jsonl``); the first of two equal
names wins. Cache datasets are ``hf-cache:<dataset>/<config>``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from .hf import saved_splits, scan_cache
from .readers import DEFAULT_SPLIT, SUFFIXES, Reader, reader_for

log = logging.getLogger("forgather_lab.datasets")

MAX_DEPTH = 6
MAX_DATASETS = 2000
SKIPPED_DIRS = frozenset({"node_modules", "__pycache__", "site-packages"})
RESCAN_AFTER = 10.0  # seconds: a listing sees new files without a restart


@dataclass
class Dataset:
    """One dataset: its format and its splits' readers."""

    name: str
    format: str
    splits: dict[str, Reader]
    path: str = field(default="", repr=False)

    def split(self, name: str | None) -> Reader:
        """The reader of split ``name`` (the only split when there is one and none is named)."""
        if name is None or name == "":
            name = DEFAULT_SPLIT if DEFAULT_SPLIT in self.splits else next(iter(self.splits))
        try:
            return self.splits[name]
        except KeyError:
            known = ", ".join(self.splits)
            raise KeyError(
                f"dataset {self.name!r} has no split {name!r} (it has {known})"
            ) from None


def _file_dataset(name: str, path: Path) -> Dataset | None:
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        return None
    return Dataset(name, fmt, {DEFAULT_SPLIT: reader_for(path, fmt)}, str(path))


def _dir_dataset(name: str, path: Path) -> Dataset | None:
    splits = saved_splits(path)
    if splits is None:
        return None
    return Dataset(name, "hf_disk", dict(splits), str(path))


def scan_path(root: Path, found: dict[str, Dataset]) -> None:
    """Add what ``root`` holds (or is) to ``found``, staying under ``root``."""
    try:
        root = root.resolve(strict=True)
    except OSError as e:
        log.warning("dataset path %s: %s", root, e)
        return
    ds = _file_dataset(root.name, root) if root.is_file() else _dir_dataset(root.name, root)
    if ds is not None:
        found.setdefault(ds.name, ds)
        return
    if not root.is_dir():
        return
    for current, dirs, files in os.walk(root, followlinks=False):
        here = Path(current)
        depth = len(here.relative_to(root).parts)
        kept = []
        for d in sorted(dirs):
            if d.startswith(".") or d in SKIPPED_DIRS:
                continue
            candidate = here / d
            rel = candidate.relative_to(root).as_posix()
            if _inside(candidate, root) and (hf := _dir_dataset(rel, candidate.resolve())):
                found.setdefault(rel, hf)
            elif depth + 1 < MAX_DEPTH:
                kept.append(d)
        dirs[:] = kept  # the walk enters only these (symlinked dirs are not followed)
        for f in sorted(files):
            if f.startswith(".") or len(found) >= MAX_DATASETS:
                continue
            candidate = here / f
            if _inside(candidate, root):
                rel = candidate.relative_to(root).as_posix()
                if (fd := _file_dataset(rel, candidate.resolve())) is not None:
                    found.setdefault(rel, fd)
        if len(found) >= MAX_DATASETS:
            log.warning("dataset path %s: stopped at %d datasets", root, MAX_DATASETS)
            return


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` resolves to somewhere under ``root`` (a symlink may point out)."""
    try:
        return path.resolve(strict=True).is_relative_to(root)
    except OSError:
        return False


class Catalog:
    """The datasets of a server, rescanned at most every ``RESCAN_AFTER`` seconds."""

    def __init__(self, paths: list[Path], hf_cache: Path | None = None) -> None:
        self.paths = paths
        self.hf_cache = hf_cache
        self._lock = threading.Lock()
        self._datasets: dict[str, Dataset] = {}
        self._scanned = 0.0
        self.refresh()

    def refresh(self) -> None:
        """Scan again now; readers of unchanged datasets are kept (with their indexes)."""
        found: dict[str, Dataset] = {}
        for path in self.paths:
            scan_path(path, found)
        if self.hf_cache is not None and self.hf_cache.is_dir():
            room = max(0, MAX_DATASETS - len(found))
            for name, splits in scan_cache(self.hf_cache, room).items():
                found.setdefault(name, Dataset(name, "hf_cache", dict(splits)))
        with self._lock:
            old = self._datasets
            for name, ds in found.items():
                prev = old.get(name)
                if prev is not None and (prev.path, prev.format) == (ds.path, ds.format):
                    found[name] = prev
            self._datasets = found
            self._scanned = time.monotonic()

    def datasets(self) -> list[Dataset]:
        """Every dataset, by name."""
        if time.monotonic() - self._scanned > RESCAN_AFTER:
            self.refresh()
        with self._lock:
            return [self._datasets[k] for k in sorted(self._datasets)]

    def get(self, name: str) -> Dataset:
        """The dataset named ``name``; KeyError if there is none."""
        with self._lock:
            ds = self._datasets.get(name)
        if ds is None:
            self.datasets()  # it may be new
            with self._lock:
                ds = self._datasets.get(name)
        if ds is None:
            raise KeyError(f"no dataset {name!r}")
        return ds
