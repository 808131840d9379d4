"""What every projects handler shares: the service, the documented path errors."""

from __future__ import annotations

from ...projects import ProjectsService
from ..base import ForgatherHandler

PATH_ERRORS = {404: "no such project, config or file", 403: "outside the search roots"}
CREATE_ERRORS = {**PATH_ERRORS, 409: "already exists"}


class ProjectsHandlerBase(ForgatherHandler):
    """Gives handlers the projects service."""

    @property
    def projects(self) -> ProjectsService:
        """The projects service of this server."""
        return self.runtime.projects
