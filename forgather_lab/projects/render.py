"""Render a config: Jinja2 (with Forgather's line statements) to YAML to data.

Configs are Jinja2 templates. Besides ``{% %}`` tags they may use Forgather's
line statements (``-- extends "base.yaml"``, ``-- block x`` … ``-- endblock``)
and ``##`` line comments. Templates are looked up along the project's search
path (see ``search_path``). Rendering runs twice: a lenient first pass finds
the ``dynamic_args`` schema (whose defaults the config itself declares), a
strict second pass renders with defaults overlaid by the caller's values, so a
misspelt variable is an error that names the file and the line.

The environment is sandboxed and the loader refuses files whose real path
leaves the allowed roots, so an ``include`` cannot read outside them.
"""

from __future__ import annotations

import os
import posixpath
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
from jinja2.loaders import split_template_path
from jinja2.sandbox import SandboxedEnvironment

from ..errors import BadRequest, Forbidden
from .dynamic_args import ArgSpec, parse_schema, resolve_values
from .model import Project, Workspace, parse_yaml
from .paths import is_within
from .reads import read_text_capped


class _Lenient(jinja2.ChainableUndefined):
    """First-pass undefined: anything goes, so the schema can be found.

    Arithmetic and calls give the undefined value back and comparisons are
    false; the operators are set below the class body because jinja2 types
    ``Undefined``'s as always raising (``Never``), which no override may widen.
    """


def _lenient_self(self: _Lenient, *args: Any, **kwargs: Any) -> _Lenient:
    return self


def _lenient_false(self: _Lenient, other: Any) -> bool:
    return False


_ARITHMETIC = ("add", "sub", "mul", "truediv", "floordiv", "mod", "pow")
for _op in (*_ARITHMETIC, *(f"r{op}" for op in _ARITHMETIC), "pos", "neg", "call"):
    setattr(_Lenient, f"__{_op}__", _lenient_self)
for _op in ("lt", "le", "gt", "ge"):
    setattr(_Lenient, f"__{_op}__", _lenient_false)


class GuardedLoader(jinja2.FileSystemLoader):
    """A FileSystemLoader that records where each template came from and
    refuses files whose real path leaves ``roots`` (checked before the file is
    read, and again on the opened file: ``reads.open_inside``)."""

    def __init__(
        self, searchpath: Sequence[Path], roots: Sequence[Path], lenient: bool = False
    ) -> None:
        super().__init__([str(p) for p in searchpath], encoding="utf-8", followlinks=False)
        self.roots = list(roots)
        self.lenient = lenient
        self.files: dict[str, Path] = {}
        # What was read, so the graph parses exactly that and never reads a file again.
        self.sources: dict[str, str] = {}

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str, Callable[[], bool]]:
        pieces = split_template_path(template)
        for base in self.searchpath:
            # posixpath as in FileSystemLoader: no drive or UNC part can break out.
            filename = posixpath.join(base, *pieces)
            if os.path.isfile(filename):
                break
        else:
            if self.lenient and self.files:
                # First pass: a name built from a not-yet-known value ("{{ x }}.yaml")
                # may not exist; render it as empty, the strict pass will tell.
                return "", template, lambda: True
            raise jinja2.TemplateNotFound(template)
        try:
            source = read_text_capped(Path(filename), self.roots, what="template")
        except Forbidden as e:
            raise jinja2.TemplateNotFound(f"{template} (resolves outside the search roots)") from e
        mtime = os.path.getmtime(filename)

        def uptodate() -> bool:
            try:
                return os.path.getmtime(filename) == mtime
            except OSError:
                return False

        self.files[template] = Path(os.path.normpath(filename))
        self.sources[template] = source
        return source, os.path.normpath(filename), uptodate


class RecordingEnvironment(SandboxedEnvironment):
    """Records every (parent, template) reference made while rendering.

    ``join_path`` is Jinja's hook for every ``extends`` / ``include`` /
    ``import`` at run time, so the edges reflect the branches actually taken
    with the current values: the graph shows what this config really uses.
    """

    def __init__(self, loader: GuardedLoader, undefined: type[jinja2.Undefined]) -> None:
        super().__init__(
            loader=loader,
            undefined=undefined,
            line_statement_prefix="--",
            line_comment_prefix="##",
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
        )
        self.edges: list[tuple[str, str]] = []

    def join_path(self, template: str, parent: str) -> str:
        if (parent, template) not in self.edges:
            self.edges.append((parent, template))
        return template


def search_path(project: Project, workspaces: Sequence[Workspace]) -> list[Path]:
    """Template directories in lookup order: the project's own template paths,
    then each enclosing workspace's (nearest first), then the project directory
    (so ``configs/x.yaml`` and other project files resolve by relative name)."""
    paths = list(project.template_paths)
    for ws in workspaces:
        paths += ws.template_paths
    paths.append(project.root)
    seen: list[Path] = []
    for p in paths:
        if p.is_dir() and p not in seen:
            seen.append(p)
    return seen


@dataclass
class Rendered:
    """A rendered config and everything learned while rendering it."""

    name: str  # the config's template name, e.g. "configs/train.yaml"
    text: str
    data: dict[str, Any]
    specs: list[ArgSpec]
    values: dict[str, Any]
    ignored: list[str]
    edges: list[tuple[str, str]]
    files: dict[str, Path] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)  # template name -> its text


def render_config(
    project: Project,
    workspaces: Sequence[Workspace],
    config: str,
    values: dict[str, Any],
    roots: Sequence[Path],
    strict_values: bool = False,
) -> Rendered:
    """Render ``config`` (a name under the project's config_prefix) with ``values``."""
    name = f"{project.config_prefix}/{config}"
    paths = search_path(project, workspaces)
    for p in paths:
        if not any(is_within(Path(os.path.realpath(p)), r) for r in roots):
            raise BadRequest(f"Template path {p} of {project.root} is outside the search roots")
    base = {
        "project_dir": str(project.root),
        "workspace_root": str(workspaces[0].root) if workspaces else None,
        "config_file": config,
        "config_stem": Path(config).stem,
    }
    first = _render(paths, roots, name, _Lenient, {**base, **values}, lenient=True)
    where = f"{project.configs_dir / config} (rendered)"
    data = _as_mapping(parse_yaml(first[0], where), where)
    specs = parse_schema(data.get("dynamic_args"), where)
    resolved, ignored = resolve_values(specs, values, where, strict_values)
    text, env, loader = _render(paths, roots, name, jinja2.StrictUndefined, {**base, **resolved})
    data = _as_mapping(parse_yaml(text, where), where)
    return Rendered(
        name, text, data, specs, resolved, ignored, env.edges, loader.files, loader.sources
    )


def _as_mapping(data: Any, where: str) -> dict[str, Any]:
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise BadRequest(f"{where}: a config must render to a YAML mapping")
    return data


def _render(
    paths: list[Path],
    roots: Sequence[Path],
    name: str,
    undefined: type[jinja2.Undefined],
    context: dict[str, Any],
    lenient: bool = False,
) -> tuple[str, RecordingEnvironment, GuardedLoader]:
    loader = GuardedLoader(paths, roots, lenient)
    env = RecordingEnvironment(loader, undefined)
    try:
        text = env.get_template(name).render(context)
    except jinja2.TemplateSyntaxError as e:
        where = e.filename or e.name or name
        raise BadRequest(
            f"{where}, line {e.lineno}: template syntax error: {e.message}",
            file=where,
            line=e.lineno,
        ) from e
    except jinja2.TemplateNotFound as e:
        if e.name == name and not loader.files:
            raise  # the config itself is missing: the caller answers 404
        where, line = _template_frame(e, loader)
        raise BadRequest(
            f"{where}, line {line}: template {e.name!r} not found on the search path "
            f"{[str(p) for p in paths]}",
            file=where,
            line=line,
        ) from e
    except Exception as e:
        where, line = _template_frame(e, loader)
        kind = "undefined variable" if isinstance(e, jinja2.UndefinedError) else "error"
        raise BadRequest(
            f"{where}, line {line}: template {kind}: {e}", file=where, line=line
        ) from e
    return text, env, loader


def _template_frame(e: BaseException, loader: GuardedLoader) -> tuple[str, int | None]:
    """The innermost traceback frame inside a template file (Jinja rewrites its
    tracebacks so such frames carry the template's file name and line)."""
    files = {str(p) for p in loader.files.values()}
    for frame in reversed(traceback.extract_tb(e.__traceback__)):
        if frame.filename in files:
            return frame.filename, frame.lineno
    return (next(iter(files)) if files else "config"), None
