"""Projects and configs: discovery, rendering, inspection, overrides, outputs.

No HTTP in here (``tests/test_layering.py`` checks it). The handlers call the
typed services ``ProjectsService`` composes (``.roots``, ``.catalog``,
``.configs``, ``.templates``, ``.outputs``, ``.workspace``); the config job
kinds launch what ``ProjectsService.resolve_job`` answers.
"""

from .job import JobSpec
from .roots import ProjectsSettings
from .service import ProjectsService

__all__ = ["JobSpec", "ProjectsService", "ProjectsSettings"]
