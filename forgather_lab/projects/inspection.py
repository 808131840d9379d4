"""Config inspection: what a config renders to, uses and declares (sync methods).

A mixin of ``ProjectsService``; each method answers one endpoint and runs off
the event loop (the handlers call them through ``ProjectsService.run``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import overrides as store
from .dynamic_args import resolve_values
from .files import mtime_of, read_source
from .graph import graph_dot, graph_json
from .model import META_FILE
from .outputs import counts
from .paths import read_text_capped
from .render import search_path
from .service import ProjectsCore


class InspectMixin(ProjectsCore):
    """Config and template inspection endpoints."""

    def describe_file(self, path: Path | None) -> dict[str, Any]:
        """``path`` and JupyterLab's ``lab_path`` for a file (both None when unknown)."""
        return {"path": str(path) if path else None, "lab_path": self.lab(path)}

    def readme(self, project_dir: str) -> dict[str, Any]:
        """``GET /project/readme``: the README as markdown ("" when there is none)."""
        project = self.project(project_dir)
        readme = project.root / "README.md"
        text = read_text_capped(readme) if readme.is_file() else ""
        return {**self.describe_file(readme if text else None), "markdown": text}

    def template_paths(self, project_dir: str) -> dict[str, Any]:
        """``GET /project/template-paths``: where new templates and configs go."""
        project = self.project(project_dir)
        chain = self.workspaces_of(project.root)
        paths = search_path(project, chain)
        templates_dir = project.template_paths[0] if project.template_paths else project.root
        return {
            "project_dir": str(project.root),
            "templates_dir": str(templates_dir),
            "configs_dir": str(project.configs_dir),
            "config_prefix": project.config_prefix,
            "search_path": [str(p) for p in paths],
        }

    def list_templates(self, project_dir: str) -> list[dict[str, Any]]:
        """``GET /project/templates``: every template on the search path, grouped."""
        project = self.project(project_dir)
        chain = self.workspaces_of(project.root)
        groups: list[dict[str, Any]] = [
            {"group": "Meta", "templates": [self._entry(project.root / META_FILE, META_FILE)]}
        ]
        configs = [
            self._entry(project.configs_dir / n, f"{project.config_prefix}/{n}")
            for n in project.config_names()
        ]
        groups.append({"group": "Configs", "templates": configs})
        sources = [("Project Templates", p) for p in project.template_paths]
        sources += [("Workspace Templates", p) for ws in chain for p in ws.template_paths]
        for label, base in sources:
            if not base.is_dir():
                continue
            entries = []
            for dirpath, dirnames, filenames in os.walk(base):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "__")))
                for f in sorted(filenames):
                    if not f.startswith("."):
                        full = Path(dirpath) / f
                        entries.append(self._entry(full, full.relative_to(base).as_posix()))
            groups.append({"group": label, "root": str(base), "templates": entries})
        return groups

    def _entry(self, path: Path, name: str) -> dict[str, Any]:
        return {"name": name, **self.describe_file(path)}

    # -- configs ---------------------------------------------------------------

    def config_raw(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/raw``: the config's source."""
        project = self.project(project_dir)
        name = self.config_name(project, config)
        path = project.configs_dir / name
        return {**self.describe_file(path), "config": name, **read_source(path)}

    def config_pp(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/pp``: the rendered YAML with the stored overrides applied."""
        _, r = self.render(project_dir, config)
        return {"config": r.name, "yaml": r.text, "values": r.values, "ignored": r.ignored}

    def config_trefs(self, project_dir: str, config: str | None, fmt: str) -> dict[str, Any]:
        """``GET /config/trefs``: the template graph (``format`` json or dot)."""
        _, r = self.render(project_dir, config)
        if fmt == "dot":
            return {"config": r.name, "format": "dot", "dot": graph_dot(r)}
        return {"config": r.name, "format": "json", **graph_json(r, self.describe_file)}

    def config_templates(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/templates``: the templates this config consumed, in load order."""
        _, r = self.render(project_dir, config)
        return {
            "config": r.name,
            "templates": [{"name": n, **self.describe_file(p)} for n, p in r.files.items()],
        }

    def config_meta(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/meta``: config_name, config_description, config_class."""
        project, r = self.render(project_dir, config)
        meta = r.data.get("meta") if isinstance(r.data.get("meta"), dict) else {}
        file = project.configs_dir / r.name.split("/", 1)[-1]
        return {
            "config": r.name.split("/", 1)[-1],
            **self.describe_file(file),
            "config_name": str(meta.get("config_name") or Path(r.name).stem),
            "config_description": str(meta.get("config_description") or ""),
            "config_class": str(meta.get("config_class") or ""),
            "has_job": isinstance(r.data.get("job"), dict),
        }

    def config_output_dir(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/output-dir``: where the job writes, and what is there."""
        project, r = self.render(project_dir, config)
        job = self.job_of(project, r)
        out = job.output_dir if job else None
        exists = bool(out and out.is_dir())
        return {
            "config": r.name.split("/", 1)[-1],
            "output_dir": str(out) if out else None,
            "lab_path": self.lab(out),
            "exists": exists,
            "nproc_per_node": job.nproc_per_node if job else None,
            "gpus": job.gpus if job else None,
            "counts": counts(out) if out and exists else None,
            "job": job.as_dict() if job else None,
        }

    def config_dynamic_args(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/dynamic-args``: the form schema and the current values."""
        _, r = self.render(project_dir, config)
        return {
            "config": r.name.split("/", 1)[-1],
            "args": [s.as_dict() for s in r.specs],
            "values": r.values,
            "ignored": r.ignored,
        }

    def get_overrides(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``GET /config/overrides``: the stored values."""
        project = self.project(project_dir)
        name = self.config_name(project, config)
        values = self.db.call(lambda c: store.get_overrides(c, project.root, name))
        return {"project_dir": str(project.root), "config": name, "values": values}

    def set_overrides(
        self, project_dir: str, config: str | None, values: dict[str, Any]
    ) -> dict[str, Any]:
        """``POST /config/overrides``: validate against the schema, then replace."""
        project, r = self.render(project_dir, config, {})
        name = r.name.split("/", 1)[-1]
        resolve_values(r.specs, values, f"{name} overrides", strict=True)
        self.render(project_dir, config, values)  # they must render too, or a 4xx now
        self.db.call(lambda c: store.set_overrides(c, project.root, name, values))
        return {"project_dir": str(project.root), "config": name, "values": values}

    def clear_overrides(self, project_dir: str, config: str | None) -> dict[str, Any]:
        """``DELETE /config/overrides``."""
        project = self.project(project_dir)
        name = self.config_name(project, config)
        self.db.call(lambda c: store.clear_overrides(c, project.root, name))
        return {"project_dir": str(project.root), "config": name, "values": {}}

    # -- template source ---------------------------------------------------------

    def template_source(self, raw: str) -> dict[str, Any]:
        """``GET /template/source``: text and mtime of a file inside the roots."""
        path = self.resolve(raw, "path")
        return {**self.describe_file(path), **read_source(path)}

    def source_mtime(self, path: Path) -> float:
        """The mtime reported in ``X-Mtime``."""
        return mtime_of(path)
