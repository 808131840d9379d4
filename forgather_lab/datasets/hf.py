"""Hugging Face ``datasets`` on disk, inside a dataset server job.

Two layouts are recognised by their files alone, so a scan never imports
``datasets`` (it takes seconds to import): a directory written by
``save_to_disk`` (``dataset_dict.json`` naming the splits, or ``state.json``
for one split), and a builder directory of the local datasets cache, what
``load_dataset`` leaves behind (``dataset_info.json`` beside
``<builder>-<split>[-NNNNN-of-NNNNN].arrow`` shards). A split is opened on
first use, memory-mapped, and its rows are read as Arrow and converted to
plain Python without decoding features (an image stays ``{bytes, path}``).
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from .readers import DEFAULT_SPLIT, Reader, UnreadableRow

_SHARD = re.compile(r"-\d{5}-of-\d{5}$")


def _import_datasets() -> Any:
    try:
        import datasets  # type: ignore[import-untyped]  # ships no py.typed marker
    except ImportError as e:
        raise UnreadableRow(
            "serving Hugging Face datasets needs the datasets package: "
            "pip install 'forgather-lab[datasets]'"
        ) from e
    return datasets


class HfSplit(Reader):
    """One split, opened lazily from a ``load_from_disk`` directory or cache shards."""

    def __init__(self, *, directory: Path | None = None, shards: list[Path] | None = None) -> None:
        self.directory = directory
        self.shards = shards or []
        self._lock = threading.Lock()
        self._dataset: Any = None

    def dataset(self) -> Any:
        """The ``datasets.Dataset``, opened once (memory-mapped)."""
        with self._lock:
            if self._dataset is None:
                ds = _import_datasets()
                try:
                    if self.directory is not None:
                        self._dataset = ds.load_from_disk(str(self.directory))
                    else:
                        parts = [ds.Dataset.from_file(str(p)) for p in self.shards]
                        self._dataset = (
                            parts[0] if len(parts) == 1 else ds.concatenate_datasets(parts)
                        )
                except (OSError, ValueError) as e:  # FileNotFoundError, a broken arrow file
                    raise UnreadableRow(f"cannot open the dataset: {e}") from e
            return self._dataset

    def length(self) -> int:
        return int(self.dataset().num_rows)

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        data = self.dataset()
        end = min(offset + limit, data.num_rows)
        if offset >= end:
            return []
        table = data.with_format("arrow")[offset:end]
        return list(table.to_pylist())

    def columns(self, rows: list[dict[str, Any]]) -> list[str]:
        return list(self.dataset().column_names)


def saved_splits(directory: Path) -> dict[str, HfSplit] | None:
    """The splits of a ``save_to_disk`` directory, or None if it is not one."""
    dict_file = directory / "dataset_dict.json"
    if dict_file.is_file():
        try:
            names = json.loads(dict_file.read_text()).get("splits") or []
        except (OSError, ValueError, AttributeError):
            return None
        return {
            str(name): HfSplit(directory=directory / str(name))
            for name in names
            if isinstance(name, str) and (directory / name / "state.json").is_file()
        }
    state_file = directory / "state.json"
    if state_file.is_file() and (directory / "dataset_info.json").is_file():
        try:
            split = json.loads(state_file.read_text()).get("_split") or DEFAULT_SPLIT
        except (OSError, ValueError, AttributeError):
            return None
        return {str(split): HfSplit(directory=directory)}
    return None


def cached_splits(directory: Path) -> dict[str, HfSplit] | None:
    """The splits of a datasets-cache builder directory, or None if it is not one."""
    if not (directory / "dataset_info.json").is_file():
        return None
    shards: dict[str, list[Path]] = {}
    for arrow in sorted(directory.glob("*.arrow")):
        stem = _SHARD.sub("", arrow.stem)
        if "-" not in stem:
            continue
        shards.setdefault(stem.rsplit("-", 1)[1], []).append(arrow)
    if not shards:
        return None
    return {split: HfSplit(shards=paths) for split, paths in sorted(shards.items())}


def scan_cache(cache: Path, limit: int) -> dict[str, dict[str, HfSplit]]:
    """Datasets of the cache by name (``hf-cache:<dataset>/<config>``), newest version each.

    The layout is ``<cache>/<owner>___<name>/<config>/<version>/<hash>/``.
    """
    found: dict[str, tuple[float, dict[str, HfSplit]]] = {}
    root = cache.resolve()
    for info in root.glob("*/*/*/*/dataset_info.json"):
        directory = info.parent
        if not directory.resolve().is_relative_to(root):
            continue  # a symlink out of the cache
        dataset, config = directory.parts[-4], directory.parts[-3]
        name = f"hf-cache:{dataset.replace('___', '/')}/{config}"
        splits = cached_splits(directory)
        if splits is None:
            continue
        mtime = info.stat().st_mtime
        if name not in found or found[name][0] < mtime:
            found[name] = (mtime, splits)
        if len(found) >= limit:
            break
    return {name: splits for name, (_, splits) in sorted(found.items())}
