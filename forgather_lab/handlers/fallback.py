"""Any other path under /forgather/api: a JSON 404 rather than Jupyter's HTML page.

Registered after the route table (``app.py``), so it only answers what no
route matched: an unknown endpoint, or a path parameter its pattern refuses
(``/gpus/-1/policy``). It is not in the OpenAPI document; it sits behind the
same authentication as every other route, so it reveals nothing to a
stranger.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import NotFound
from .base import API_PREFIX, ForgatherHandler


class UnknownEndpointHandler(ForgatherHandler):
    requires_ready = False  # a wrong URL is a 404 even while the state is unusable

    @web.authenticated
    @authorized
    async def get(self, path: str) -> None:
        raise NotFound(
            f"No endpoint {self.request.method} {API_PREFIX}/{path}; see {API_PREFIX}/openapi.json"
        )

    post = put = patch = delete = get


PATTERN = API_PREFIX + r"/(?P<path>.*)"
