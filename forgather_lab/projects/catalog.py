"""What projects exist and what each says about itself: the tree, one project, its README.

``ProjectCatalog`` answers the read-only project endpoints that need no
rendering: the workspace-clustered tree (``GET /projects``), one project's
detail, its README and the assets the README embeds. The walk itself is
``discovery.py``; this class turns what it finds into the API's models. A
malformed ``meta.yaml`` or ``workspace.yaml`` (or one that links outside the
roots) gives a row with ``error``, so one broken project never breaks the
listing. The README and assets are read with ``reads.open_inside``: a README
that links outside the roots is a 403, an asset must stay inside its project.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ForgatherError
from ..models.projects import (
    DescribeProject,
    DescribeReadme,
    ListProjects,
    ProjectSummary,
    WorkspaceNode,
)
from .discovery import Cluster, cluster, walk_roots
from .files import Asset, read_asset
from .model import load_project, load_workspace
from .paths import resolve_under
from .reads import is_file_inside, read_text_capped
from .render import search_path
from .roots import SearchRoots


class ProjectCatalog:
    """Discovery and per-project metadata over the search roots."""

    def __init__(self, roots: SearchRoots) -> None:
        self.roots = roots

    def tree(self) -> ListProjects:
        """``GET /projects``: workspaces (nested) with their projects, and the loose ones."""
        found = walk_roots(r for r in self.roots.all() if r.is_dir())
        top, loose = cluster(found)
        root_dir = self.roots.root_dir
        return ListProjects(
            root_dir=str(root_dir) if root_dir else None,
            search_roots=self.roots.describe().search_roots,
            workspaces=[self._workspace_node(c) for c in top],
            unaffiliated=[self.summary(p) for p in loose],
        )

    def _workspace_node(self, node: Cluster) -> WorkspaceNode:
        try:
            ws = load_workspace(node.root, self.roots.all())
            name, description, error = ws.name, ws.description, None
        except ForgatherError as e:
            name, description, error = node.root.name, "", e.message
        return WorkspaceNode(
            name=name,
            description=description,
            path=str(node.root),
            lab_path=self.roots.lab(node.root),
            error=error,
            projects=[self.summary(p) for p in node.projects],
            workspaces=[self._workspace_node(c) for c in node.children],
        )

    def summary(self, root: Path) -> ProjectSummary:
        """A project row; a malformed meta.yaml gives a row with ``error``."""
        try:
            p = load_project(root, self.roots.all())
        except ForgatherError as e:
            return ProjectSummary(
                path=str(root),
                lab_path=self.roots.lab(root),
                name=root.name,
                description="",
                config_prefix="configs",
                default_config=None,
                configs=[],
                error=e.message,
            )
        return ProjectSummary(
            path=str(root),
            lab_path=self.roots.lab(root),
            name=p.name,
            description=p.description,
            config_prefix=p.config_prefix,
            default_config=p.default_config,
            configs=p.config_names(),
            error=None,
        )

    def detail(self, project_dir: str) -> DescribeProject:
        """``GET /project``: the summary plus workspace and template paths."""
        project = self.roots.project(project_dir)
        chain = self.roots.workspaces_of(project.root)
        return DescribeProject(
            **self.summary(project.root).model_dump(),
            workspace=str(chain[0].root) if chain else None,
            template_paths=[str(p) for p in search_path(project, chain)],
            has_readme=is_file_inside(project.root / "README.md", self.roots.all()),
        )

    def readme(self, project_dir: str) -> DescribeReadme:
        """``GET /project/readme``: the README as markdown ("" when there is none)."""
        project = self.roots.project(project_dir)
        readme = project.root / "README.md"
        text = read_text_capped(readme, self.roots.all(), what="README") if readme.is_file() else ""
        shown = readme if text else None
        return DescribeReadme(
            path=str(shown) if shown else None, lab_path=self.roots.lab(shown), markdown=text
        )

    def asset(self, project_dir: str, asset: str) -> Asset:
        """``GET /project/asset``: a file the README embeds, inside the project."""
        project = self.roots.project(project_dir)
        return read_asset(resolve_under(asset, project.root, [project.root], "asset"), project.root)
