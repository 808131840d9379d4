"""``ProjectsService``: search roots, discovery and config inspection.

The handlers call one method each. File and rendering work is synchronous and
runs off the event loop (``asyncio.to_thread``); database work runs on the
database thread. Every client path goes through ``paths.resolve_under``
against the current search roots. Creation, deletion and outputs live in
``service_ops.py`` (a mixin) to keep each module readable.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..errors import BadRequest, Forbidden, NotFound
from ..store import Database
from . import overrides as store
from .discovery import Cluster, cluster, walk_roots
from .job import JobSpec, parse_job
from .model import WORKSPACE_MARKER, Project, Workspace, load_project, load_workspace
from .paths import is_within, lab_path, resolve_under
from .render import Rendered, render_config, search_path

EXAMPLES_SOURCE = Path(__file__).resolve().parent.parent / "examples" / "workspace"
EXAMPLES_DIRNAME = "forgather-examples"


@dataclass
class ProjectsSettings:
    """What the service needs from the operator's configuration."""

    root_dir: Path | None
    config_roots: list[Path]
    allow_outside_root_dir: bool = False
    seed_examples: bool = True


class ProjectsCore:
    """Roots, path resolution and rendering; the base of ``ProjectsService``."""

    def __init__(self, db: Database, settings: ProjectsSettings) -> None:
        self.db = db
        self.settings = settings
        self.root_dir = Path(os.path.realpath(settings.root_dir)) if settings.root_dir else None
        self._user_roots: list[Path] = []

    # -- life cycle ----------------------------------------------------------

    def open(self) -> None:
        """Seed the example workspace on first start and load the roots (sync, at start)."""
        seeds: list[Path] = []
        if self.settings.seed_examples and self.root_dir is not None:
            target = self.root_dir / EXAMPLES_DIRNAME
            if not self.db.call(lambda c: store.SEEDED_KEY in _settings_keys(c)):
                if not target.exists() and EXAMPLES_SOURCE.is_dir():
                    shutil.copytree(
                        EXAMPLES_SOURCE,
                        target,
                        ignore=shutil.ignore_patterns("__pycache__", "output_models", "*.pyc"),
                    )
                seeds.append(target)
        self.db.call(lambda c: store.seed_once(c, seeds))
        self._user_roots = self.db.call(store.list_roots)

    # -- roots ---------------------------------------------------------------

    def roots(self) -> list[Path]:
        """Every search root, resolved: the operator's (config) first, then the user's."""
        out: list[Path] = []
        for r in [*self.settings.config_roots, *self._user_roots]:
            real = Path(os.path.realpath(r))
            if real not in out and self._root_allowed(real):
                out.append(real)
        return out

    def _root_allowed(self, path: Path) -> bool:
        return (
            self.settings.allow_outside_root_dir
            or self.root_dir is None
            or is_within(path, self.root_dir)
        )

    def lab(self, path: Path | None) -> str | None:
        """JupyterLab's (root_dir-relative) path for ``path``."""
        return lab_path(path, self.root_dir) if path is not None else None

    def describe_roots(self) -> list[dict[str, Any]]:
        """The roots with where each comes from."""
        config = {Path(os.path.realpath(r)) for r in self.settings.config_roots}
        return [
            {
                "path": str(r),
                "lab_path": self.lab(r),
                "source": "config" if r in config else "user",
                "exists": r.is_dir(),
            }
            for r in self.roots()
        ]

    def _base(self) -> Path:
        return self.root_dir or Path.cwd()

    def add_search_root(self, raw: str, create: bool) -> list[dict[str, Any]]:
        """Register a root (inside root_dir unless the operator allows more)."""
        candidate = Path(raw).expanduser()
        if ".." in candidate.parts:
            raise BadRequest(f"The search root {raw!r} must not contain '..'")
        path = Path(os.path.realpath(self._base() / candidate))
        if not self._root_allowed(path):
            raise Forbidden(
                f"{path} is outside the Jupyter server's root_dir {self.root_dir}; an operator "
                "can allow that with ForgatherLab.allow_search_roots_outside_root_dir"
            )
        if create and not path.exists():
            if not path.parent.is_dir():
                raise NotFound(f"The parent of {path} does not exist")
            path.mkdir()
        if not path.is_dir():
            raise NotFound(f"The search root {path} is not a directory")
        self.db.call(lambda c: store.add_root(c, path))
        self._user_roots = self.db.call(store.list_roots)
        return self.describe_roots()

    def remove_search_root(self, raw: str) -> list[dict[str, Any]]:
        """Forget a user root; a root from the server's configuration cannot be removed."""
        path = Path(os.path.realpath(self._base() / Path(raw).expanduser()))
        if path in {Path(os.path.realpath(r)) for r in self.settings.config_roots}:
            raise Forbidden(f"{path} comes from the server configuration (search_roots)")
        stored = {Path(os.path.realpath(r)): r for r in self._user_roots}
        if path not in stored:
            raise NotFound(f"{path} is not a search root")
        self.db.call(lambda c: store.remove_root(c, stored[path]))
        self._user_roots = self.db.call(store.list_roots)
        return self.describe_roots()

    # -- resolution ----------------------------------------------------------

    def resolve(self, raw: str, what: str = "path", must_exist: bool = True) -> Path:
        """A client path checked against the roots (400 ``..``, 403 outside, 404 missing)."""
        return resolve_under(raw, self._base(), self.roots(), what, must_exist)

    def workspaces_of(self, path: Path) -> list[Workspace]:
        """Enclosing workspaces inside the roots, nearest first."""
        roots = self.roots()
        out = []
        for d in (path, *path.parents):
            if not any(is_within(d, r) for r in roots):
                break
            if (d / WORKSPACE_MARKER).is_dir():
                out.append(load_workspace(d))
        return out

    def project(self, raw: str) -> Project:
        """The project at ``raw`` (a directory with meta.yaml)."""
        root = self.resolve(raw, "project_dir")
        if not (root / "meta.yaml").is_file():
            raise NotFound(f"{root} is not a project (no meta.yaml)")
        return load_project(root)

    def config_name(self, project: Project, config: str | None) -> str:
        """The config to use: the given one (checked) or the project's default."""
        name = config or project.default_config
        if not name:
            raise BadRequest(f"{project.root} has no default_config; name a config")
        resolve_under(name, project.configs_dir, self.roots(), "config")
        return name

    def render(
        self, project_dir: str, config: str | None, explicit: dict[str, Any] | None = None
    ) -> tuple[Project, Rendered]:
        """Render a config: the stored overrides, overlaid by ``explicit`` values.

        Stored names the schema no longer knows are ignored (``Rendered.ignored``);
        an unknown explicit name is a 400.
        """
        project = self.project(project_dir)
        name = self.config_name(project, config)
        values = self.db.call(lambda c: store.get_overrides(c, project.root, name))
        values.update(explicit or {})
        try:
            rendered = render_config(
                project, self.workspaces_of(project.root), name, values, self.roots()
            )
        except jinja2.TemplateNotFound as e:
            raise NotFound(f"Config {name!r} not found in {project.configs_dir}") from e
        unknown = sorted(set(explicit or {}) & set(rendered.ignored))
        if unknown:
            known = sorted(s.name for s in rendered.specs)
            raise BadRequest(f"Unknown dynamic args {unknown} for {name}; known: {known}")
        return project, rendered

    def job_of(self, project: Project, rendered: Rendered) -> JobSpec | None:
        """The rendered config's job block, resolved."""
        where = str(project.configs_dir / rendered.name.split("/", 1)[-1])
        stem = Path(rendered.name).stem
        return parse_job(rendered.data.get("job"), project.root, where, self.roots(), stem)

    def resolve_job(
        self, project_dir: str, config: str | None, dynamic_args: dict[str, Any] | None = None
    ) -> JobSpec:
        """What to launch for a config (sync; call it off the event loop).

        ``dynamic_args`` overlay the stored overrides (as the seed does: stored
        values are the base under explicit ones); unknown names and wrong types
        are a 400.
        """
        project, rendered = self.render(project_dir, config, dynamic_args)
        job = self.job_of(project, rendered)
        if job is None:
            raise BadRequest(f"Config {rendered.name} of {project.root} has no 'job' block")
        return job

    # -- discovery -----------------------------------------------------------

    def discover(self) -> dict[str, Any]:
        """The workspace-clustered project tree (sync)."""
        found = walk_roots(r for r in self.roots() if r.is_dir())
        top, loose = cluster(found)
        return {
            "root_dir": str(self.root_dir) if self.root_dir else None,
            "search_roots": self.describe_roots(),
            "workspaces": [self._ws_node(c) for c in top],
            "unaffiliated": [self.project_summary(p) for p in loose],
        }

    def _ws_node(self, node: Cluster) -> dict[str, Any]:
        try:
            ws = load_workspace(node.root)
            name, description, error = ws.name, ws.description, None
        except BadRequest as e:
            name, description, error = node.root.name, "", e.message
        return {
            "name": name,
            "description": description,
            "path": str(node.root),
            "lab_path": self.lab(node.root),
            "error": error,
            "projects": [self.project_summary(p) for p in node.projects],
            "workspaces": [self._ws_node(c) for c in node.children],
        }

    def project_summary(self, root: Path) -> dict[str, Any]:
        """A project row; a malformed meta.yaml gives a row with ``error``."""
        base: dict[str, Any] = {"path": str(root), "lab_path": self.lab(root)}
        try:
            p = load_project(root)
        except BadRequest as e:
            return {**base, "name": root.name, "description": "", "config_prefix": "configs",
                    "default_config": None, "configs": [], "error": e.message}  # fmt: skip
        return {
            **base,
            "name": p.name,
            "description": p.description,
            "config_prefix": p.config_prefix,
            "default_config": p.default_config,
            "configs": p.config_names(),
            "error": None,
        }

    def project_detail(self, raw: str) -> dict[str, Any]:
        """``GET /project``: the summary plus workspace and template paths."""
        project = self.project(raw)
        chain = self.workspaces_of(project.root)
        readme = project.root / "README.md"
        return {
            **self.project_summary(project.root),
            "workspace": str(chain[0].root) if chain else None,
            "template_paths": [str(p) for p in search_path(project, chain)],
            "has_readme": readme.is_file(),
        }


def _settings_keys(conn: Any) -> set[str]:
    return {r[0] for r in conn.execute("SELECT key FROM settings").fetchall()}
