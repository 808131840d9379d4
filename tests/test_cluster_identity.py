"""Node identity: minted once (0600), the same across restarts, never silently replaced."""

from __future__ import annotations

import stat
import uuid
from pathlib import Path

import pytest

from forgather_lab.cluster import identity
from forgather_lab.errors import StateError


def test_the_node_id_is_minted_once_0600_and_kept(tmp_path: Path) -> None:
    first = identity.node_id(tmp_path)
    path = tmp_path / "cluster" / "node_id"
    assert uuid.UUID(first)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert identity.node_id(tmp_path) == first  # a restart reads it back
    assert identity.node_id(tmp_path) != identity.node_id(tmp_path / "other")


def test_a_damaged_node_id_is_an_error_not_a_new_identity(tmp_path: Path) -> None:
    identity.node_id(tmp_path)
    path = tmp_path / "cluster" / "node_id"
    path.write_text("not a uuid\n")
    with pytest.raises(StateError, match="does not hold a node id"):
        identity.node_id(tmp_path)
    assert path.read_text() == "not a uuid\n"  # left for the operator


def test_the_master_is_the_lowest_reachable_id() -> None:
    ids = ["c0ffee00-0000-4000-8000-000000000000", "0badf00d-0000-4000-8000-000000000000"]
    assert identity.master(ids) == ids[1]
    assert identity.master([]) is None
