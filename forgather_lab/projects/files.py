"""File operations the project views need: template source, assets, guarded delete.

Opening, renaming and editing files in general is JupyterLab's job (its
Contents API, editor and file browser); these exist for what it does not do:
mtime-checked saves of templates, README assets and the "Clean output" delete.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadRequest, Conflict, NotFound
from .paths import ASSET_MAX_BYTES
from .reads import read_bytes_inside, read_text_capped
from .scaffold import atomic_write_text

MTIME_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Source:
    """A text file as the editor helpers read it."""

    content: str
    mtime: float


@dataclass(frozen=True)
class Asset:
    """A file served as bytes (not JSON): its content and media type."""

    data: bytes
    media_type: str


def mtime_of(path: Path) -> float:
    """The modification time in seconds (from nanoseconds, so it round-trips JSON)."""
    return path.stat().st_mtime_ns / 1e9


def read_source(path: Path, roots: Sequence[Path]) -> Source:
    """A text file inside ``roots``: content and mtime; 415 when binary, 413 when huge."""
    if not path.is_file():
        raise NotFound(f"{path} is not a file")
    return Source(content=read_text_capped(path, roots), mtime=mtime_of(path))


def write_source(path: Path, content: str, expected_mtime: float | None) -> float:
    """Atomically replace an existing text file; 409 when it changed since
    ``expected_mtime`` (None forces the write). Returns the new mtime."""
    if not path.is_file():
        raise NotFound(f"{path} does not exist; create it with new-template first")
    current = mtime_of(path)
    if expected_mtime is not None and abs(current - expected_mtime) > MTIME_TOLERANCE:
        raise Conflict(
            f"{path} changed on disk since it was read",
            current_mtime=current,
            expected_mtime=expected_mtime,
        )
    atomic_write_text(path, content)
    return mtime_of(path)


def read_asset(path: Path, project_root: Path) -> Asset:
    """An asset's bytes and media type (50 MiB cap); the file must stay inside the project."""
    if not path.is_file():
        raise NotFound(f"{path} is not a file")
    data = read_bytes_inside(path, [project_root], ASSET_MAX_BYTES, "asset")
    kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return Asset(data=data, media_type=kind)


def delete_dir(path: Path) -> None:
    """Remove a directory tree (the caller has run ``guard_deletable``)."""
    if not path.is_dir():
        raise BadRequest(f"{path} is not a directory")

    # rmtree does not follow symlinks inside the tree: links are unlinked, not walked.
    try:
        shutil.rmtree(path)
    except OSError as e:
        raise BadRequest(f"Could not delete all of {path}: {e}") from e


def delete_file(path: Path) -> None:
    """Unlink one regular file (the caller has run ``guard_deletable``)."""
    if not path.is_file():
        raise BadRequest(f"{path} is not a regular file")
    try:
        os.unlink(path)
    except OSError as e:
        raise BadRequest(f"Could not delete {path}: {e.strerror}") from e
