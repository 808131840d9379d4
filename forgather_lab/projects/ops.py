"""Creation, deletion, assets and outputs (sync methods of ``ProjectsService``)."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ..errors import BadRequest, Forbidden
from . import outputs, workspace
from .files import delete_dir, delete_file, read_asset, write_source
from .inspection import InspectMixin
from .model import WORKSPACE_MARKER
from .paths import guard_deletable, is_within, resolve_under

T = TypeVar("T")


class ProjectsService(InspectMixin):
    """Everything the project endpoints need; one method per endpoint."""

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """Run a sync method off the event loop (file and template work blocks).

        A client-supplied path the OS cannot even look up (too long, a NUL
        byte) is the client's mistake: a 400, not a 500.
        """
        try:
            return await asyncio.to_thread(fn, *args)
        except OSError as e:
            if e.errno == errno.ENAMETOOLONG:
                raise BadRequest(f"A path in the request is too long: {e.filename!r:.120}") from e
            raise
        except ValueError as e:
            if "null byte" in str(e):
                raise BadRequest("A path in the request contains a NUL byte") from e
            raise

    async def projects(self) -> dict[str, Any]:
        """``GET /projects``."""
        return await self.run(self.discover)

    # -- assets and sources --------------------------------------------------------

    def asset(self, project_dir: str, asset: str) -> tuple[bytes, str]:
        """``GET /project/asset``: a file the README embeds, inside the project."""
        project = self.project(project_dir)
        path = resolve_under(asset, project.root, [project.root], "asset")
        return read_asset(path)

    def save_source(self, raw: str, content: str, expected_mtime: float | None) -> dict[str, Any]:
        """``PUT /template/source``."""
        path = self.resolve(raw, "path")
        mtime = write_source(path, content, expected_mtime)
        return {**self.describe_file(path), "mtime": mtime}

    # -- creation ---------------------------------------------------------------------

    def new_workspace(
        self, parent_dir: str, name: str, description: str, workspace_dir_name: str | None
    ) -> dict[str, Any]:
        """``POST /workspace/new``: the parent must be a search root exactly."""
        parent = self.resolve(parent_dir, "parent_dir")
        if parent not in self.roots():
            raise BadRequest(f"{parent} is not a search root; pick one of the roots")
        path = workspace.new_workspace(parent, name, description, workspace_dir_name)
        return {"workspace_dir": str(path), "lab_path": self.lab(path)}

    def init_workspace(self, workspace_dir: str, name: str, description: str) -> dict[str, Any]:
        """``POST /workspace/init-here``: an existing directory under a root."""
        path = self.resolve(workspace_dir, "workspace_dir")
        workspace.init_workspace(path, name, description)
        return {"workspace_dir": str(path), "lab_path": self.lab(path)}

    def new_project(
        self,
        workspace_dir: str,
        name: str,
        description: str,
        config_prefix: str,
        default_config: str,
        project_dir_name: str | None,
    ) -> dict[str, Any]:
        """``POST /workspace/new-project``."""
        ws = self.resolve(workspace_dir, "workspace_dir")
        path = workspace.new_project(
            ws, name, description, config_prefix, default_config, project_dir_name
        )
        return {"project_dir": str(path), "lab_path": self.lab(path)}

    def new_template(self, project_dir: str, kind: str, name: str) -> dict[str, Any]:
        """``POST /project/new-template``: a config (starter content) or an empty template."""
        project = self.project(project_dir)
        if kind == "config":
            base, title = project.configs_dir, Path(name).stem.replace("_", " ")
        else:
            base = project.template_paths[0] if project.template_paths else project.root
            title = None
        path = workspace.new_template(base, name, title)
        return {"path": str(path), "lab_path": self.lab(path), "kind": kind}

    # -- deletion ---------------------------------------------------------------------

    def _deletable(self, raw: str) -> Path:
        if not Path(raw).is_absolute():
            raise BadRequest(f"Deletion needs an absolute path, not {raw!r}")
        if ".." in Path(raw).parts:
            raise BadRequest(f"The path {raw!r} must not contain '..'")
        protected = [self.root_dir] if self.root_dir else []
        return guard_deletable(Path(raw), self.roots(), protected)

    def delete_dir(self, path: str, confirmed: bool) -> dict[str, Any]:
        """``POST /fs/delete-dir``: recursive, confirmed, guarded."""
        if not confirmed:
            raise BadRequest("Deleting a directory needs confirmed: true")
        target = self._deletable(path)
        if target.name == WORKSPACE_MARKER:
            raise Forbidden("Delete the workspace directory itself, not its marker")
        delete_dir(target)
        return {"deleted": str(target)}

    def delete_file(self, path: str, confirmed: bool) -> dict[str, Any]:
        """``POST /fs/delete-file``: one regular file, confirmed, guarded."""
        if not confirmed:
            raise BadRequest("Deleting a file needs confirmed: true")
        target = self._deletable(path)
        delete_file(target)
        return {"deleted": str(target)}

    # -- outputs ------------------------------------------------------------------------

    def project_models(self, project_dir: str) -> list[dict[str, Any]]:
        """``GET /project/models``: one row per distinct output_dir of the configs."""
        project = self.project(project_dir)
        rows: dict[str, dict[str, Any]] = {}
        for name in project.config_names():
            try:
                _, r = self.render(str(project.root), name)
                job = self.job_of(project, r)
            except BadRequest:
                continue  # a broken config has no output dir; its own view says why
            if job is None:
                continue
            key = str(job.output_dir)
            row = rows.setdefault(
                key,
                {
                    "output_dir": key,
                    "lab_path": self.lab(job.output_dir),
                    "configs": [],
                    "exists": job.output_dir.is_dir(),
                    "counts": outputs.counts(job.output_dir),
                },
            )
            row["configs"].append(name)
        return list(rows.values())

    def output_dir(self, raw: str) -> Path:
        """An output directory (or run directory) named by a client, inside the roots."""
        return self.resolve(raw, "output_dir")

    def runs(self, raw: str) -> list[dict[str, Any]]:
        """``GET /model/runs``."""
        return [self._lab(r) for r in outputs.list_runs(self.output_dir(raw))]

    def checkpoints(self, raw: str) -> list[dict[str, Any]]:
        """``GET /model/checkpoints``."""
        return [self._lab(c) for c in outputs.list_checkpoints(self.output_dir(raw))]

    def evaluations(self, raw: str) -> list[dict[str, Any]]:
        """``GET /model/evaluations``."""
        return [self._lab(e) for e in outputs.list_evaluations(self.output_dir(raw))]

    def run_summary(self, raw: str) -> dict[str, Any]:
        """``GET /run/summary``."""
        return outputs.run_summary(self.resolve(raw, "run_dir"))

    def run_tty(self, raw: str) -> dict[str, Any]:
        """``GET /run/tty``."""
        return outputs.run_tty(self.resolve(raw, "run_dir"))

    def _lab(self, row: dict[str, Any]) -> dict[str, Any]:
        path = Path(row["path"])
        inside = any(is_within(Path(os.path.realpath(path)), r) for r in self.roots())
        return {**row, "lab_path": self.lab(path) if inside else None}
