"""Workspaces and projects as read from disk (``workspace.yaml``, ``meta.yaml``).

The format is described in ``docs/project-format.md``. Parsing errors are
``BadRequest`` whose message names the file and the line, so a typo in a
project never turns into a 500 or a silent omission.

Both loaders take the search roots: the files are read with
``reads.open_inside`` (a ``meta.yaml`` that links outside is refused, not
read), and every directory the metadata points at (``config_prefix``,
``template_paths``) must resolve inside the roots, or the file is refused
with a 400 naming it and the entry, so a ``template_paths: ["/"]`` can never
make a listing walk the whole filesystem.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import BadRequest
from .paths import is_within
from .reads import read_text_capped, read_text_or_none

WORKSPACE_MARKER = "forgather_workspace"
WORKSPACE_FILE = "workspace.yaml"
META_FILE = "meta.yaml"
CONFIG_SUFFIXES = (".yaml", ".yml")


def load_yaml_file(path: Path, roots: Sequence[Path]) -> Any:
    """Parse a YAML file inside ``roots``; a syntax error becomes a 400 naming
    ``path`` and the line (a file leading outside the roots is a 403, unread)."""
    return parse_yaml(read_text_capped(path, roots, what="metadata file"), str(path))


#: libyaml's safe loader when PyYAML was built with it: the same documents,
#: several times faster (a sweep resolves its config once per point).
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str, where: str) -> Any:
    """``yaml.safe_load`` with errors rewritten as ``where, line N: problem``."""
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506 - a safe loader
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


def _dirs_inside(
    base: Path, entries: list[str], key: str, path: Path, roots: Sequence[Path]
) -> list[Path]:
    """``base / entry`` for each entry, refusing any whose real path leaves ``roots``.

    Absolute entries and ``..`` are allowed as long as the resolved directory
    (symlinks followed; it need not exist yet) stays inside a search root.
    """
    out = []
    for entry in entries:
        if not entry or "\x00" in entry:
            raise BadRequest(f"{path}: '{key}' holds an empty path or a NUL byte", file=str(path))
        target = base / entry
        real = Path(os.path.realpath(target))
        if not any(is_within(real, r) for r in roots):
            raise BadRequest(
                f"{path}: '{key}' entry {entry!r} resolves outside the project search roots",
                file=str(path),
            )
        out.append(Path(os.path.normpath(target)))
    return out


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


def load_workspace(root: Path, roots: Sequence[Path]) -> Workspace:
    """Read a workspace's metadata: workspace.yaml, then README title, then the dir name."""
    marker = root / WORKSPACE_MARKER
    meta_file = marker / WORKSPACE_FILE
    data: dict[str, Any] = {}
    if meta_file.is_file():
        data = _mapping(load_yaml_file(meta_file, roots), meta_file)
    name, description = str(data.get("name") or ""), str(data.get("description") or "")
    if not name or not description:
        title, para = _readme_title(root / "README.md", roots)
        name = name or title or root.name
        description = description or para
    entries = [f"{WORKSPACE_MARKER}/templates"]
    entries += _str_list(data.get("template_paths"), "template_paths", meta_file)
    paths = _dirs_inside(root, entries, "template_paths", meta_file, roots)
    return Workspace(root=root, name=name, description=description, template_paths=paths)


def _readme_title(readme: Path, roots: Sequence[Path]) -> tuple[str, str]:
    """The first ``# heading`` and first paragraph of a README (empty when absent,
    unreadable, or leading outside the roots)."""
    text = read_text_or_none(readme, roots) if readme.is_file() else None
    if text is None:
        return "", ""
    lines = text.splitlines()[:60]
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


def load_project(root: Path, roots: Sequence[Path]) -> Project:
    """Read ``meta.yaml``; a malformed one is a 400 naming the file and line, and so
    is a ``config_prefix`` or ``template_paths`` entry resolving outside ``roots``."""
    meta_file = root / META_FILE
    data = _mapping(load_yaml_file(meta_file, roots), meta_file)
    prefix = data.get("config_prefix", "configs")
    if not isinstance(prefix, str) or not prefix or ".." in Path(prefix).parts:
        raise BadRequest(f"{meta_file}: 'config_prefix' must be a relative directory name")
    prefix = prefix.strip("/")
    _dirs_inside(root, [prefix or "."], "config_prefix", meta_file, roots)
    default = data.get("default_config")
    if default is not None and not isinstance(default, str):
        raise BadRequest(f"{meta_file}: 'default_config' must be a file name")
    templates = _str_list(data.get("template_paths", ["templates"]), "template_paths", meta_file)
    return Project(
        root=root,
        name=str(data.get("name") or root.name),
        description=str(data.get("description") or ""),
        config_prefix=prefix,
        default_config=default,
        template_paths=_dirs_inside(root, templates, "template_paths", meta_file, roots),
    )
