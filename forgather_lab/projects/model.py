"""Workspaces and projects as read from disk (``workspace.yaml``, ``meta.yaml``).

The format is described in ``docs/project-format.md``. Parsing errors are
``BadRequest`` whose message names the file and the line, so a typo in a
project never turns into a 500 or a silent omission.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadRequest

WORKSPACE_MARKER = "forgather_workspace"
WORKSPACE_FILE = "workspace.yaml"
META_FILE = "meta.yaml"
CONFIG_SUFFIXES = (".yaml", ".yml")


def load_yaml_file(path: Path) -> Any:
    """Parse a YAML file; a syntax error becomes a 400 naming ``path`` and the line."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:
        raise BadRequest(f"{path} is not UTF-8 text") from e
    return parse_yaml(text, str(path))


def parse_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` with errors rewritten as ``where, line N: problem``."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else None
        problem = " ".join(p for p in (e.context, e.problem) if p)
        src = _line_of(text, line)
        raise BadRequest(
            f"{where}, line {line}: YAML error: {problem}" + (f" (near {src!r})" if src else ""),
            file=where,
            line=line,
        ) from e
    except yaml.YAMLError as e:
        raise BadRequest(f"{where}: YAML error: {e}", file=where) from e


def _line_of(text: str, line: int | None) -> str:
    if line is None:
        return ""
    lines = text.splitlines()
    return lines[line - 1].strip()[:80] if 0 < line <= len(lines) else ""


def _mapping(data: Any, path: Path) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest(f"{path}, line 1: expected a mapping, got {type(data).__name__}")
    return data


def _str_list(value: Any, key: str, path: Path) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise BadRequest(f"{path}: '{key}' must be a list of paths")


@dataclass
class Workspace:
    """A directory holding a ``forgather_workspace/`` marker."""

    root: Path
    name: str
    description: str = ""
    template_paths: list[Path] = field(default_factory=list)

    @property
    def marker(self) -> Path:
        """The ``forgather_workspace/`` directory."""
        return self.root / WORKSPACE_MARKER


def load_workspace(root: Path) -> Workspace:
    """Read a workspace's metadata: workspace.yaml, then README title, then the dir name."""
    marker = root / WORKSPACE_MARKER
    meta_file = marker / WORKSPACE_FILE
    data: dict[str, Any] = {}
    if meta_file.is_file():
        data = _mapping(load_yaml_file(meta_file), meta_file)
    name, description = str(data.get("name") or ""), str(data.get("description") or "")
    if not name or not description:
        title, para = _readme_title(root / "README.md")
        name = name or title or root.name
        description = description or para
    paths = [marker / "templates"]
    paths += [root / p for p in _str_list(data.get("template_paths"), "template_paths", meta_file)]
    return Workspace(root=root, name=name, description=description, template_paths=paths)


def _readme_title(readme: Path) -> tuple[str, str]:
    """The first ``# heading`` and first paragraph of a README (empty when absent)."""
    try:
        lines = readme.read_text(encoding="utf-8", errors="replace").splitlines()[:60]
    except OSError:
        return "", ""
    title, para = "", []
    for line in lines:
        stripped = line.strip()
        if not title and stripped.startswith("# "):
            title = stripped[2:].strip()
        elif title and stripped and not stripped.startswith("#"):
            para.append(stripped)
        elif title and para:
            break
    return title, " ".join(para)


@dataclass
class Project:
    """A directory with a ``meta.yaml``."""

    root: Path
    name: str
    description: str = ""
    config_prefix: str = "configs"
    default_config: str | None = None
    template_paths: list[Path] = field(default_factory=list)

    @property
    def configs_dir(self) -> Path:
        """Where the project's configs live."""
        return self.root / self.config_prefix

    def config_names(self) -> list[str]:
        """Config files under ``configs_dir`` (relative, POSIX, sorted; subdirs allowed)."""
        out: list[str] = []
        base = self.configs_dir
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            rel = Path(dirpath).relative_to(base)
            out += [
                (rel / f).as_posix()
                for f in filenames
                if f.endswith(CONFIG_SUFFIXES) and not f.startswith(".")
            ]
        return sorted(out)


def load_project(root: Path) -> Project:
    """Read ``meta.yaml``; a malformed one is a 400 naming the file and line."""
    meta_file = root / META_FILE
    data = _mapping(load_yaml_file(meta_file), meta_file)
    prefix = data.get("config_prefix", "configs")
    if not isinstance(prefix, str) or not prefix or ".." in Path(prefix).parts:
        raise BadRequest(f"{meta_file}: 'config_prefix' must be a relative directory name")
    default = data.get("default_config")
    if default is not None and not isinstance(default, str):
        raise BadRequest(f"{meta_file}: 'default_config' must be a file name")
    templates = _str_list(data.get("template_paths", ["templates"]), "template_paths", meta_file)
    return Project(
        root=root,
        name=str(data.get("name") or root.name),
        description=str(data.get("description") or ""),
        config_prefix=prefix.strip("/"),
        default_config=default,
        template_paths=[(root / p) for p in templates],
    )
