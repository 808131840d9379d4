"""The search roots: where projects are looked for, and the guard on every client path.

``SearchRoots`` is what every other projects service is built on: it knows the
operator's roots (configuration) and the user's (the state database), seeds
the shipped example workspace, and turns a client-supplied path into a real
one inside the roots (``..`` a 400, outside a 403, missing a 404). The
server's own state directory is never project data, even when it lies inside
a root: a client path into it is a 403, and it cannot be added as a root. It
also maps a server path to JupyterLab's (``lab_path``).
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ..errors import BadRequest, Forbidden, NotFound
from ..models.projects import ListSearchRoots, SearchRoot
from ..store import Database
from . import state
from .model import WORKSPACE_MARKER, Project, Workspace, load_project, load_workspace
from .paths import is_within, lab_path, reject_dotdot, resolve_under

EXAMPLES_SOURCE = Path(__file__).resolve().parent.parent / "examples" / "workspace"
EXAMPLES_DIRNAME = "forgather-examples"


@dataclass
class ProjectsSettings:
    """What the projects services need from the operator's configuration."""

    root_dir: Path | None
    config_roots: list[Path]
    allow_outside_root_dir: bool = False
    seed_examples: bool = True
    # The server's live state directory: never deleted over the API, nor its
    # parents or anything inside it (``deletion.py``).
    state_dir: Path | None = None
    # The GPU pool's usable count (the pool lives beside projects, so the runtime passes
    # it in): a config's default GPU reservation, as its Run form shows it.
    usable_gpus: Callable[[], int] | None = None


class SearchRoots:
    """The operator's and the user's search roots, and path resolution against them."""

    def __init__(self, db: Database, settings: ProjectsSettings) -> None:
        self.db = db
        self.settings = settings
        self.root_dir = Path(os.path.realpath(settings.root_dir)) if settings.root_dir else None
        # Real path, so a state directory named through a symlink is still recognised.
        self.state_dir = Path(os.path.realpath(settings.state_dir)) if settings.state_dir else None
        self._user_roots: list[Path] = []

    def open(self) -> None:
        """Seed the example workspace under this root_dir once, and load the roots
        (sync, at start).

        "Once" is per root_dir (a flag in the state database keyed by the real
        root_dir): a second server with another root_dir and the same state
        directory gets its own copy, while a user who removed the example root,
        or deleted the folder, does not get it back on restart.
        """
        if self.settings.seed_examples and self.root_dir is not None:
            root_dir = self.root_dir
            target = root_dir / EXAMPLES_DIRNAME
            if not self.db.call(lambda c: state.seeded(c, root_dir, target)):
                self._copy_examples(target)
                registered = target if target.is_dir() else None
                self.db.call(lambda c: state.mark_seeded(c, root_dir, registered))
        self._user_roots = self.db.call(state.list_roots)

    @staticmethod
    def _copy_examples(target: Path) -> None:
        """Copy the shipped workspace to ``target`` unless something is there already
        (an existing folder is registered as it is, never overwritten)."""
        if target.exists() or not EXAMPLES_SOURCE.is_dir():
            return
        # Another server seeding the same root at the same moment: theirs is as good.
        with contextlib.suppress(FileExistsError):
            shutil.copytree(
                EXAMPLES_SOURCE,
                target,
                ignore=shutil.ignore_patterns("__pycache__", "output_models", "*.pyc"),
            )

    # -- the roots -------------------------------------------------------------

    def all(self) -> list[Path]:
        """Every search root, resolved: the operator's (config) first, then the user's."""
        out: list[Path] = []
        for r in [*self.settings.config_roots, *self._user_roots]:
            real = Path(os.path.realpath(r))
            if real not in out and self._allowed(real):
                out.append(real)
        return out

    def _allowed(self, path: Path) -> bool:
        return (
            self.settings.allow_outside_root_dir
            or self.root_dir is None
            or is_within(path, self.root_dir)
        )

    def _config_roots(self) -> set[Path]:
        return {Path(os.path.realpath(r)) for r in self.settings.config_roots}

    def describe(self) -> ListSearchRoots:
        """``GET /search-roots``: the roots with where each comes from."""
        config = self._config_roots()
        return ListSearchRoots(
            search_roots=[
                SearchRoot(
                    path=str(r),
                    lab_path=self.lab(r),
                    source="config" if r in config else "user",
                    exists=r.is_dir(),
                )
                for r in self.all()
            ]
        )

    def add(self, raw: str, create: bool) -> ListSearchRoots:
        """``POST /search-roots``: register a root (inside root_dir unless the operator
        allows more, never the server's state directory or inside it); ``create``
        makes the directory first."""
        reject_dotdot(raw, "search root")  # in either separator style, as every path
        candidate = _expand(raw, "search root")
        path = Path(os.path.realpath(self.base / candidate))
        if not self._allowed(path):
            raise Forbidden(
                f"{path} is outside the Jupyter server's root_dir {self.root_dir}; an operator "
                "can allow that with ForgatherLab.allow_search_roots_outside_root_dir"
            )
        self.refuse_state(path, raw, "search root")
        if create and not path.exists():
            if not path.parent.is_dir():
                raise NotFound(f"The parent of {path} does not exist")
            path.mkdir()
        if not path.is_dir():
            raise NotFound(f"The search root {path} is not a directory")
        self.db.call(lambda c: state.add_root(c, path))
        self._user_roots = self.db.call(state.list_roots)
        return self.describe()

    def remove(self, raw: str) -> ListSearchRoots:
        """``DELETE /search-roots``: forget a user root (a configured one cannot go)."""
        path = Path(os.path.realpath(self.base / _expand(raw, "search root")))
        if path in self._config_roots():
            raise Forbidden(f"{path} comes from the server configuration (search_roots)")
        stored = {Path(os.path.realpath(r)): r for r in self._user_roots}
        if path not in stored:
            raise NotFound(f"{path} is not a search root")
        self.db.call(lambda c: state.remove_root(c, stored[path]))
        self._user_roots = self.db.call(state.list_roots)
        return self.describe()

    # -- paths -----------------------------------------------------------------

    @property
    def base(self) -> Path:
        """What a relative client path is relative to: the server's root_dir."""
        return self.root_dir or Path.cwd()

    def lab(self, path: Path | None) -> str | None:
        """JupyterLab's (root_dir-relative) path for ``path``; None outside root_dir."""
        return lab_path(path, self.root_dir) if path is not None else None

    def lab_if_inside(self, path: Path) -> str | None:
        """``lab`` for a path whose real location is inside the roots, else None
        (an output directory may be a symlink to scratch space JupyterLab can't open)."""
        real = Path(os.path.realpath(path))
        return self.lab(path) if any(is_within(real, r) for r in self.all()) else None

    def resolve(self, raw: str, what: str = "path", must_exist: bool = True) -> Path:
        """A client path checked against the roots (400 ``..``, 403 outside or in the
        server's state directory, 404 missing)."""
        path = resolve_under(raw, self.base, self.all(), what, must_exist)
        self.refuse_state(path, raw, what)
        return path

    def refuse_state(self, path: Path, raw: str, what: str) -> None:
        """403 when ``path`` (resolved) is the server's state directory or inside it:
        its database and job tokens are not project files, even inside a root."""
        if self.state_dir is not None and is_within(path, self.state_dir):
            raise Forbidden(
                f"The {what} {raw!r:.120} is inside the server's state directory",
                reason="state_dir",
            )

    def workspaces_of(self, path: Path) -> list[Workspace]:
        """Enclosing workspaces inside the roots, nearest first."""
        roots = self.all()
        out = []
        for d in (path, *path.parents):
            if not any(is_within(d, r) for r in roots):
                break
            if (d / WORKSPACE_MARKER).is_dir():
                out.append(load_workspace(d, roots))
        return out

    def project(self, raw: str) -> Project:
        """The project at ``raw`` (a directory with meta.yaml inside the roots)."""
        root = self.resolve(raw, "project_dir")
        if not (root / "meta.yaml").is_file():
            raise NotFound(f"{root} is not a project (no meta.yaml)")
        return load_project(root, self.all())


def _expand(raw: str, what: str) -> Path:
    """``raw`` with ``~`` expanded; 400 when it is empty or names a home that does not exist."""
    if not raw or "\x00" in raw:
        raise BadRequest(f"The {what} is empty or contains a NUL byte")
    try:
        return Path(raw).expanduser()
    except RuntimeError as e:  # "~someone" with no such user (or no home at all)
        raise BadRequest(
            f"The {what} {raw!r:.120} names a home directory that does not exist"
        ) from e
