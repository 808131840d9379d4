"""Files in a job's directory, which its owner may write: opened without following links.

When jobs run as their owners (a Hub's shared pool, served as root), a job's
directory belongs to its owner, who can replace any file there with a link
to ``/etc/shadow`` or a FIFO. The service must then never follow a link or
block on a special file there: everything it reads or writes in a job's
directory goes through these functions. The directory entry of the job
directory itself is safe (its parent is the service's).
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat

StrPath = str | os.PathLike[str]


class NotRegularFile(FileNotFoundError):
    """A link, FIFO or device where a job's file should be: read as if it were missing."""


def open_regular(path: StrPath, flags: int = os.O_RDONLY, mode: int = 0o600) -> int:
    """``os.open`` of a regular file, never through a link and never blocking on a FIFO."""
    try:
        fd = os.open(path, flags | os.O_NOFOLLOW | os.O_NONBLOCK, mode)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise NotRegularFile(errno.ENOENT, "a link, not a file", str(path)) from None
        raise
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotRegularFile(errno.ENOENT, "not a regular file", str(path))
    # O_NONBLOCK means nothing to a regular file's reads and writes; leave it.
    return fd


def read_bytes(path: StrPath) -> bytes:
    """A job file's content (FileNotFoundError when missing or not a regular file)."""
    with os.fdopen(open_regular(path), "rb") as f:
        return f.read()


def read_text(path: StrPath) -> str:
    """A job file's content as UTF-8 text."""
    return read_bytes(path).decode("utf-8")


def write_private(path: StrPath, data: str | bytes) -> None:
    """Replace a job file atomically with ``data`` (0600), never writing through a link.

    The temporary file is created anew (``O_EXCL``): a link planted under its
    name is removed, not followed.
    """
    tmp = f"{path}.tmp"
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data.encode("utf-8") if isinstance(data, str) else data)
    os.replace(tmp, path)
