"""The guarded deletes: never the live state directory, and only what the Lab's tree deletes.

Closes the probe's "``POST /fs/delete-dir`` deletes the live state directory":
with the state directory inside a search root the server went on
acknowledging jobs into an unlinked database. The state directory, its
parents and its children are refused (real paths compared, so naming the
state directory through a symlink changes nothing), and deletion is limited
to what the Lab offers: Clean Output, a run / checkpoint / evaluation, a
project, a workspace, a config file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from projects_tree import make_tree, open_service, write

from forgather_lab.errors import ForgatherError
from forgather_lab.projects import ProjectsService

KEEPER_CONFIG = "job: {script: run.py}\n"
FAR_CONFIG = "job: {script: run.py, output_dir: ../../far_out/x}\n"


def make_state_tree(root: Path) -> dict[str, Path]:
    """make_tree, plus a project ``keeper`` holding the state directory, outputs on disk,
    and a config whose output_dir lies outside its project."""
    tree = make_tree(root)
    keeper = tree["ws"] / "keeper"
    write(keeper / "meta.yaml", "name: Keeper\ndefault_config: k.yaml\n")
    write(keeper / "configs" / "k.yaml", KEEPER_CONFIG)
    write(tree["alpha"] / "configs" / "far.yaml", FAR_CONFIG)
    out = tree["alpha"] / "output_models" / "main"
    for d in ("runs/r1/sub", "checkpoints/step-1", "evaluations/e1"):
        (out / d).mkdir(parents=True)
    write(out / "runs" / "r1" / "tty.log", "log\n")
    (root / "far_out" / "x" / "runs").mkdir(parents=True)
    return {**tree, "keeper": keeper, "state": keeper / "state", "out": out}


@pytest.fixture(params=["real", "symlink"])
def env(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, Any]]:
    root = (tmp_path / "root").resolve()
    tree = make_state_tree(root)
    named = tree["state"]
    if request.param == "symlink":  # the operator named the state dir through a link
        named = tmp_path / "state-link"
        tree["state"].mkdir()
        os.symlink(tree["state"], named)
    service, db = open_service(root, named / "forgather.db", state_dir=named)
    (tree["state"] / "jobs" / "j1").mkdir(parents=True)
    try:
        yield {"service": service, "root": root, **tree}
    finally:
        db.close()


def refused(fn: Any, path: Path, status: int, reason: str | None = None) -> None:
    with pytest.raises(ForgatherError) as info:
        fn(str(path), True)
    assert info.value.status == status, info.value.message
    if reason:
        assert info.value.reason == reason, info.value.message
    assert os.path.lexists(path)


def test_the_state_directory_its_parents_and_children_are_refused(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    state: Path = env["state"]
    for path in (state, state / "jobs", state / "jobs" / "j1", env["keeper"], env["ws"]):
        refused(service.workspace.delete_dir, path, 403, "state_dir")
    refused(service.workspace.delete_file, state / "forgather.db", 403, "state_dir")
    assert (state / "forgather.db").is_file()
    assert service.catalog.tree().workspaces  # the state database still answers


def test_a_link_to_the_state_directory_is_refused_as_a_link(env: dict[str, Any]) -> None:
    os.symlink(env["state"], env["ws"] / "state-here")
    refused(env["service"].workspace.delete_dir, env["ws"] / "state-here", 400)


def test_what_the_lab_deletes_is_deleted(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    out: Path = env["out"]
    for item in ("runs/r1", "checkpoints/step-1", "evaluations/e1"):
        service.workspace.delete_dir(str(out / item), True)  # Delete Permanently on an item
        assert not (out / item).exists()
    service.workspace.delete_dir(str(out), True)  # Clean Output
    assert not out.exists()
    far = env["root"] / "far_out" / "x"  # an output_dir outside its project
    service.workspace.delete_dir(str(far), True)
    assert not far.exists()
    config = env["alpha"] / "configs" / "sub" / "other.yaml"
    service.workspace.delete_file(str(config), True)
    assert not config.exists()
    service.workspace.delete_dir(str(env["beta"]), True)  # a project
    service.workspace.delete_dir(str(env["empty"]), True)  # a workspace
    assert not env["beta"].exists()
    assert not env["empty"].exists()


def test_stored_overrides_decide_the_output_directory(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    alpha: Path = env["alpha"]
    write(
        alpha / "configs" / "dyn.yaml",
        "dynamic_args: {out: {default: a}}\njob: {script: run.py, output_dir: 'o/{{ out }}'}\n",
    )
    (alpha / "o" / "a").mkdir(parents=True)
    (alpha / "o" / "b").mkdir(parents=True)
    refused(service.workspace.delete_dir, alpha / "o" / "b", 403, "not_deletable")
    service.configs.set_overrides(str(alpha), "dyn.yaml", {"out": "b"})
    service.workspace.delete_dir(str(alpha / "o" / "b"), True)  # what the Lab shows now
    assert not (alpha / "o" / "b").exists()


@pytest.mark.parametrize(
    "rel",
    [
        "ws/alpha/img",
        "ws/forgather_workspace/templates",
        "ws/alpha/output_models/main/runs",  # the group itself is not offered
        "ws/alpha/output_models/main/runs/r1/sub",
        "ws/alpha/configs",
        "alpha_out",
        "far_out",
    ],
)
def test_other_directories_are_refused_naming_the_rule(env: dict[str, Any], rel: str) -> None:
    with pytest.raises(ForgatherError) as info:
        env["service"].workspace.delete_dir(str(env["root"] / rel), True)
    assert info.value.status == 403
    assert info.value.reason == "not_deletable"
    assert "deletes only" in info.value.message
    assert (env["root"] / rel).is_dir()


@pytest.mark.parametrize(
    "rel",
    [
        "ws/alpha/README.md",
        "ws/alpha/meta.yaml",
        "ws/alpha/run.py",
        "ws/forgather_workspace/templates/base.yaml",
        "ws/forgather_workspace/workspace.yaml",
        "ws/alpha/output_models/main/runs/r1/tty.log",
    ],
)
def test_other_files_are_refused_naming_the_rule(env: dict[str, Any], rel: str) -> None:
    with pytest.raises(ForgatherError) as info:
        env["service"].workspace.delete_file(str(env["root"] / rel), True)
    assert info.value.status == 403
    assert info.value.reason == "not_deletable"
    assert "deletes only" in info.value.message
    assert (env["root"] / rel).is_file()


# -- over HTTP, with the state directory inside the search root ---------------------


@pytest.fixture
def tree(jp_root_dir: Path) -> dict[str, Path]:
    return make_state_tree(Path(jp_root_dir).resolve())


@pytest.fixture
def forgather_config(tree: dict[str, Path], tmp_path: Path) -> dict[str, Any]:
    link = tmp_path / "state-link"
    tree["state"].mkdir()
    os.symlink(tree["state"], link)
    return {"state_dir": str(link), "search_roots": ["."], "seed_examples": False}


async def test_http_refuses_the_state_directory_and_keeps_serving(
    api: Any, tree: dict[str, Path]
) -> None:
    for path in (tree["state"], tree["keeper"], tree["ws"]):
        status, reply = await api(
            "fs", "delete-dir", method="POST", json_body={"path": str(path), "confirmed": True}
        )
        assert status == 403, reply
        assert reply["reason"] == "state_dir"
        assert "state directory" in reply["message"]
    status, reply = await api(
        "fs",
        "delete-dir",
        method="POST",
        json_body={"path": str(tree["alpha"] / "img"), "confirmed": True},
    )
    assert status == 403
    assert reply["reason"] == "not_deletable"
    assert (tree["state"] / "forgather.db").is_file()
    status, _ = await api("jobs")
    assert status == 200
    status, reply = await api(
        "fs", "delete-dir", method="POST", json_body={"path": str(tree["out"]), "confirmed": True}
    )
    assert status == 200, reply  # Clean Output still works
    assert not tree["out"].exists()
