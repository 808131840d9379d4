"""Path guards: every path a client names is checked here before it is touched.

The rules, in order: no ``..`` segment (400), the resolved real path must lie
inside one of the allowed roots, so a symlink pointing out of them is refused
(403), and reads have size caps. Destructive operations add their own checks
(``guard_deletable``): no symlinks at all, a depth floor and a denylist of
system directories, so a bug elsewhere can never turn into ``rm -rf /home``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from ..errors import BadRequest, Forbidden, ForgatherError, NotFound

# What a README may embed, and what the editor helpers will read.
ASSET_MAX_BYTES = 50 * 1024 * 1024
SOURCE_MAX_BYTES = 2 * 1024 * 1024

# Recursive deletion below fewer path components than this is refused outright.
DELETE_DEPTH_FLOOR = 4

DENYLIST = frozenset(
    Path(p)
    for p in (
        "/",
        "/bin",
        "/boot",
        "/dev",
        "/etc",
        "/home",
        "/lib",
        "/lib64",
        "/media",
        "/mnt",
        "/opt",
        "/proc",
        "/root",
        "/run",
        "/sbin",
        "/srv",
        "/sys",
        "/tmp",  # noqa: S108 - a denylist entry, not a temp file
        "/usr",
        "/var",
        "/Users",
        "/Volumes",
        "/System",
        "/Library",
    )
)


class UnsupportedMediaType(ForgatherError):
    """The file is binary where text was asked for."""

    status = 415


class TooLarge(ForgatherError):
    """The file is bigger than the endpoint serves."""

    status = 413


def reject_dotdot(raw: str, what: str = "path") -> None:
    """400 when ``raw`` contains a ``..`` segment (in either separator style)."""
    if not raw:
        raise BadRequest(f"The {what} is empty")
    if "\x00" in raw:
        raise BadRequest(f"The {what} contains a NUL byte")
    if ".." in PurePosixPath(raw.replace("\\", "/")).parts:
        raise BadRequest(f"The {what} {raw!r} must not contain '..'")


def is_within(path: Path, root: Path) -> bool:
    """Whether ``path`` is ``root`` or below it (both already resolved)."""
    return path == root or root in path.parents


def resolve_under(
    raw: str, base: Path, roots: Sequence[Path], what: str = "path", must_exist: bool = True
) -> Path:
    """Resolve a client-supplied path (absolute, or relative to ``base``) inside ``roots``.

    Symlinks are followed, then the real path is checked, so a link that leaves
    the roots is refused with 403 like a plain outside path.
    """
    reject_dotdot(raw, what)
    try:
        candidate = Path(raw).expanduser()
    except RuntimeError as e:  # "~someone" with no such user (or no home at all)
        raise BadRequest(f"The {what} {raw!r} names a home directory that does not exist") from e
    if not candidate.is_absolute():
        candidate = base / candidate
    resolved = Path(os.path.realpath(candidate))
    if not any(is_within(resolved, r) for r in roots):
        raise Forbidden(f"The {what} {raw!r} is outside the project search roots")
    if must_exist and not resolved.exists():
        raise NotFound(f"The {what} {raw!r} does not exist")
    return resolved


def child_path(base: Path, name: str, what: str = "name") -> Path:
    """``base / name`` for a relative, nested-allowed name that stays inside ``base``."""
    reject_dotdot(name, what)
    if Path(name).is_absolute() or name.startswith(("/", "\\")):
        raise BadRequest(f"The {what} {name!r} must be relative")
    target = base / name
    parent = Path(os.path.realpath(target.parent))
    if not is_within(parent, Path(os.path.realpath(base))) and parent.exists():
        raise Forbidden(f"The {what} {name!r} leaves {base}")
    return target


def bare_name(name: str, what: str = "name") -> str:
    """A single path component: no separators, not ``.`` or ``..``."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise BadRequest(f"The {what} {name!r} must be a single file or directory name")
    return name


def read_text_capped(path: Path, limit: int = SOURCE_MAX_BYTES) -> str:
    """Read a text file; 413 over ``limit``, 415 when it looks binary."""
    size = path.stat().st_size
    if size > limit:
        raise TooLarge(f"{path} is {size} bytes, more than the {limit} this endpoint reads")
    data = path.read_bytes()
    # The same sniff as the seed: a NUL in the first 8 KiB, or not UTF-8.
    if b"\x00" in data[:8192]:
        raise UnsupportedMediaType(f"{path} looks like a binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UnsupportedMediaType(f"{path} is not UTF-8 text ({e.reason})") from e


def guard_deletable(path: Path, roots: Iterable[Path], protected: Iterable[Path]) -> Path:
    """Check a path for recursive deletion; returns it resolved.

    ``path`` must be absolute, not a symlink (nor under one), deep enough, not
    a system directory, inside a root and not itself a root or protected path.
    """
    if not path.is_absolute():
        raise BadRequest(f"Deletion needs an absolute path, not {str(path)!r}")
    if path.is_symlink():
        raise BadRequest(f"{path} is a symbolic link; refusing to delete through it")
    resolved = Path(os.path.realpath(path))
    if resolved != path:
        raise BadRequest(f"{path} passes through a symbolic link; refusing to delete")
    if resolved in DENYLIST or len(resolved.parts) < DELETE_DEPTH_FLOOR:
        raise Forbidden(f"Refusing to delete {resolved}: too close to the filesystem root")
    root_list = list(roots)
    if not any(is_within(resolved, r) for r in root_list):
        raise Forbidden(f"{resolved} is outside the project search roots")
    if resolved in root_list or resolved in set(protected):
        raise Forbidden(f"Refusing to delete {resolved}: it is a search root or the server root")
    if not resolved.exists():
        raise NotFound(f"{resolved} does not exist")
    return resolved


def lab_path(path: Path, root_dir: Path | None) -> str | None:
    """``path`` relative to the Jupyter root_dir (what JupyterLab opens), or None."""
    if root_dir is None or not is_within(path, root_dir):
        return None
    return path.relative_to(root_dir).as_posix() if path != root_dir else ""
