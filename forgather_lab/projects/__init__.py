"""Projects and configs: discovery, rendering, inspection, overrides, outputs.

No HTTP in here (``tests/test_layering.py`` checks it). The handlers call
``ProjectsService``; the job launcher calls ``ProjectsService.resolve_job``.
"""

from .job import JobSpec
from .ops import ProjectsService
from .service import ProjectsSettings

__all__ = ["JobSpec", "ProjectsService", "ProjectsSettings"]
