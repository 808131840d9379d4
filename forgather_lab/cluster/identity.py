"""A node's identity: a UUID minted once into the state directory, and who is master."""

from __future__ import annotations

import errno
import os
import uuid
from collections.abc import Iterable
from pathlib import Path

from ..errors import StateError

FILENAME = "node_id"


def cluster_dir(state_dir: Path) -> Path:
    """``<state_dir>/cluster`` (0700): the node id, and what later phases keep."""
    path = state_dir / "cluster"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def node_id(state_dir: Path) -> str:
    """This node's UUID, minted at first use (0600) and the same ever after.

    It survives host renames, new interfaces and cluster-name changes because
    nothing of them goes into it. A file that does not hold a UUID is an error,
    not a reason to mint another: a new identity would make this node a
    stranger to its peers (and could make it master behind their backs).
    """
    path = cluster_dir(state_dir) / FILENAME
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as e:
        if e.errno != errno.EEXIST:
            raise StateError(f"Cannot create the node id {path}: {e.strerror}") from e
        return _read(path)
    minted = str(uuid.uuid4())
    with os.fdopen(fd, "w") as f:
        f.write(minted + "\n")
    return minted


def _read(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except OSError as e:
        raise StateError(f"Cannot read the node id {path}: {e.strerror}") from e
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise StateError(
            f"{path} does not hold a node id (a UUID); remove it to mint one"
        ) from None


def master(reachable: Iterable[str]) -> str | None:
    """The master: the lowest node id among reachable members, so no election is needed."""
    return min(reachable, default=None)
