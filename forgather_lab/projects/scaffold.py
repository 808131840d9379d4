"""Create workspaces, projects and templates on disk (never overwriting).

``workspace.py`` resolves the client's base directory against the search
roots; everything else is checked here, and all of it *before* the first
write, so a refused request leaves nothing behind (no folder, no
``meta.yaml``):

- every name is a relative name (``paths.creatable_name``: no ``..``, not
  absolute, no control characters, within the OS's length limits), and a
  display name is one line (``paths.display_name``);
- every path to create is checked where it would really land
  (``paths.check_creatable``: the nearest existing ancestor, resolved, must
  lie inside the roots), so a symlink on the way out of them is a 403 even
  when the directories below it do not exist yet; a ``config_prefix`` that is
  itself a symlink is refused outright;
- files are created exclusively (``O_EXCL``), so an existing file, or a
  dangling symlink waiting to be written through, is a 409, never followed.

Names go into YAML through the YAML emitter (``yaml.safe_dump``), and into a
starter config, which is also a Jinja template, as a double-quoted scalar
with Jinja's markers escaped (``jinja_yaml_scalar``): ``Exp: lr #2`` renders
back as exactly ``Exp: lr #2``. Should the OS still fail half-way (a full
disk), what this request created is removed again.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import yaml

from ..errors import BadRequest, Conflict, NotFound
from .model import META_FILE, WORKSPACE_FILE, WORKSPACE_MARKER
from .paths import check_creatable, child_path, creatable_name, display_name, refuse_existing


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
    spaces to ``_``, lower case, dots and other punctuation dropped), at most
    100 characters so that a long display name still makes a valid name."""
    slug = re.sub(r"[^a-z0-9_\-]", "", name.strip().lower().replace(" ", "_"))
    if not slug:
        raise BadRequest(f"Cannot make a directory name from {name!r:.120}; give one explicitly")
    return slug[:100]


def _dump(data: Mapping[str, object]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


_JINJA_MARKERS = {"{": "\\x7B", "}": "\\x7D", "#": "\\x23", "%": "\\x25"}


def jinja_yaml_scalar(text: str) -> str:
    """``text`` as one YAML double-quoted scalar that Jinja passes through untouched.

    The emitter quotes and escapes for YAML (newlines, quotes, backslashes,
    line separators) on one line; then ``{ } # %`` become YAML ``\\xNN``
    escapes, so no ``{{``, ``{%``, ``{#`` or ``##`` (a line comment here) is
    left for Jinja to act on, and the rendered YAML reads back as ``text``.
    """
    quoted = yaml.safe_dump(text, default_style='"', allow_unicode=True, width=2**30)
    quoted = quoted.rstrip("\n")
    # Escape sequences the emitter wrote are a backslash and hex digits or
    # letters: none holds one of these four characters, so replacing is safe.
    return "".join(_JINJA_MARKERS.get(c, c) for c in quoted)


class _Created:
    """What one request created, so a failure half-way can take it back."""

    def __init__(self) -> None:
        self.paths: list[Path] = []

    def mkdirs(self, path: Path) -> None:
        missing = []
        current = path
        while not os.path.lexists(current):
            missing.append(current)
            current = current.parent
        for d in reversed(missing):
            d.mkdir()
            self.paths.append(d)

    def write_new(self, path: Path, text: str) -> None:
        try:
            with path.open("x", encoding="utf-8") as f:  # "x": never overwrite, even racing
                self.paths.append(path)
                f.write(text)
        except FileExistsError as e:
            raise Conflict(f"{path} already exists") from e

    def undo(self) -> None:
        for p in reversed(self.paths):
            try:
                if p.is_dir() and not p.is_symlink():
                    p.rmdir()  # only if still empty: never anything this request did not make
                else:
                    p.unlink()
            except OSError:
                pass


@contextmanager
def _creating() -> Iterator[_Created]:
    created = _Created()
    try:
        yield created
    except BaseException:
        created.undo()
        raise


def init_workspace(workspace_dir: Path, name: str, description: str) -> Path:
    """Write ``forgather_workspace/`` into an existing directory."""
    display_name(name, "workspace name")
    if not workspace_dir.is_dir():
        raise NotFound(f"{workspace_dir} is not a directory")
    marker = workspace_dir / WORKSPACE_MARKER
    if os.path.lexists(marker):
        raise Conflict(f"{workspace_dir} is already a workspace ({marker} exists)")
    with _creating() as made:
        made.mkdirs(marker / "templates")
        made.write_new(
            marker / WORKSPACE_FILE,
            _dump({"name": name, "description": description, "template_paths": []}),
        )
    return workspace_dir


def new_workspace(
    parent_dir: Path,
    name: str,
    description: str,
    workspace_dir_name: str | None,
    roots: Sequence[Path],
) -> Path:
    """Create ``parent_dir/<dir name>`` (nested names allowed) as a workspace."""
    display_name(name, "workspace name")
    target = child_path(parent_dir, workspace_dir_name or slugify(name), "workspace_dir_name")
    check_creatable(target, roots, "workspace directory")
    check_creatable(target / WORKSPACE_MARKER, roots, "workspace marker")
    if os.path.lexists(target / WORKSPACE_MARKER):
        raise Conflict(f"{target} is already a workspace")
    with _creating() as made:
        made.mkdirs(target)
        init_workspace(target, name, description)
    return target


STARTER_CONFIG = """\
## {name}: a starting point. Lines starting with '##' are comments;
## '-- extends "x.yaml"' and '-- block name' are Jinja line statements.
meta:
  config_name: {title}
  config_description: ""
  config_class: type.training_script

dynamic_args:
  steps: {{type: int, default: 100, help: "How many steps to run"}}

## tojson quotes the file's stem for YAML, whatever characters it holds.
-- set out = "output_models/" ~ config_stem
job:
  script: train.py
  args: ["--steps", "{{{{ steps }}}}", "--output-dir", {{{{ out | tojson }}}}]
  output_dir: {{{{ out | tojson }}}}
"""


def starter_config(file_name: str, title: str) -> str:
    """The text of a new config: ``title`` quoted for YAML and Jinja alike."""
    return STARTER_CONFIG.format(name=file_name, title=jinja_yaml_scalar(title))


def _yaml_name(name: str) -> str:
    return name if name.endswith((".yaml", ".yml")) else f"{name}.yaml"


def _no_symlink_below(base: Path, target: Path, what: str) -> None:
    """400 when ``target`` or a directory between ``base`` and it is a symlink."""
    current = base
    for part in target.relative_to(base).parts:
        current = current / part
        if current.is_symlink():
            raise BadRequest(f"The {what} {current} is a symbolic link; refusing to create there")


def new_project(
    workspace_dir: Path,
    name: str,
    description: str,
    config_prefix: str,
    default_config: str,
    project_dir_name: str | None,
    roots: Sequence[Path],
) -> Path:
    """Create a project (meta.yaml, README, templates/, a starter config).

    Everything is validated first; ``meta.yaml`` is written last, so the
    directory only becomes a project once the rest is in place.
    """
    display_name(name, "project name")
    if not (workspace_dir / WORKSPACE_MARKER).is_dir():
        raise BadRequest(f"{workspace_dir} is not a workspace (no {WORKSPACE_MARKER}/)")
    target = child_path(workspace_dir, project_dir_name or slugify(name), "project_dir_name")
    configs = child_path(target, config_prefix, "config_prefix")
    config_name = _yaml_name(creatable_name(default_config, "default_config"))
    config_file = child_path(configs, config_name, "default_config")
    check_creatable(target, roots, "project directory")
    if os.path.lexists(target / META_FILE):
        raise Conflict(f"{target} is already a project")
    _no_symlink_below(target, configs, "config_prefix")
    readme, templates = target / "README.md", target / "templates"
    for path, what in [
        (templates, "templates directory"),
        (configs, "config_prefix"),
        (config_file, "default_config"),
        (readme, "README"),
        (target / META_FILE, "meta.yaml"),
    ]:
        check_creatable(path, roots, what)
    meta = {
        "name": name,
        "description": description,
        "config_prefix": config_prefix,
        "default_config": config_name,
        "template_paths": ["templates"],
    }
    with _creating() as made:
        made.mkdirs(templates)
        made.mkdirs(config_file.parent)
        if not os.path.lexists(config_file):
            made.write_new(config_file, starter_config(config_file.name, name))
        if not os.path.lexists(readme):
            made.write_new(readme, f"# {name}\n\n{description}\n")
        made.write_new(target / META_FILE, _dump(meta))
    return target


def new_template(base: Path, name: str, config_title: str | None, roots: Sequence[Path]) -> Path:
    """Create an empty template (or a starter config) at ``base/name``; ``.yaml``
    is appended when missing and nested names create their directories."""
    target = child_path(base, _yaml_name(creatable_name(name, "name")), "name")
    check_creatable(target, roots, "template")
    refuse_existing(target, "template")
    text = starter_config(target.name, config_title) if config_title is not None else ""
    with _creating() as made:
        made.mkdirs(target.parent)
        made.write_new(target, text)
    return target
