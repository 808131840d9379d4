"""Changes on disk: create workspaces, projects, configs and templates; guarded deletes.

``WorkspaceService`` resolves the client's base directory against the search
roots, then hands the file work to ``scaffold.py``, which validates every
name and where every new path would really land before it writes anything
(creation never overwrites). Deletion is the one destructive operation, so
it has a module of its own (``deletion.py``): an absolute path,
``confirmed: true``, ``guard_deletable``'s checks, never the server's state
directory, and only the kinds of thing the Lab's tree deletes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from ..errors import BadRequest
from ..models.projects import CreatedProject, CreatedTemplate, CreatedWorkspace, Deleted
from . import scaffold
from .configs import ConfigsService
from .deletion import Deletions
from .roots import SearchRoots


class WorkspaceService:
    """Creation and guarded deletion inside the search roots."""

    def __init__(self, roots: SearchRoots, configs: ConfigsService) -> None:
        self.roots = roots
        self.deletions = Deletions(roots, configs)

    # -- creation ----------------------------------------------------------------

    def create_workspace(
        self, parent_dir: str, name: str, description: str, workspace_dir_name: str | None
    ) -> CreatedWorkspace:
        """``POST /workspace/new``: the parent must be a search root exactly."""
        parent = self.roots.resolve(parent_dir, "parent_dir")
        roots = self.roots.all()
        if parent not in roots:
            raise BadRequest(f"{parent} is not a search root; pick one of the roots")
        path = scaffold.new_workspace(parent, name, description, workspace_dir_name, roots)
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
            ws, name, description, config_prefix, default_config, project_dir_name, self.roots.all()
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
        path = scaffold.new_template(base, name, title, self.roots.all())
        return CreatedTemplate(path=str(path), lab_path=self.roots.lab(path), kind=kind)

    # -- deletion ----------------------------------------------------------------

    def delete_dir(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-dir``: see ``deletion.Deletions.delete_dir``."""
        return self.deletions.delete_dir(path, confirmed)

    def delete_file(self, path: str, confirmed: bool) -> Deleted:
        """``POST /fs/delete-file``: see ``deletion.Deletions.delete_file``."""
        return self.deletions.delete_file(path, confirmed)
