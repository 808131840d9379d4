"""The example workspace is seeded once per root_dir, not once per state database.

Two JupyterLabs with different root_dirs and the default (shared) state_dir
each get their own ``forgather-examples``; a user who removed the example
root, or deleted its folder, does not get it back under that root_dir.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.projects import ProjectsSettings
from forgather_lab.projects.roots import EXAMPLES_DIRNAME, SearchRoots
from forgather_lab.projects.state import SEEDED_KEY
from forgather_lab.store import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database(tmp_path / "shared-state" / "forgather.db")
    database.open()
    try:
        yield database
    finally:
        database.close()


def start(db: Database, root: Path, seed: bool = True) -> SearchRoots:
    """What a server start does with its root_dir (``SearchRoots.open``)."""
    root.mkdir(parents=True, exist_ok=True)
    roots = SearchRoots(
        db, ProjectsSettings(root_dir=root.resolve(), config_roots=[], seed_examples=seed)
    )
    roots.open()
    return roots


def examples(root: Path) -> Path:
    return root.resolve() / EXAMPLES_DIRNAME


def test_each_root_dir_gets_its_own_examples(db: Database, tmp_path: Path) -> None:
    a = start(db, tmp_path / "lab-a")
    b = start(db, tmp_path / "lab-b")
    assert a.all() == [examples(tmp_path / "lab-a")]
    assert b.all() == [examples(tmp_path / "lab-b")]
    for root in ("lab-a", "lab-b"):
        assert (examples(tmp_path / root) / "tiny_llama" / "meta.yaml").is_file()
        assert (examples(tmp_path / root) / "tiny_char_lm" / "data" / "sonnets.txt").is_file()
    # Restarting either changes nothing.
    assert start(db, tmp_path / "lab-a").all() == a.all()


def test_a_deleted_example_folder_stays_deleted(db: Database, tmp_path: Path) -> None:
    start(db, tmp_path / "lab")
    shutil.rmtree(examples(tmp_path / "lab"))
    again = start(db, tmp_path / "lab")
    assert not examples(tmp_path / "lab").exists()
    # The root is still listed (as missing), as any deleted root would be.
    assert [r.exists for r in again.describe().search_roots] == [False]


def test_a_removed_example_root_stays_removed(db: Database, tmp_path: Path) -> None:
    roots = start(db, tmp_path / "lab")
    roots.remove(str(examples(tmp_path / "lab")))
    assert start(db, tmp_path / "lab").all() == []
    assert examples(tmp_path / "lab").is_dir()  # the folder itself is the user's


def test_an_existing_folder_is_registered_not_overwritten(db: Database, tmp_path: Path) -> None:
    mine = examples(tmp_path / "lab")
    mine.mkdir(parents=True)
    (mine / "notes.txt").write_text("my own\n")
    roots = start(db, tmp_path / "lab")
    assert roots.all() == [mine]
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


def test_seeding_off_seeds_nothing(db: Database, tmp_path: Path) -> None:
    assert start(db, tmp_path / "lab", seed=False).all() == []
    assert not examples(tmp_path / "lab").exists()


def _legacy_database(db: Database, registered: Path | None) -> None:
    """The state a database had when seeding was flagged once per database."""

    def write(conn: Any) -> None:
        conn.execute("INSERT INTO settings (key, value) VALUES (?, '1')", (SEEDED_KEY,))
        if registered is not None:
            conn.execute(
                "INSERT INTO search_roots (path, position, created_at) VALUES (?, 0, ?)",
                (str(registered), time.time()),
            )
        conn.commit()

    db.call(write)


def test_a_database_seeded_before_per_root_flags(db: Database, tmp_path: Path) -> None:
    old = examples(tmp_path / "old")
    shutil.copytree(Path(__file__).parent / "ui", old)  # any content: it must be left alone
    _legacy_database(db, registered=old)
    assert start(db, tmp_path / "old").all() == [old]
    assert not (old / "tiny_llama").exists()  # not re-copied over the user's folder
    # The bug this fixes: a second root_dir with the same state database.
    assert start(db, tmp_path / "new").all() == [examples(tmp_path / "new")]


def test_a_legacy_removed_root_stays_removed(db: Database, tmp_path: Path) -> None:
    kept = examples(tmp_path / "lab")
    kept.mkdir(parents=True)
    _legacy_database(db, registered=None)  # seeded once, then removed by the user
    assert start(db, tmp_path / "lab").all() == []


@pytest.fixture
def forgather_config(state_dir: Path, tmp_path: Path) -> dict[str, Any]:
    # Another JupyterLab (another root_dir) seeded this state directory first.
    other = Database(state_dir / "forgather.db")
    other.open()
    try:
        start(other, tmp_path / "other-lab")
    finally:
        other.close()
    return {"state_dir": str(state_dir)}


async def test_a_second_lab_on_the_same_state_dir_shows_its_examples(api: Any) -> None:
    status, roots = await api("search-roots")
    assert status == 200
    assert [r["lab_path"] for r in roots["search_roots"]] == ["forgather-examples"]
    status, tree = await api("projects")
    names = {p["name"] for ws in tree["workspaces"] for p in ws["projects"]}
    assert {"Tiny Llama", "Tiny char LM", "Hello script"} <= names
