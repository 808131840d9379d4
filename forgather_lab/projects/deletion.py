"""What ``/fs/delete-dir`` and ``/fs/delete-file`` may delete: what the Lab's tree offers.

Deletion is the one destructive operation, so it asks the most. In order:

1. an absolute path without ``..`` and ``confirmed: true`` (400);
2. ``paths.guard_deletable``: no symlink anywhere on the path, a depth floor,
   a system-directory denylist, inside a search root and never a root or the
   server's root_dir;
3. never the server's live state directory, one of its parents, or anything
   inside it (real paths compared, so a state directory named through a
   symlink is caught too): deleting it once left the server acknowledging
   jobs into an unlinked database (403, reason ``state_dir``);
4. only the kinds of thing the Lab deletes (403, reason ``not_deletable``):

   - a directory: a config's output directory ("Clean Output…"), a run,
     checkpoint or evaluation directly in one, a project (holds
     ``meta.yaml``) or a workspace (holds ``forgather_workspace/``);
   - a file: a config of a project (``.yaml`` / ``.yml`` under its
     ``config_prefix``).

An output directory is recognised by rendering the configs of the projects
around it (stored overrides applied, as the Lab shows them): first the
projects that enclose it, then, for an ``output_dir`` outside its project,
every project under the search roots.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..errors import BadRequest, Forbidden, ForgatherError
from ..models.projects import Deleted
from . import files
from .configs import ConfigsService
from .discovery import walk_roots
from .model import CONFIG_SUFFIXES, META_FILE, WORKSPACE_MARKER, load_project
from .output_files import CHECKPOINTS, EVALUATIONS, RUNS
from .paths import guard_deletable, is_within
from .roots import SearchRoots

DIR_RULE = (
    "/fs/delete-dir deletes only what the Lab's tree offers: a config's output directory, "
    "a run, checkpoint or evaluation in one, a project or a workspace"
)
FILE_RULE = "/fs/delete-file deletes only a project's config (a .yaml under its config_prefix)"
OUTPUT_GROUPS = frozenset({RUNS, CHECKPOINTS, EVALUATIONS})


class Deletions:
    """The guarded deletes, limited to what the Lab's tree deletes."""

    def __init__(self, roots: SearchRoots, configs: ConfigsService) -> None:
        self.roots = roots
        self.configs = configs

    def delete_dir(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-dir``: recursive, confirmed, guarded (see the module)."""
        if not confirmed:
            raise BadRequest("Deleting a directory needs confirmed: true")
        target = self._checked(path)
        if target.name == WORKSPACE_MARKER:
            raise Forbidden("Delete the workspace directory itself, not its marker")
        if not target.is_dir():
            raise BadRequest(f"{target} is not a directory")
        if self._dir_kind(target) is None:
            raise Forbidden(f"Refusing to delete {target}: {DIR_RULE}", reason="not_deletable")
        files.delete_dir(target)
        return Deleted(deleted=str(target))

    def delete_file(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-file``: one config file, confirmed, guarded."""
        if not confirmed:
            raise BadRequest("Deleting a file needs confirmed: true")
        target = self._checked(path)
        if not target.is_file():
            raise BadRequest(f"{target} is not a regular file")
        if not self._is_config_file(target):
            raise Forbidden(f"Refusing to delete {target}: {FILE_RULE}", reason="not_deletable")
        files.delete_file(target)
        return Deleted(deleted=str(target))

    # -- the rules ---------------------------------------------------------------

    def _checked(self, raw: str) -> Path:
        if not Path(raw).is_absolute():
            raise BadRequest(f"Deletion needs an absolute path, not {raw!r}")
        if ".." in Path(raw).parts:
            raise BadRequest(f"The path {raw!r} must not contain '..'")
        protected = [self.roots.root_dir] if self.roots.root_dir else []
        target = guard_deletable(Path(raw), self.roots.all(), protected)
        self._refuse_state_dir(target)
        return target

    def _refuse_state_dir(self, target: Path) -> None:
        real = self.roots.state_dir
        if real is None:
            return
        if is_within(real, target) or is_within(target, real):
            raise Forbidden(
                f"Refusing to delete {target}: it is, holds or lies inside the server's "
                f"state directory {real} (its database and job records)",
                reason="state_dir",
            )

    def _dir_kind(self, target: Path) -> str | None:
        if (target / META_FILE).is_file():
            return "project"
        if (target / WORKSPACE_MARKER).is_dir():
            return "workspace"
        if self._is_output_dir(target):
            return "output directory"
        if target.parent.name in OUTPUT_GROUPS and self._is_output_dir(target.parent.parent):
            return "output item"
        return None

    def _is_output_dir(self, candidate: Path) -> bool:
        return any(candidate in self._output_dirs(p) for p in self._projects_near(candidate))

    def _projects_near(self, path: Path) -> Iterator[Path]:
        """Projects enclosing ``path`` (nearest first), then every other project in the
        roots (walked only when no enclosing one claims it)."""
        roots = self.roots.all()
        seen: set[Path] = set()
        for d in path.parents:
            if not any(is_within(d, r) for r in roots):
                break
            if (d / META_FILE).is_file():
                seen.add(d)
                yield d
        for project in walk_roots(r for r in roots if r.is_dir()).projects:
            if project not in seen:
                yield project

    def _output_dirs(self, project_root: Path) -> set[Path]:
        """The real output directories of a project's configs (broken configs skipped)."""
        try:
            project = load_project(project_root, self.roots.all())
        except ForgatherError:
            return set()
        out: set[Path] = set()
        for name in project.config_names():
            try:
                _, rendered = self.configs.render(str(project_root), name)
                job = self.configs.job_of(project, rendered)
            except ForgatherError:
                continue
            if job is not None:
                out.add(Path(os.path.realpath(job.output_dir)))
        return out

    def _is_config_file(self, target: Path) -> bool:
        if not target.name.endswith(CONFIG_SUFFIXES):
            return False
        roots = self.roots.all()
        for d in target.parents:
            if not any(is_within(d, r) for r in roots):
                return False
            if (d / META_FILE).is_file():
                try:
                    project = load_project(d, roots)
                except ForgatherError:
                    return False
                return is_within(target, Path(os.path.realpath(project.configs_dir)))
        return False
