"""The auth-gated TensorBoard reverse proxy: ``/forgather/api/tb/{job_id}/...``.

TensorBoard has no authentication, so it listens on 127.0.0.1 only and is
reached here, behind Jupyter's auth. It runs with this path as its
``--path_prefix``, so the path is forwarded unchanged and its links resolve.
WebSockets are not proxied (TensorBoard's core dashboards do not use them).
"""

from __future__ import annotations

from urllib.parse import quote

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..errors import Conflict, NotFound, Unavailable
from ..models.inference import OpenAIReply
from ..proxy.upstream import request_headers
from .base import API_PREFIX, ForgatherHandler, Route, operation
from .inference import stream_to_client

SAFE = "/:@!$&'()*+,;=-._~"  # path characters forwarded as they are


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
        endpoint = await self.runtime.endpoints.get(job_id)
        if endpoint is None or endpoint["job_type"] != "tensorboard":
            raise NotFound(f"No TensorBoard job {job_id!r}")
        if endpoint["state"] == "stopped":
            raise Conflict(f"TensorBoard job {job_id} is {endpoint['status']}")
        if endpoint["state"] != "ready" or not endpoint["base_url"]:
            raise Unavailable(
                f"TensorBoard job {job_id} is {endpoint['state']}"
                + (f": {endpoint['message']}" if endpoint["message"] else "; try again shortly")
            )
        url = f"{endpoint['base_url']}/{quote(path.lstrip('/'), safe=SAFE)}"
        if self.request.query:
            url += "?" + self.request.query
        body = self.request.body if method == "POST" else None
        await stream_to_client(
            self, method, url, request_headers(dict(self.request.headers), None), body
        )

    @operation(
        "TensorBoard of a job, through the auth-gated proxy",
        response=OpenAIReply,
        content_type="text/html",
        errors={404: "no such TensorBoard job", 409: "it ended", 503: "still starting"},
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str, path: str) -> None:
        await self._forward(job_id, path, "GET")

    @operation(
        "TensorBoard data queries (POST), through the proxy",
        response=OpenAIReply,
        errors={404: "no such TensorBoard job", 409: "it ended", 503: "still starting"},
    )
    @web.authenticated
    @authorized
    async def post(self, job_id: str, path: str) -> None:
        await self._forward(job_id, path, "POST")


ROUTES = [TensorBoardRoute("/tb/{job_id}/{path}", TensorBoardProxyHandler)]
