"""Changes on disk: create workspaces, projects, configs and templates; guarded deletes.

``WorkspaceService`` checks every client path against the search roots, then
hands the file work to ``scaffold.py`` (creation, never overwriting) and
``files.py`` (deletion). Deletion is the one destructive operation, so it
asks more: an absolute path, ``confirmed: true``, and ``guard_deletable``'s
checks (no symlinks, a depth floor, a system-directory denylist, never a
search root or the server's root_dir).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import BadRequest, Forbidden
from ..models.projects import CreatedProject, CreatedTemplate, CreatedWorkspace, Deleted
from . import files, scaffold
from .model import WORKSPACE_MARKER
from .paths import guard_deletable
from .roots import SearchRoots


class WorkspaceService:
    """Creation and guarded deletion inside the search roots."""

    def __init__(self, roots: SearchRoots) -> None:
        self.roots = roots

    # -- creation ----------------------------------------------------------------

    def create_workspace(
        self, parent_dir: str, name: str, description: str, workspace_dir_name: str | None
    ) -> CreatedWorkspace:
        """``POST /workspace/new``: the parent must be a search root exactly."""
        parent = self.roots.resolve(parent_dir, "parent_dir")
        if parent not in self.roots.all():
            raise BadRequest(f"{parent} is not a search root; pick one of the roots")
        path = scaffold.new_workspace(parent, name, description, workspace_dir_name)
        return CreatedWorkspace(workspace_dir=str(path), lab_path=self.roots.lab(path))

    def init_workspace(self, workspace_dir: str, name: str, description: str) -> CreatedWorkspace:
        """``POST /workspace/init-here``: make an existing directory under a root a workspace."""
        path = self.roots.resolve(workspace_dir, "workspace_dir")
        scaffold.init_workspace(path, name, description)
        return CreatedWorkspace(workspace_dir=str(path), lab_path=self.roots.lab(path))

    def create_project(
        self,
        workspace_dir: str,
        name: str,
        description: str,
        config_prefix: str,
        default_config: str,
        project_dir_name: str | None,
    ) -> CreatedProject:
        """``POST /workspace/new-project``: meta.yaml, README, templates/, a starter config."""
        ws = self.roots.resolve(workspace_dir, "workspace_dir")
        path = scaffold.new_project(
            ws, name, description, config_prefix, default_config, project_dir_name
        )
        return CreatedProject(project_dir=str(path), lab_path=self.roots.lab(path))

    def create_template(
        self, project_dir: str, kind: Literal["config", "template"], name: str
    ) -> CreatedTemplate:
        """``POST /project/new-template``: a config (starter content) or an empty template."""
        project = self.roots.project(project_dir)
        title: str | None
        if kind == "config":
            base, title = project.configs_dir, Path(name).stem.replace("_", " ")
        else:
            base = project.template_paths[0] if project.template_paths else project.root
            title = None
        path = scaffold.new_template(base, name, title)
        return CreatedTemplate(path=str(path), lab_path=self.roots.lab(path), kind=kind)

    # -- deletion ----------------------------------------------------------------

    def _deletable(self, raw: str) -> Path:
        if not Path(raw).is_absolute():
            raise BadRequest(f"Deletion needs an absolute path, not {raw!r}")
        if ".." in Path(raw).parts:
            raise BadRequest(f"The path {raw!r} must not contain '..'")
        protected = [self.roots.root_dir] if self.roots.root_dir else []
        return guard_deletable(Path(raw), self.roots.all(), protected)

    def delete_dir(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-dir``: recursive, confirmed, guarded."""
        if not confirmed:
            raise BadRequest("Deleting a directory needs confirmed: true")
        target = self._deletable(path)
        if target.name == WORKSPACE_MARKER:
            raise Forbidden("Delete the workspace directory itself, not its marker")
        files.delete_dir(target)
        return Deleted(deleted=str(target))

    def delete_file(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-file``: one regular file, confirmed, guarded."""
        if not confirmed:
            raise BadRequest("Deleting a file needs confirmed: true")
        target = self._deletable(path)
        files.delete_file(target)
        return Deleted(deleted=str(target))
