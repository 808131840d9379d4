"""The auth-gated TensorBoard reverse proxy: ``/forgather/api/tb/{job_id}/...``.

TensorBoard has no authentication, so it listens on 127.0.0.1 only and is
reached here, behind Jupyter's auth. It runs with this path as its
``--path_prefix``, so the path is forwarded unchanged and its links resolve.
WebSockets are not proxied (TensorBoard's core dashboards do not use them).
Which job, whether it answers and the upstream URL: ``tensorboard.proxy.plan``.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..tensorboard.proxy import plan
from .base import API_PREFIX, ForgatherHandler, Route, operation
from .inference import stream_to_client


class TensorBoardRoute(Route):
    """``{path}`` matches the rest of the URL, slashes included."""

    @property
    def pattern(self) -> str:
        return API_PREFIX + r"/tb/(?P<job_id>[^/]+)(?P<path>(?:/.*)?)"


class TensorBoardProxyHandler(ForgatherHandler):
    def check_xsrf_cookie(self) -> None:
        # TensorBoard's own pages POST data queries without Jupyter's XSRF
        # token. A browser marks its same-origin requests itself
        # (Sec-Fetch-Site cannot be set by page script), so those pass; any
        # other cookie-authenticated POST still needs the XSRF token.
        if self.request.headers.get("Sec-Fetch-Site") == "same-origin":
            return
        super().check_xsrf_cookie()

    async def _forward(self, job_id: str, path: str, method: str) -> None:
        if not path:  # TensorBoard's relative links need the trailing slash
            self.redirect(
                self.request.path + "/" + (f"?{self.request.query}" * bool(self.request.query))
            )
            return
        request = await plan(
            self.runtime.endpoints, job_id, method, path, self.request.query, self.request.headers
        )
        await stream_to_client(self, request, self.request.body if method == "POST" else None)

    @operation(
        "TensorBoard of a job, through the auth-gated proxy (its pages, scripts and data)",
        content_type="*/*",
        errors={404: "no such TensorBoard job", 409: "it ended", 503: "still starting"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str, path: str) -> None:
        await self._forward(job_id, path, "GET")

    @operation(
        "TensorBoard data queries (POST), through the proxy",
        content_type="*/*",
        errors={404: "no such TensorBoard job", 409: "it ended", 503: "still starting"},
    )
    @web.authenticated
    @authorized
    async def post(self, job_id: str, path: str) -> None:
        await self._forward(job_id, path, "POST")


ROUTES = [TensorBoardRoute("/tb/{job_id}/{path}", TensorBoardProxyHandler)]
