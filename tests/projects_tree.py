"""A small project tree on disk for the projects tests (plain files, no mocks)."""

from __future__ import annotations

from pathlib import Path

from forgather_lab.projects import ProjectsService, ProjectsSettings
from forgather_lab.store import Database

TEMPLATE_BASE = """\
## base template
-- block meta
meta:
  config_name: {{ config_stem }}
  config_class: type.training_script
-- endblock
dynamic_args:
-- block dynamic_args
  steps: {type: int, default: 10, help: "steps"}
  trainer: {type: str, default: plain, choices: [plain, fancy]}
  fast: {action: store_true}
-- endblock
-- include trainer ~ "_trainer.yaml"
job:
  script: run.py
  args: {steps: "{{ steps }}", fast: {{ fast | lower }}}
  output_dir: output_models/{{ config_stem }}
"""

CONFIG = """\
-- extends "base.yaml"
-- block meta
meta:
  config_name: Main config
  config_description: the main one
  config_class: type.training_script
-- endblock
"""


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_tree(root: Path) -> dict[str, Path]:
    """root/ws (workspace) with projects alpha and ws/inner (nested workspace) with beta,
    an empty workspace, a loose project, and directories discovery must prune."""
    ws = root / "ws"
    write(ws / "forgather_workspace" / "workspace.yaml", "name: Main WS\ndescription: d\n")
    write(ws / "forgather_workspace" / "templates" / "base.yaml", TEMPLATE_BASE)
    write(ws / "forgather_workspace" / "templates" / "plain_trainer.yaml", "trainer: plain\n")
    write(ws / "forgather_workspace" / "templates" / "fancy_trainer.yaml", "trainer: fancy\n")
    alpha = ws / "alpha"
    write(
        alpha / "meta.yaml",
        "name: Alpha\ndescription: first\ndefault_config: main.yaml\n",
    )
    write(alpha / "README.md", "# Alpha\n\n![pic](img/pic.png)\n")
    write(alpha / "img" / "pic.png", "\x89PNG fake")
    write(alpha / "configs" / "main.yaml", CONFIG)
    write(alpha / "configs" / "sub" / "other.yaml", '-- extends "base.yaml"\n')
    write(alpha / "run.py", "print('hi')\n")
    inner = ws / "inner"
    write(inner / "forgather_workspace" / "workspace.yaml", "name: Inner\n")
    beta = inner / "beta"
    write(beta / "meta.yaml", "name: Beta\ndefault_config: b.yaml\n")
    write(beta / "configs" / "b.yaml", 'meta: {config_name: B}\njob: {module: "json.tool"}\n')
    empty = root / "empty_ws"
    write(empty / "forgather_workspace" / "workspace.yaml", "name: Empty\n")
    loose = root / "loose"
    write(loose / "meta.yaml", "name: Loose\ndefault_config: c.yaml\n")
    write(loose / "configs" / "c.yaml", "meta: {config_name: C}\n")
    for pruned in (".hidden", "node_modules", "__pycache__", ".git", "alpha_out/output_models"):
        write(root / pruned / "p" / "meta.yaml", "name: Pruned\n")
    return {"ws": ws, "alpha": alpha, "beta": beta, "inner": inner, "empty": empty, "loose": loose}


def open_service(
    root: Path, db_file: Path, state_dir: Path | None = None, roots: list[Path] | None = None
) -> tuple[ProjectsService, Database]:
    """A ``ProjectsService`` over ``root`` (root_dir, and the one search root unless
    ``roots`` are given) on a fresh database; close the database when done."""
    db = Database(db_file)
    db.open()
    settings = ProjectsSettings(
        root_dir=root,
        config_roots=roots or [root],
        seed_examples=False,
        state_dir=state_dir or db_file.parent,
    )
    service = ProjectsService(db, settings)
    service.open()
    return service, db
