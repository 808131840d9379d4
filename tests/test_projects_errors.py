"""Broken projects answer a clear 4xx naming the file and line, never a 500."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from projects_tree import make_tree, write


@pytest.fixture
def tree(jp_root_dir: Path) -> dict[str, Path]:
    t = make_tree(Path(jp_root_dir).resolve())
    bad = Path(jp_root_dir).resolve() / "ws" / "bad"
    write(bad / "meta.yaml", "name: Bad\ndefault_config: a.yaml\n")
    write(bad / "configs" / "syntax.yaml", "meta:\n  x: 1\n-- if\n")
    write(bad / "configs" / "undefined.yaml", "a: 1\nb: {{ nothing_here.deeper }}\n")
    write(bad / "configs" / "yaml.yaml", "a: 1\nb: [unclosed\nc: 3\n")
    write(bad / "configs" / "missing.yaml", '\n-- include "nowhere.yaml"\n')
    write(bad / "configs" / "listy.yaml", "- 1\n- 2\n")
    write(bad / "configs" / "badjob.yaml", "job: {script: x.py, module: y}\n")
    write(bad / "configs" / "badargs.yaml", "dynamic_args: {x: {type: complex}}\n")
    broken = Path(jp_root_dir).resolve() / "ws" / "broken_meta"
    write(broken / "meta.yaml", "name: [oops\ndescription: x\n")
    return t


@pytest.fixture
def forgather_config(state_dir: Path, tree: dict[str, Path]) -> dict[str, Any]:
    return {"state_dir": str(state_dir), "search_roots": ["."], "seed_examples": False}


async def test_malformed_meta_yaml(api: Any, tree: dict[str, Path]) -> None:
    status, body = await api("projects")
    assert status == 200  # one broken project does not break the listing
    ws = next(w for w in body["workspaces"] if w["name"] == "Main WS")
    rows = {p["path"].rsplit("/", 1)[-1]: p for p in ws["projects"]}
    assert "meta.yaml, line" in rows["broken_meta"]["error"]
    status, reply = await api("project", params={"project_dir": "ws/broken_meta"})
    assert status == 400
    assert "broken_meta/meta.yaml, line 2" in reply["message"]
    assert reply["details"]["line"] == 2


@pytest.mark.parametrize(
    ("config", "file_end", "line", "needle"),
    [
        ("syntax.yaml", "configs/syntax.yaml", 3, "syntax error"),
        ("undefined.yaml", "configs/undefined.yaml", 2, "undefined"),
        ("yaml.yaml", "configs/yaml.yaml (rendered)", 3, "YAML error"),
        ("missing.yaml", "configs/missing.yaml", 2, "'nowhere.yaml' not found"),
        ("listy.yaml", "configs/listy.yaml (rendered)", None, "YAML mapping"),
        ("badjob.yaml", "configs/badjob.yaml", None, "exactly one of"),
        ("badargs.yaml", "configs/badargs.yaml (rendered)", None, "type must be"),
    ],
)
@pytest.mark.parametrize("endpoint", ["pp", "meta", "trefs", "output-dir", "dynamic-args"])
async def test_config_errors_name_file_and_line(
    api: Any, config: str, file_end: str, line: int | None, needle: str, endpoint: str
) -> None:
    status, reply = await api(
        "config", endpoint, params={"project_dir": "ws/bad", "config": config}
    )
    if endpoint != "output-dir" and config == "badjob.yaml":
        assert status == 200  # only the job block is wrong; the other views still work
        return
    assert status == 400, reply
    assert file_end in reply["message"], reply["message"]
    assert needle in reply["message"], reply["message"]
    if line is not None:
        assert f", line {line}:" in reply["message"]
        assert reply["details"]["line"] == line
