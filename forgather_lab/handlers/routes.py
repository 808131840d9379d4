"""The route table: every /forgather/api endpoint, in one place.

Paths are written the OpenAPI way (``/jobs/{job_id}``); the tornado pattern
is derived from them, so the table and the document cannot disagree.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .base import ForgatherHandler
from .meta import HealthHandler, OpenAPIHandler

API_PREFIX = "/forgather/api"


@dataclass(frozen=True)
class Route:
    """One path and the handler serving it."""

    path: str  # relative to API_PREFIX, OpenAPI style
    handler: type[ForgatherHandler]

    @property
    def openapi_path(self) -> str:
        """The absolute path as the OpenAPI document writes it."""
        return API_PREFIX + re.sub(r"\{(\w+):int\}", r"{\1}", self.path)

    @property
    def pattern(self) -> str:
        """The tornado URL pattern, with named groups for path parameters."""
        pattern = re.sub(r"\{(\w+):int\}", r"(?P<\1>\\d+)", self.path)
        pattern = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern)
        return API_PREFIX + pattern


ROUTES: list[Route] = [
    Route("/health", HealthHandler),
    Route("/openapi.json", OpenAPIHandler),
]


def handlers() -> list[tuple[str, type[ForgatherHandler]]]:
    """(pattern, handler) pairs for ExtensionApp.handlers (base_url is joined there)."""
    return [(r.pattern, r.handler) for r in ROUTES]
