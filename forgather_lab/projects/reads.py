"""Reading a file only when it really lies inside the roots: the one helper every reader uses.

A project or a run is a directory the user (or a training script) filled, so
any file in it may be a symlink: ``tty.log -> /proc/self/environ`` once
returned the server's environment over the API. Checking the *name* a client
gave is not enough; what counts is the file that is opened. ``open_inside``
therefore checks twice:

1. before opening, the real path (symlinks followed) must lie inside the
   allowed roots, so nothing outside is even opened (a device or a FIFO out
   there never is);
2. after opening, the path of the opened descriptor (``/proc/self/fd``; on
   systems without it, the real path's device and inode against the
   descriptor's) must still lie inside, so a link swapped in between the two
   steps is refused too.

It opens with ``O_NONBLOCK`` (a FIFO inside the roots cannot hang a worker
thread) and serves regular files only. Symlinks that stay inside the roots
are followed: a README linking to a shared file of the workspace is fine.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from ..errors import BadRequest, Forbidden, ForgatherError, NotFound
from .paths import SOURCE_MAX_BYTES, TooLarge, UnsupportedMediaType, is_within

_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0)
_PROC_FD = Path("/proc/self/fd")


def _inside(path: Path, roots: Sequence[Path]) -> bool:
    return any(is_within(path, r) for r in roots)


def _opened_path(fd: int, path: Path, st: os.stat_result) -> Path | None:
    """The real path of the file behind ``fd``, or None when it cannot be told."""
    if _PROC_FD.is_dir():
        try:
            target = os.readlink(_PROC_FD / str(fd))
        except OSError:
            return None
        # A file unlinked since it was opened reads "/x (deleted)": not a path to trust.
        if not target.startswith("/") or target.endswith(" (deleted)"):
            return None
        return Path(target)
    real = Path(os.path.realpath(path))
    try:
        again = os.stat(real)
    except OSError:
        return None
    return real if (again.st_dev, again.st_ino) == (st.st_dev, st.st_ino) else None


def is_file_inside(path: Path, roots: Sequence[Path]) -> bool:
    """Whether ``path`` is a regular file whose real path lies inside ``roots`` (what
    a listing may call present: a link leading outside is reported as absent)."""
    return path.is_file() and _inside(Path(os.path.realpath(path)), roots)


@contextmanager
def open_inside(path: Path, roots: Sequence[Path], what: str = "file") -> Iterator[BinaryIO]:
    """Open a regular file for reading, only if its real path lies inside ``roots``.

    403 when it (or the link it is) leads outside, 404 when it is missing, 400
    when it is not a regular file. Yields a binary file object.
    """
    if not _inside(Path(os.path.realpath(path)), roots):
        raise Forbidden(f"The {what} {path} leads outside the project search roots")
    try:
        fd = os.open(path, _FLAGS)
    except FileNotFoundError as e:
        raise NotFound(f"The {what} {path} does not exist") from e
    except PermissionError as e:
        raise Forbidden(f"The {what} {path} is not readable by the server") from e
    try:
        st = os.fstat(fd)
        real = _opened_path(fd, path, st)
        if real is None or not _inside(real, roots):
            raise Forbidden(f"The {what} {path} leads outside the project search roots")
        if not stat.S_ISREG(st.st_mode):
            raise BadRequest(f"The {what} {path} is not a regular file")
        os.set_blocking(fd, True)
        f = os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise
    with f:
        yield f


def read_bytes_inside(path: Path, roots: Sequence[Path], limit: int, what: str = "file") -> bytes:
    """The whole file (``open_inside``); 413 when it holds more than ``limit`` bytes."""
    with open_inside(path, roots, what) as f:
        size = os.fstat(f.fileno()).st_size
        data = f.read(limit + 1)
    if size > limit or len(data) > limit:
        raise TooLarge(
            f"{path} is {max(size, len(data))} bytes, more than the {limit} this endpoint reads"
        )
    return data


def read_text_capped(
    path: Path, roots: Sequence[Path], limit: int = SOURCE_MAX_BYTES, what: str = "file"
) -> str:
    """A UTF-8 text file (``open_inside``); 413 over ``limit``, 415 when it looks binary."""
    data = read_bytes_inside(path, roots, limit, what)
    # The same sniff as the seed: a NUL in the first 8 KiB, or not UTF-8.
    if b"\x00" in data[:8192]:
        raise UnsupportedMediaType(f"{path} looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnsupportedMediaType(f"{path} is not UTF-8 text ({e.reason})") from e


def read_text_or_none(
    path: Path, roots: Sequence[Path], limit: int = SOURCE_MAX_BYTES
) -> str | None:
    """``read_text_capped`` for optional files read while listing: None when the
    file is missing, refused or unreadable (a listing never fails on one file)."""
    try:
        return read_text_capped(path, roots, limit)
    except (ForgatherError, OSError):
        return None
