"""Every endpoint that takes a path refuses '..' (400) and escapes, symlinks included (403)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from projects_tree import make_tree


@pytest.fixture
def tree(jp_root_dir: Path, tmp_path: Path) -> dict[str, Path]:
    root = Path(jp_root_dir).resolve()
    t = make_tree(root)
    outside = tmp_path / "outside"
    (outside / "configs").mkdir(parents=True)
    (outside / "meta.yaml").write_text("name: Outside\n")
    (outside / "secret.txt").write_text("secret\n")
    os.symlink(outside, t["alpha"] / "link_out")
    os.symlink(outside / "secret.txt", t["alpha"] / "configs" / "secret.yaml")
    t["outside"] = outside
    return t


@pytest.fixture
def forgather_config(state_dir: Path, tree: dict[str, Path]) -> dict[str, Any]:
    return {"state_dir": str(state_dir), "search_roots": ["ws"], "seed_examples": False}


def _escapes(t: dict[str, Path]) -> list[tuple[str, int]]:
    return [
        ("ws/alpha/../../loose", 400),
        (str(t["loose"]), 403),  # outside the one search root
        (str(t["outside"]), 403),
        (str(t["alpha"] / "link_out"), 403),  # a symlink leaving the roots
        ("/etc", 403),
    ]


GETS = [
    ("project", "project_dir"),
    ("project/readme", "project_dir"),
    ("project/templates", "project_dir"),
    ("project/template-paths", "project_dir"),
    ("project/models", "project_dir"),
    ("config/raw", "project_dir"),
    ("config/pp", "project_dir"),
    ("config/trefs", "project_dir"),
    ("config/templates", "project_dir"),
    ("config/meta", "project_dir"),
    ("config/output-dir", "project_dir"),
    ("config/dynamic-args", "project_dir"),
    ("config/overrides", "project_dir"),
    ("template/source", "path"),
    ("model/runs", "output_dir"),
    ("model/checkpoints", "output_dir"),
    ("model/evaluations", "output_dir"),
    ("run/summary", "run_dir"),
    ("run/tty", "run_dir"),
]


@pytest.mark.parametrize(("endpoint", "param"), GETS)
async def test_get_endpoints_refuse_escapes(
    api: Any, tree: dict[str, Path], endpoint: str, param: str
) -> None:
    for value, expected in _escapes(tree):
        status, reply = await api(*endpoint.split("/"), params={param: value})
        assert status == expected, (endpoint, value, status, reply)
        assert reply["message"]


async def test_config_name_and_asset_escapes(api: Any, tree: dict[str, Path]) -> None:
    q = {"project_dir": "ws/alpha"}
    for config, expected in [("../meta.yaml", 400), ("secret.yaml", 403)]:
        status, _ = await api("config", "raw", params={**q, "config": config})
        assert status == expected, config
    for asset, expected in [
        ("../beta/meta.yaml", 400),
        ("link_out/secret.txt", 403),
        ("/etc/passwd", 403),
        ("img/pic.png", 200),
    ]:
        status, _ = await api("project", "asset", params={**q, "asset": asset})
        assert status == expected, asset


async def test_write_endpoints_refuse_escapes(api: Any, tree: dict[str, Path]) -> None:
    secret = tree["outside"] / "secret.txt"
    cases = [
        ("template/source", "PUT", {"path": str(secret), "content": "x"}, 403),
        ("template/source", "PUT", {"path": "ws/alpha/../../x", "content": "x"}, 400),
        ("fs/delete-file", "POST", {"path": str(secret), "confirmed": True}, 403),
        (
            "fs/delete-dir",
            "POST",
            {"path": str(tree["alpha"] / "link_out"), "confirmed": True},
            400,
        ),
        ("fs/delete-dir", "POST", {"path": "/etc", "confirmed": True}, 403),
        ("fs/delete-dir", "POST", {"path": "ws/alpha", "confirmed": True}, 400),
        ("fs/delete-dir", "POST", {"path": str(tree["ws"]), "confirmed": True}, 403),
        ("workspace/init-here", "POST", {"workspace_dir": str(tree["outside"]), "name": "x"}, 403),
        (
            "workspace/new",
            "POST",
            {"parent_dir": str(tree["ws"]), "name": "x", "workspace_dir_name": "../x"},
            400,
        ),
        (
            "workspace/new-project",
            "POST",
            {"workspace_dir": str(tree["ws"]), "name": "x", "project_dir_name": "../../x"},
            400,
        ),
        (
            "project/new-template",
            "POST",
            {"project_dir": "ws/alpha", "kind": "config", "name": "../../evil"},
            400,
        ),
        (
            "project/new-template",
            "POST",
            {"project_dir": "ws/alpha", "kind": "template", "name": "/abs/evil"},
            400,
        ),
        ("search-roots", "POST", {"path": "ws/../.."}, 400),
    ]
    for endpoint, method, body, expected in cases:
        status, reply = await api(*endpoint.split("/"), method=method, json_body=body)
        assert status == expected, (endpoint, body, status, reply)
    assert secret.read_text() == "secret\n"
    assert tree["alpha"].exists()
    assert tree["outside"].exists()


async def test_assets_carry_their_own_content_type(jp_fetch: Any, tree: dict[str, Path]) -> None:
    # With nosniff, a browser renders an SVG only if it is labelled as one.
    (tree["alpha"] / "img" / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>'
    )
    for asset, kind in [("img/logo.svg", "image/svg+xml"), ("img/pic.png", "image/png")]:
        response = await jp_fetch(
            "forgather",
            "api",
            "project",
            "asset",
            params={"project_dir": "ws/alpha", "asset": asset},
        )
        assert response.headers["Content-Type"] == kind
        assert response.headers["X-Content-Type-Options"] == "nosniff"
