"""Path guards: every path a client names is checked here before it is touched.

The rules, in order: no ``..`` segment (400), the resolved real path must lie
inside one of the allowed roots, so a symlink pointing out of them is refused
(403), and reads have size caps (the reads themselves go through
``reads.open_inside``, which checks the opened file again). Names of things
to create are checked before anything is written (``creatable_name``: relative,
no ``..``, no control characters, within the OS's length limits), and so is
where each new path would really land (``check_creatable``: its nearest
existing ancestor, resolved, must lie inside the roots). Destructive
operations add their own checks (``guard_deletable``): no symlinks at all, a
depth floor and a denylist of system directories, so a bug elsewhere can
never turn into ``rm -rf /home``.
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path, PurePosixPath

from ..errors import BadRequest, Conflict, Forbidden, ForgatherError, NotFound

# What a README may embed, and what the editor helpers will read.
ASSET_MAX_BYTES = 50 * 1024 * 1024
SOURCE_MAX_BYTES = 2 * 1024 * 1024

# Recursive deletion below fewer path components than this is refused outright.
DELETE_DEPTH_FLOOR = 4

# Checked before creating anything, so the OS never refuses a name half-way
# through a multi-file creation (Linux's NAME_MAX and PATH_MAX, in bytes).
NAME_MAX_BYTES = 255
PATH_MAX_BYTES = 4096
DISPLAY_NAME_MAX = 256

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


def has_control_chars(text: str) -> bool:
    """Whether ``text`` holds a control character (newline, tab, NUL, ESC, ...)."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def creatable_name(name: str, what: str = "name") -> str:
    """A relative, nested-allowed name for something to create; 400 otherwise.

    Refused: empty, NUL or other control characters, absolute (``/x``, ``\\x``,
    ``~x``), a ``..`` segment, a component over 255 bytes or a whole over 4096.
    """
    if not name:
        raise BadRequest(f"The {what} is empty")
    if has_control_chars(name):
        raise BadRequest(f"The {what} {name!r} contains a control character (newline, NUL, ...)")
    posix = PurePosixPath(name.replace("\\", "/"))
    if name.startswith(("/", "\\", "~")) or posix.is_absolute():
        raise BadRequest(f"The {what} {name!r:.120} must be relative (no leading '/' or '~')")
    if ".." in posix.parts:
        raise BadRequest(f"The {what} {name!r:.120} must not contain '..'")
    if len(name.encode()) > PATH_MAX_BYTES or any(
        len(part.encode()) > NAME_MAX_BYTES for part in posix.parts
    ):
        raise BadRequest(
            f"The {what} {name!r:.120} is too long (at most {NAME_MAX_BYTES} bytes a component)"
        )
    return name


def display_name(name: str, what: str = "name") -> str:
    """A one-line display name (written into YAML and a README heading); 400 otherwise."""
    if not name.strip():
        raise BadRequest(f"The {what} is empty")
    if has_control_chars(name):
        raise BadRequest(f"The {what} {name!r:.120} must be one line (no control characters)")
    if len(name) > DISPLAY_NAME_MAX:
        raise BadRequest(f"The {what} is longer than {DISPLAY_NAME_MAX} characters")
    return name


def child_path(base: Path, name: str, what: str = "name") -> Path:
    """``base / name`` for a relative, nested-allowed name (``creatable_name``).

    Only the name is checked here; where the path really lands (through
    symlinks already on disk) is ``check_creatable``'s question.
    """
    return base / creatable_name(name, what)


def nearest_existing(path: Path) -> Path:
    """``path`` itself if anything (even a dangling symlink) is there, else its
    nearest ancestor that exists."""
    current = path
    while not os.path.lexists(current) and current != current.parent:
        current = current.parent
    return current


def check_creatable(path: Path, roots: Sequence[Path], what: str = "path") -> Path:
    """Refuse to create ``path`` unless it would really land inside ``roots``.

    The nearest existing ancestor is resolved (symlinks followed, a dangling
    one too), so a link on the way that leaves the roots is a 403, whether or
    not the directories below it exist yet. An ancestor that is a file, or a
    dangling link, is a 400 rather than an OS error half-way through.
    """
    anchor = nearest_existing(path)
    real = Path(os.path.realpath(anchor))
    below = path.relative_to(anchor) if anchor != path else None
    landing = real / below if below is not None else real
    if not any(is_within(landing, r) for r in roots):
        raise Forbidden(f"The {what} {path} would be created outside the project search roots")
    if anchor != path and not real.is_dir():
        raise BadRequest(f"Cannot create {path}: {anchor} is not a directory")
    return landing


def refuse_existing(path: Path, what: str = "path") -> None:
    """409 when anything is at ``path``, a dangling symlink included (never written through)."""
    if os.path.lexists(path):
        raise Conflict(f"The {what} {path} already exists")


def bare_name(name: str, what: str = "name") -> str:
    """A single path component: no separators, not ``.`` or ``..``."""
    if not name or name in {".", ".."} or "/" in name or "\\" in name or "\x00" in name:
        raise BadRequest(f"The {what} {name!r} must be a single file or directory name")
    return name


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
