"""Projects, configs, templates and outputs: thin handlers over ``ProjectsService``.

Each verb parses its query or body into a model, awaits one typed service call
off the event loop (``ProjectsService.run``) and replies with the model it
returns. Paths are checked by the service (``..`` is a 400, a path or symlink
leaving the search roots a 403). One module per noun, as in ``projects/``;
handler class names are the OpenAPI operation ids.
"""

from __future__ import annotations

from ..base import Route
from . import catalog, configs, outputs, templates, workspace

ROUTES: list[Route] = [
    *catalog.ROUTES,
    *templates.ROUTES,
    *outputs.ROUTES,
    *configs.ROUTES,
    *workspace.ROUTES,
]
