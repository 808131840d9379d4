"""Create workspaces, projects and templates on disk (never overwriting).

Pure file work with no notion of search roots: ``workspace.py`` checks the
client's paths first, then calls these.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

import yaml

from ..errors import BadRequest, Conflict, NotFound
from .model import META_FILE, WORKSPACE_FILE, WORKSPACE_MARKER
from .paths import child_path


def atomic_write_text(path: Path, text: str) -> None:
    """Write via a temporary file in the same directory, fsync, then rename,
    so a crash leaves either the old or the new content, never half of it."""
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def slugify(name: str) -> str:
    """A directory name from a display name (the Forgather CLI's rule:
    spaces to ``_``, lower case, dots and other punctuation dropped)."""
    slug = re.sub(r"[^a-z0-9_\-]", "", name.strip().lower().replace(" ", "_"))
    if not slug:
        raise BadRequest(f"Cannot make a directory name from {name!r}; give one explicitly")
    return slug


def _dump(data: Mapping[str, object]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def init_workspace(workspace_dir: Path, name: str, description: str) -> Path:
    """Write ``forgather_workspace/`` into an existing directory."""
    if not workspace_dir.is_dir():
        raise NotFound(f"{workspace_dir} is not a directory")
    marker = workspace_dir / WORKSPACE_MARKER
    if marker.exists():
        raise Conflict(f"{workspace_dir} is already a workspace ({marker} exists)")
    (marker / "templates").mkdir(parents=True)
    (marker / WORKSPACE_FILE).write_text(
        _dump({"name": name, "description": description, "template_paths": []}),
        encoding="utf-8",
    )
    return workspace_dir


def new_workspace(
    parent_dir: Path, name: str, description: str, workspace_dir_name: str | None
) -> Path:
    """Create ``parent_dir/<dir name>`` (nested names allowed) as a workspace."""
    target = child_path(parent_dir, workspace_dir_name or slugify(name), "workspace_dir_name")
    if (target / WORKSPACE_MARKER).exists():
        raise Conflict(f"{target} is already a workspace")
    target.mkdir(parents=True, exist_ok=True)
    return init_workspace(target, name, description)


STARTER_CONFIG = """\
## {name}: a starting point. Lines starting with '##' are comments;
## '-- extends "x.yaml"' and '-- block name' are Jinja line statements.
meta:
  config_name: {title}
  config_description: ""
  config_class: type.training_script

dynamic_args:
  steps: {{type: int, default: 100, help: "How many steps to run"}}

job:
  script: train.py
  args: ["--steps", "{{{{ steps }}}}", "--output-dir", "output_models/{{{{ config_stem }}}}"]
  output_dir: output_models/{{{{ config_stem }}}}
"""


def new_project(
    workspace_dir: Path,
    name: str,
    description: str,
    config_prefix: str,
    default_config: str,
    project_dir_name: str | None,
) -> Path:
    """Create a project (meta.yaml, README, templates/, a starter config)."""
    if not (workspace_dir / WORKSPACE_MARKER).is_dir():
        raise BadRequest(f"{workspace_dir} is not a workspace (no {WORKSPACE_MARKER}/)")
    target = child_path(workspace_dir, project_dir_name or slugify(name), "project_dir_name")
    if (target / META_FILE).exists():
        raise Conflict(f"{target} is already a project")
    child_path(target, config_prefix, "config_prefix")
    default_config = _yaml_name(default_config)
    target.mkdir(parents=True, exist_ok=True)
    (target / "templates").mkdir(exist_ok=True)
    configs = target / config_prefix
    configs.mkdir(parents=True, exist_ok=True)
    meta = {
        "name": name,
        "description": description,
        "config_prefix": config_prefix,
        "default_config": default_config,
        "template_paths": ["templates"],
    }
    (target / META_FILE).write_text(_dump(meta), encoding="utf-8")
    readme = target / "README.md"
    if not readme.exists():
        readme.write_text(f"# {name}\n\n{description}\n", encoding="utf-8")
    config_file = configs / default_config
    if not config_file.exists():
        config_file.write_text(
            STARTER_CONFIG.format(name=default_config, title=name), encoding="utf-8"
        )
    return target


def _yaml_name(name: str) -> str:
    return name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"


def new_template(base: Path, name: str, config_title: str | None) -> Path:
    """Create an empty template (or a starter config) at ``base/name``; ``.yaml``
    is appended when missing and nested names create their directories."""
    target = child_path(base, _yaml_name(name), "name")
    if target.exists():
        raise Conflict(f"{target} already exists")
    target.parent.mkdir(parents=True, exist_ok=True)
    text = ""
    if config_title is not None:
        text = STARTER_CONFIG.format(name=target.name, title=config_title)
    with target.open("x", encoding="utf-8") as f:  # "x": never overwrite, even racing
        f.write(text)
    return target
