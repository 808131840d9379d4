"""One config: its source, what it renders to, uses and declares, its overrides, its job.

``ConfigsService`` renders a config (``render.py``) with the stored dynamic-args
overrides overlaid by any explicit values, and answers each view of the
result as its API model. ``resolve_job`` is what the training and eval job
kinds launch from. Every method is synchronous file and template work: the
handlers run it off the event loop (``ProjectsService.run``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2

from ..errors import BadRequest, NotFound
from ..models.projects import (
    DescribeConfigMeta,
    DescribeConfigSource,
    DescribeDynamicArgs,
    DescribeOutputDir,
    DescribeOverrides,
    DescribeRenderedConfig,
    DescribeTemplateGraph,
    ListConfigTemplates,
    TemplateEntry,
)
from ..store import Database
from . import state
from .dynamic_args import resolve_values
from .files import read_source
from .graph import graph_dot, graph_json
from .job import JobSpec, default_gpus, job_type_of, parse_job
from .model import Project
from .output_files import counts
from .paths import resolve_under
from .render import Rendered, render_config
from .roots import SearchRoots


class ConfigsService:
    """Rendering and inspection of a project's configs, and their stored overrides."""

    def __init__(self, db: Database, roots: SearchRoots) -> None:
        self.db = db
        self.roots = roots

    # -- rendering ---------------------------------------------------------------

    def config_name(self, project: Project, config: str | None) -> str:
        """The config to use: the given one (checked) or the project's default."""
        name = config or project.default_config
        if not name:
            raise BadRequest(f"{project.root} has no default_config; name a config")
        if name.startswith(("/", "\\", "~")):
            raise BadRequest(
                f"The config {name!r:.120} must be a name under {project.config_prefix}/, "
                "not an absolute path"
            )
        resolve_under(name, project.configs_dir, self.roots.all(), "config")
        return name

    def render(
        self, project_dir: str, config: str | None, explicit: dict[str, Any] | None = None
    ) -> tuple[Project, Rendered]:
        """Render a config: the stored overrides, overlaid by ``explicit`` values.

        Stored names the schema no longer knows are ignored (``Rendered.ignored``);
        an unknown explicit name is a 400.
        """
        project = self.roots.project(project_dir)
        name = self.config_name(project, config)
        values = self.db.call(lambda c: state.get_overrides(c, project.root, name))
        values.update(explicit or {})
        try:
            rendered = render_config(
                project, self.roots.workspaces_of(project.root), name, values, self.roots.all()
            )
        except jinja2.TemplateNotFound as e:
            raise NotFound(f"Config {name!r} not found in {project.configs_dir}") from e
        unknown = sorted(set(explicit or {}) & set(rendered.ignored))
        if unknown:
            known = sorted(s.name for s in rendered.specs)
            raise BadRequest(f"Unknown dynamic args {unknown} for {name}; known: {known}")
        return project, rendered

    def job_of(self, project: Project, rendered: Rendered) -> JobSpec | None:
        """The rendered config's job block, resolved (None when it has none)."""
        where = str(project.configs_dir / _short(rendered))
        stem = Path(rendered.name).stem
        return parse_job(
            rendered.data.get("job"),
            project.root,
            where,
            self.roots.all(),
            stem,
            _config_class(rendered),
        )

    def resolve_job(
        self, project_dir: str, config: str | None, dynamic_args: dict[str, Any] | None = None
    ) -> JobSpec:
        """What to launch for a config (sync; call it off the event loop).

        ``dynamic_args`` overlay the stored overrides (stored values are the
        base under explicit ones); unknown names and wrong types are a 400, and
        so is a config without a ``job`` block.
        """
        project, rendered = self.render(project_dir, config, dynamic_args)
        job = self.job_of(project, rendered)
        if job is None:
            raise BadRequest(f"Config {rendered.name} of {project.root} has no 'job' block")
        return job

    # -- views -------------------------------------------------------------------

    def raw(self, project_dir: str, config: str | None) -> DescribeConfigSource:
        """``GET /config/raw``: the config's source."""
        project = self.roots.project(project_dir)
        name = self.config_name(project, config)
        path = project.configs_dir / name
        source = read_source(path, self.roots.all())
        return DescribeConfigSource(
            path=str(path),
            lab_path=self.roots.lab(path),
            config=name,
            content=source.content,
            mtime=source.mtime,
        )

    def preprocessed(self, project_dir: str, config: str | None) -> DescribeRenderedConfig:
        """``GET /config/pp``: the rendered YAML with the stored overrides applied."""
        _, r = self.render(project_dir, config)
        return DescribeRenderedConfig(
            config=r.name, yaml=r.text, values=r.values, ignored=r.ignored
        )

    def template_graph(
        self, project_dir: str, config: str | None, fmt: str
    ) -> DescribeTemplateGraph:
        """``GET /config/trefs``: the template graph (``format`` json or dot)."""
        _, r = self.render(project_dir, config)
        if fmt == "dot":
            return DescribeTemplateGraph(config=r.name, format="dot", dot=graph_dot(r))
        nodes, edges = graph_json(r, self.roots.lab)
        return DescribeTemplateGraph(config=r.name, format="json", nodes=nodes, edges=edges)

    def templates(self, project_dir: str, config: str | None) -> ListConfigTemplates:
        """``GET /config/templates``: the templates this config consumed, in load order."""
        _, r = self.render(project_dir, config)
        return ListConfigTemplates(
            config=r.name,
            templates=[
                TemplateEntry(name=n, path=str(p), lab_path=self.roots.lab(p))
                for n, p in r.files.items()
            ],
        )

    def meta(self, project_dir: str, config: str | None) -> DescribeConfigMeta:
        """``GET /config/meta``: config_name, config_description, config_class."""
        project, r = self.render(project_dir, config)
        raw_meta = r.data.get("meta")
        meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
        file = project.configs_dir / _short(r)
        config_class = _config_class(r)
        has_job = isinstance(r.data.get("job"), dict)
        job_type = job_type_of(config_class) if has_job else None
        not_runnable = None
        if not has_job:
            not_runnable = f"{_short(r)} has no job block: there is nothing to run"
        elif job_type is None:
            not_runnable = (
                f"{_short(r)} is a {config_class} config: only training and evaluation "
                "configs run; it has Overrides… only"
            )
        return DescribeConfigMeta(
            config=_short(r),
            path=str(file),
            lab_path=self.roots.lab(file),
            config_name=str(meta.get("config_name") or Path(r.name).stem),
            config_description=str(meta.get("config_description") or ""),
            config_class=config_class,
            has_job=has_job,
            job_type=job_type,
            not_runnable=not_runnable,
        )

    def output_dir(self, project_dir: str, config: str | None) -> DescribeOutputDir:
        """``GET /config/output-dir``: where the job writes, and what is there."""
        project, r = self.render(project_dir, config)
        job = self.job_of(project, r)
        out = job.output_dir if job else None
        exists = bool(out and out.is_dir())
        job_type = job_type_of(job.config_class) if job else None
        usable = self.roots.settings.usable_gpus
        reserved = None
        if job is not None and job_type is not None:
            # What the training / eval job kinds reserve (jobs/kinds.py ConfigKind): only
            # training starts several processes.
            multi = job_type == "training"
            count = usable() if usable is not None else 0
            reserved = default_gpus(job.gpus, job.nproc_per_node, count, multi)
        return DescribeOutputDir(
            config=_short(r),
            output_dir=str(out) if out else None,
            lab_path=self.roots.lab(out),
            exists=exists,
            nproc_per_node=job.nproc_per_node if job else None,
            gpus=job.gpus if job else None,
            counts=counts(out, self.roots.all()) if out and exists else None,
            job=job.describe() if job else None,
            default_gpus=reserved,
        )

    def dynamic_args(self, project_dir: str, config: str | None) -> DescribeDynamicArgs:
        """``GET /config/dynamic-args``: the form schema and the current values."""
        _, r = self.render(project_dir, config)
        return DescribeDynamicArgs(
            config=_short(r),
            args=[s.describe() for s in r.specs],
            values=r.values,
            ignored=r.ignored,
        )

    # -- overrides ---------------------------------------------------------------

    def overrides(self, project_dir: str, config: str | None) -> DescribeOverrides:
        """``GET /config/overrides``: the stored values."""
        project = self.roots.project(project_dir)
        name = self.config_name(project, config)
        values = self.db.call(lambda c: state.get_overrides(c, project.root, name))
        return DescribeOverrides(project_dir=str(project.root), config=name, values=values)

    def set_overrides(
        self, project_dir: str, config: str | None, values: dict[str, Any]
    ) -> DescribeOverrides:
        """``POST /config/overrides``: validate against the schema, then replace."""
        project, r = self.render(project_dir, config, {})
        name = _short(r)
        resolve_values(r.specs, values, f"{name} overrides", strict=True)
        self.render(project_dir, config, values)  # they must render too, or a 4xx now
        self.db.call(lambda c: state.set_overrides(c, project.root, name, values))
        return DescribeOverrides(project_dir=str(project.root), config=name, values=values)

    def clear_overrides(self, project_dir: str, config: str | None) -> DescribeOverrides:
        """``DELETE /config/overrides``."""
        project = self.roots.project(project_dir)
        name = self.config_name(project, config)
        self.db.call(lambda c: state.clear_overrides(c, project.root, name))
        return DescribeOverrides(project_dir=str(project.root), config=name, values={})


def _config_class(rendered: Rendered) -> str:
    """``meta.config_class`` of a rendered config ("" when it has none)."""
    meta = rendered.data.get("meta")
    return str(meta.get("config_class") or "") if isinstance(meta, dict) else ""


def _short(rendered: Rendered) -> str:
    """The config's name under config_prefix ("configs/sub/x.yaml" -> "sub/x.yaml")."""
    return rendered.name.split("/", 1)[-1]
