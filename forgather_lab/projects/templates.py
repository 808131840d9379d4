"""Templates: which ones a project can use, where new ones go, and their source.

``TemplatesService`` lists every template on a project's search path (grouped
as the Lab's Templates view shows them), says where a new config or template
goes, and reads and writes a template's source for the editor helpers (an
mtime-checked, atomic save: a file changed on disk since it was read is a
409, never silently overwritten).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..models.projects import (
    DescribeTemplatePaths,
    DescribeTemplateSource,
    ListTemplates,
    SavedTemplateSource,
    TemplateEntry,
    TemplateGroup,
)
from .files import read_source, write_source
from .model import META_FILE
from .render import search_path
from .roots import SearchRoots


class TemplatesService:
    """Template listing, template paths, and template source get/put."""

    def __init__(self, roots: SearchRoots) -> None:
        self.roots = roots

    def available(self, project_dir: str) -> ListTemplates:
        """``GET /project/templates``: every template on the search path, grouped."""
        project = self.roots.project(project_dir)
        chain = self.roots.workspaces_of(project.root)
        groups = [
            TemplateGroup(
                group="Meta", templates=[self._entry(project.root / META_FILE, META_FILE)]
            ),
            TemplateGroup(
                group="Configs",
                templates=[
                    self._entry(project.configs_dir / n, f"{project.config_prefix}/{n}")
                    for n in project.config_names()
                ],
            ),
        ]
        sources = [("Project Templates", p) for p in project.template_paths]
        sources += [("Workspace Templates", p) for ws in chain for p in ws.template_paths]
        for label, base in sources:
            if base.is_dir():
                groups.append(
                    TemplateGroup(group=label, root=str(base), templates=self._walk(base))
                )
        return ListTemplates(groups=groups)

    def _walk(self, base: Path) -> list[TemplateEntry]:
        entries = []
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
            for f in sorted(filenames):
                if not f.startswith("."):
                    full = Path(dirpath) / f
                    entries.append(self._entry(full, full.relative_to(base).as_posix()))
        return entries

    def _entry(self, path: Path, name: str) -> TemplateEntry:
        return TemplateEntry(name=name, path=str(path), lab_path=self.roots.lab(path))

    def paths(self, project_dir: str) -> DescribeTemplatePaths:
        """``GET /project/template-paths``: where new templates and configs go."""
        project = self.roots.project(project_dir)
        chain = self.roots.workspaces_of(project.root)
        templates_dir = project.template_paths[0] if project.template_paths else project.root
        return DescribeTemplatePaths(
            project_dir=str(project.root),
            templates_dir=str(templates_dir),
            configs_dir=str(project.configs_dir),
            config_prefix=project.config_prefix,
            search_path=[str(p) for p in search_path(project, chain)],
        )

    def source(self, path: str) -> DescribeTemplateSource:
        """``GET /template/source``: text and mtime of a file inside the roots."""
        resolved = self.roots.resolve(path, "path")
        source = read_source(resolved, self.roots.all())
        return DescribeTemplateSource(
            path=str(resolved),
            lab_path=self.roots.lab(resolved),
            content=source.content,
            mtime=source.mtime,
        )

    def save(self, path: str, content: str, expected_mtime: float | None) -> SavedTemplateSource:
        """``PUT /template/source``: replace atomically; 409 when changed since
        ``expected_mtime`` (None forces the write)."""
        resolved = self.roots.resolve(path, "path")
        mtime = write_source(resolved, content, expected_mtime)
        return SavedTemplateSource(
            path=str(resolved), lab_path=self.roots.lab(resolved), mtime=mtime
        )
