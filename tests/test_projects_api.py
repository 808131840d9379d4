"""Projects over HTTP against a real server: discovery, inspection, overrides, creation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from projects_tree import make_tree


@pytest.fixture
def tree(jp_root_dir: Path) -> dict[str, Path]:
    return make_tree(Path(jp_root_dir).resolve())


@pytest.fixture
def forgather_config(state_dir: Path, tree: dict[str, Path]) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 2,
        "search_roots": ["."],
        "seed_examples": False,
    }


def _names(projects: list[dict[str, Any]]) -> list[str]:
    return [p["name"] for p in projects]


async def test_discovery_clusters_nests_and_prunes(api: Any, tree: dict[str, Path]) -> None:
    status, body = await api("projects")
    assert status == 200
    tops = {w["name"]: w for w in body["workspaces"]}
    assert set(tops) == {"Main WS", "Empty"}
    main = tops["Main WS"]
    assert _names(main["projects"]) == ["Alpha"]
    assert main["projects"][0]["configs"] == ["main.yaml", "sub/other.yaml"]
    assert [w["name"] for w in main["workspaces"]] == ["Inner"]
    assert _names(main["workspaces"][0]["projects"]) == ["Beta"]
    assert tops["Empty"]["projects"] == []
    assert tops["Empty"]["workspaces"] == []
    # Hidden, node_modules, __pycache__, .git and output_models are never walked.
    assert _names(body["unaffiliated"]) == ["Loose"]
    assert main["lab_path"] == "ws"


async def test_project_detail_readme_templates(api: Any, tree: dict[str, Path]) -> None:
    status, body = await api("project", params={"project_dir": "ws/alpha"})
    assert status == 200, body
    assert body["name"] == "Alpha"
    assert body["workspace"] == str(tree["ws"])
    assert body["template_paths"][-1] == str(tree["alpha"])
    status, readme = await api("project", "readme", params={"project_dir": "ws/alpha"})
    assert readme["markdown"].startswith("# Alpha")
    assert readme["lab_path"] == "ws/alpha/README.md"
    status, groups = await api("project", "templates", params={"project_dir": "ws/alpha"})
    by = {g["group"]: [t["name"] for t in g["templates"]] for g in groups["groups"]}
    assert by["Meta"] == ["meta.yaml"]
    assert by["Configs"] == ["configs/main.yaml", "configs/sub/other.yaml"]
    assert "base.yaml" in by["Workspace Templates"]
    status, paths = await api("project", "template-paths", params={"project_dir": "ws/alpha"})
    assert paths["configs_dir"] == str(tree["alpha"] / "configs")


async def test_rendering_meta_trefs_and_overrides(api: Any, tree: dict[str, Path]) -> None:
    q = {"project_dir": str(tree["alpha"]), "config": "main.yaml"}
    status, meta = await api("config", "meta", params=q)
    assert status == 200, meta
    assert meta["config_name"] == "Main config"
    assert meta["config_class"] == "type.training_script"
    status, pp = await api("config", "pp", params=q)
    assert "trainer: plain" in pp["yaml"]
    assert pp["values"]["steps"] == 10
    status, graph = await api("config", "trefs", params=q)
    edges = {(e["source"], e["target"], e["kind"]) for e in graph["edges"]}
    assert ("configs/main.yaml", "base.yaml", "extends") in edges
    assert ("base.yaml", "plain_trainer.yaml", "include") in edges
    status, dot = await api("config", "trefs", params={**q, "format": "dot"})
    assert '"configs/main.yaml" -> "base.yaml"' in dot["dot"]
    status, args = await api("config", "dynamic-args", params=q)
    specs = {a["name"]: a for a in args["args"]}
    assert specs["trainer"]["choices"] == ["plain", "fancy"]
    assert specs["fast"]["action"] == "store_true"
    assert specs["fast"]["default"] is False

    # Overrides persist and apply to pp, trefs, meta and output-dir.
    body = {**q, "values": {"trainer": "fancy", "steps": "25", "fast": True}}
    status, saved = await api("config", "overrides", method="POST", json_body=body)
    assert status == 200, saved
    status, pp = await api("config", "pp", params=q)
    assert "trainer: fancy" in pp["yaml"]
    assert pp["values"]["steps"] == 25
    status, graph = await api("config", "trefs", params=q)
    assert "fancy_trainer.yaml" in {n["id"] for n in graph["nodes"]}
    status, out = await api("config", "output-dir", params=q)
    assert out["job"]["args"] == ["--steps", "25", "--fast"]
    assert out["output_dir"] == str(tree["alpha"] / "output_models" / "main")
    assert out["exists"] is False
    status, got = await api("config", "overrides", params=q)
    assert got["values"]["trainer"] == "fancy"
    status, cleared = await api("config", "overrides", method="DELETE", params=q)
    assert status == 200
    assert cleared["values"] == {}
    status, pp = await api("config", "pp", params=q)
    assert "trainer: plain" in pp["yaml"]


@pytest.mark.parametrize(
    ("values", "needle"),
    [
        ({"trainer": "bogus"}, "must be one of"),
        ({"steps": "many"}, "expects int"),
        ({"nope": 1}, "unknown dynamic args"),
    ],
)
async def test_bad_overrides_are_400(
    api: Any, tree: dict[str, Path], values: dict[str, Any], needle: str
) -> None:
    body = {"project_dir": str(tree["alpha"]), "config": "main.yaml", "values": values}
    status, reply = await api("config", "overrides", method="POST", json_body=body)
    assert status == 400, reply
    assert needle in reply["message"]


async def test_default_config_raw_templates_and_module_job(api: Any, tree: dict[str, Path]) -> None:
    status, raw = await api("config", "raw", params={"project_dir": "ws/alpha"})
    assert status == 200
    assert raw["config"] == "main.yaml"
    assert "extends" in raw["content"]
    status, used = await api("config", "templates", params={"project_dir": "ws/alpha"})
    assert [t["name"] for t in used["templates"]][:2] == ["configs/main.yaml", "base.yaml"]
    status, out = await api("config", "output-dir", params={"project_dir": "ws/inner/beta"})
    assert out["job"]["module"] == "json.tool"
    assert out["job"]["argv"][1:3] == ["-m", "json.tool"]
    status, _ = await api("config", "meta", params={"project_dir": "ws/alpha", "config": "x.yaml"})
    assert status == 404


async def test_template_source_roundtrip_and_conflict(api: Any, tree: dict[str, Path]) -> None:
    path = str(tree["alpha"] / "configs" / "main.yaml")
    status, src = await api("template", "source", params={"path": path})
    assert status == 200
    assert src["lab_path"] == "ws/alpha/configs/main.yaml"
    mtime = src["mtime"]
    body = {"path": path, "content": src["content"] + "## edited\n", "expected_mtime": mtime}
    status, saved = await api("template", "source", method="PUT", json_body=body)
    assert status == 200
    assert saved["mtime"] >= mtime
    # A second save with the stale mtime is a conflict that says both times.
    status, reply = await api(
        "template", "source", method="PUT", json_body={**body, "content": "x"}
    )
    assert status == 409
    assert reply["details"]["expected_mtime"] == mtime
    assert reply["details"]["current_mtime"] == saved["mtime"]
    assert Path(path).read_text().endswith("## edited\n")
    (tree["alpha"] / "blob.bin").write_bytes(b"\x00\x01\x02")
    status, reply = await api(
        "template", "source", params={"path": str(tree["alpha"] / "blob.bin")}
    )
    assert status == 415


async def test_search_roots_add_remove_and_outside(
    api: Any, tree: dict[str, Path], tmp_path: Path
) -> None:
    status, body = await api("search-roots")
    assert [r["source"] for r in body["search_roots"]] == ["config"]
    status, body = await api(
        "search-roots", method="POST", json_body={"path": "made", "create": True}
    )
    assert status == 201, body
    assert body["search_roots"][-1]["lab_path"] == "made"
    status, body = await api("search-roots", method="DELETE", params={"path": "made"})
    assert status == 200
    assert len(body["search_roots"]) == 1
    status, body = await api("search-roots", method="DELETE", params={"path": "."})
    assert status == 403
    status, body = await api("search-roots", method="POST", json_body={"path": str(tmp_path)})
    assert status == 403
    assert "root_dir" in body["message"]


async def test_create_workspace_project_template_and_delete(
    api: Any, tree: dict[str, Path], jp_root_dir: Path
) -> None:
    root = Path(jp_root_dir).resolve()
    status, ws = await api(
        "workspace",
        "new",
        method="POST",
        json_body={"parent_dir": str(root), "name": "My Space", "description": "d"},
    )
    assert status == 201, ws
    assert ws["workspace_dir"] == str(root / "my_space")
    status, _again = await api(
        "workspace", "new", method="POST", json_body={"parent_dir": str(root), "name": "My Space"}
    )
    assert status == 409
    status, proj = await api(
        "workspace",
        "new-project",
        method="POST",
        json_body={"workspace_dir": ws["workspace_dir"], "name": "Proj", "project_dir_name": "a/b"},
    )
    assert status == 201, proj
    status, meta = await api("config", "meta", params={"project_dir": proj["project_dir"]})
    assert status == 200
    assert meta["config_name"] == "Proj"
    status, made = await api(
        "project",
        "new-template",
        method="POST",
        json_body={"project_dir": proj["project_dir"], "kind": "template", "name": "x/y"},
    )
    assert status == 201
    assert made["path"].endswith("templates/x/y.yaml")
    status, _here = await api(
        "workspace",
        "init-here",
        method="POST",
        json_body={"workspace_dir": "loose", "name": "Now a workspace"},
    )
    assert status == 201
    status, body = await api("projects")
    assert "Now a workspace" in [w["name"] for w in body["workspaces"]]
    # Delete needs confirmation, then removes the tree.
    target = {"path": ws["workspace_dir"]}
    status, _ = await api("fs", "delete-dir", method="POST", json_body=target)
    assert status == 400
    status, _ = await api(
        "fs", "delete-dir", method="POST", json_body={**target, "confirmed": True}
    )
    assert status == 200
    assert not Path(ws["workspace_dir"]).exists()
    cfg: dict[str, Any] = {
        "path": str(tree["alpha"] / "configs" / "sub" / "other.yaml"),
        "confirmed": True,
    }
    status, _ = await api("fs", "delete-file", method="POST", json_body=cfg)
    assert status == 200
    assert not Path(cfg["path"]).exists()
    status, _reply = await api(
        "fs", "delete-dir", method="POST", json_body={**cfg, "path": str(root)}
    )
    assert status == 403
