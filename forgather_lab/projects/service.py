"""``ProjectsService``: the projects domain as one object made of small ones.

It composes, by noun (each a class of its own module):

- ``roots``: the search roots, example seeding and the path guard (``roots.py``);
- ``catalog``: discovery, one project, its README and assets (``catalog.py``);
- ``configs``: rendering, config views, overrides, ``resolve_job`` (``configs.py``);
- ``templates``: template listing, template paths, source get/put (``templates.py``);
- ``outputs``: a project's models, runs, checkpoints, evaluations (``outputs.py``);
- ``workspace``: creation (``workspace.py``, ``scaffold.py``) and guarded deletion
  (``deletion.py``).

The services' methods are synchronous (files, templates, the database's
``call``); handlers run them off the event loop with ``run``, which also maps
the OS's refusal of a client path into a 400.
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from ..errors import BadRequest
from ..store import Database
from .catalog import ProjectCatalog
from .configs import ConfigsService
from .job import JobSpec
from .outputs import OutputsService
from .roots import ProjectsSettings, SearchRoots
from .templates import TemplatesService
from .workspace import WorkspaceService

P = ParamSpec("P")
T = TypeVar("T")


class ProjectsService:
    """Everything the project endpoints and the config job kinds need."""

    def __init__(self, db: Database, settings: ProjectsSettings) -> None:
        self.roots = SearchRoots(db, settings)
        self.catalog = ProjectCatalog(self.roots)
        self.configs = ConfigsService(db, self.roots)
        self.templates = TemplatesService(self.roots)
        self.outputs = OutputsService(self.roots, self.configs)
        self.workspace = WorkspaceService(self.roots, self.configs)

    def open(self) -> None:
        """Seed the example workspace (first start of a state database) and load the roots."""
        self.roots.open()

    def resolve_job(
        self, project_dir: str, config: str | None, dynamic_args: dict[str, Any] | None = None
    ) -> JobSpec:
        """What to launch for a config (sync): ``configs.resolve_job``, kept here for the
        runtime's job kinds."""
        return self.configs.resolve_job(project_dir, config, dynamic_args)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """``fn(*args, **kwargs)`` off the event loop (file and template work blocks).

        A client-supplied path the OS cannot even look up (too long, a NUL
        byte) is the client's mistake: a 400, not a 500.
        """
        try:
            return await asyncio.to_thread(fn, *args, **kwargs)
        except OSError as e:
            if e.errno == errno.ENAMETOOLONG:
                raise BadRequest(f"A path in the request is too long: {e.filename!r:.120}") from e
            raise
        except ValueError as e:
            if "null byte" in str(e):
                raise BadRequest("A path in the request contains a NUL byte") from e
            raise


__all__ = ["ProjectsService", "ProjectsSettings"]
