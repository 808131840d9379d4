"""The TensorBoard reverse proxy: ``/forgather/api/tb/{job_id}/...`` and its view links.

TensorBoard has no authentication, so it listens on 127.0.0.1 only and is
reached here. It runs with ``/forgather/api/tb/{job_id}`` as its
``--path_prefix`` and links relatively, so a path under either route below
is put after its base URL as it is. WebSockets are not proxied (TensorBoard's
core dashboards do not use them). Which job, whether it answers and the
upstream URL: ``tensorboard.proxy.plan``.

- ``/tb/{job_id}/...`` is behind Jupyter's auth like every route. A browser
  loading a page there is redirected to the job's view link; other clients
  (the CLI, a notebook, a script with the token) are answered here.
- ``/tb-view/{job_id}/{grant}/...`` is the view link: the grant in the path
  is the credential (Jupyter's cookie could not be: the page is an opaque
  origin, see ``tensorboard.sandbox``), and it opens only that job's
  TensorBoard. Its answers may be read by the page's opaque origin (CORS
  ``*``, never with credentials); no cookie is read, so there is no XSRF
  to defend.

Both send the sandboxing ``Content-Security-Policy`` with every answer.
"""

from __future__ import annotations

from urllib.parse import quote

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from jupyter_server.utils import url_path_join
from tornado import web

from ..errors import Forbidden, Unavailable
from ..tensorboard.proxy import SAFE, plan, ready_endpoint
from ..tensorboard.sandbox import (
    CONTENT_SECURITY_POLICY,
    CORS_ALLOW_HEADERS,
    TENSORBOARD_REQUEST_HEADERS,
    ViewGrants,
    inject_shim,
    is_navigation,
)
from .base import API_PREFIX, ForgatherHandler, Route, operation
from .inference import stream_to_client

_ERRORS = {404: "no such TensorBoard job", 409: "it ended", 503: "still starting"}


class AppRoute(Route):
    """``/{segment}/{job_id}{path}``: ``{path}`` matches the rest of the URL, slashes included."""

    @property
    def pattern(self) -> str:
        segment = self.path.split("/")[1]
        return API_PREFIX + rf"/{segment}/(?P<job_id>[^/]+)(?P<path>(?:/.*)?)"


class AppViewRoute(Route):
    """``/{segment}/{job_id}/{grant}{path}``: ``{grant}`` is one segment, ``{path}`` the rest."""

    @property
    def pattern(self) -> str:
        segment = self.path.split("/")[1]
        return API_PREFIX + rf"/{segment}/(?P<job_id>[^/]+)/(?P<grant>[^/]+)(?P<path>(?:/.*)?)"


class SandboxedAppHandler(ForgatherHandler):
    """What the routes of a sandboxed web app share: the sandboxing policy, the grants,
    forwarding. TensorBoard's are below; the docs kind's (``handlers/docsite.py``) set
    the class attributes to theirs."""

    job_type = "tensorboard"
    label = "TensorBoard"
    view_segment = "tb-view"
    policy = CONTENT_SECURITY_POLICY
    grant_label = ViewGrants._LABEL
    forwarded_headers: tuple[str, ...] = TENSORBOARD_REQUEST_HEADERS

    @property
    def content_security_policy(self) -> str:
        # Replaces APIHandler's "default-src 'none'" (which left a blank page),
        # never loosens it onto Jupyter's origin: the sandbox makes it opaque.
        return self.policy

    def set_default_headers(self) -> None:
        super().set_default_headers()
        # A view link is a credential; no page may learn it from a Referer.
        self.set_header("Referrer-Policy", "no-referrer")

    def grants(self) -> ViewGrants:
        """View-link grants, keyed from the server's cookie secret (stable across restarts)."""
        secret = self.settings.get("cookie_secret")
        if isinstance(secret, str):
            secret = secret.encode()
        if not isinstance(secret, bytes) or not secret:
            raise Unavailable(f"The server has no cookie_secret to sign {self.label} view links")
        return ViewGrants(secret, self.grant_label)

    def view_url(self, job_id: str, path: str) -> str:
        """The view link of ``job_id`` at ``path`` (query kept)."""
        grant = self.grants().issue(job_id)
        url = url_path_join(
            self.base_url, API_PREFIX, self.view_segment, quote(job_id, safe=""), grant
        )
        url += quote(path, safe=SAFE) or "/"
        return url + (f"?{self.request.query}" if self.request.query else "")

    async def ready(self, job_id: str) -> None:
        """404 / 409 / 503 unless the app of ``job_id`` answers."""
        await ready_endpoint(self.runtime.endpoints, job_id, self.job_type, self.label)

    async def forward(self, job_id: str, path: str, method: str, *, page_shim: bool) -> None:
        """Proxy to the job's app; ``page_shim`` fits its pages to the opaque origin."""
        if not path:  # the app's relative links need the trailing slash
            self.redirect(
                self.request.path + "/" + (f"?{self.request.query}" * bool(self.request.query))
            )
            return
        request = await plan(
            self.runtime.endpoints,
            job_id,
            method,
            path,
            self.request.query,
            self.request.headers,
            job_type=self.job_type,
            label=self.label,
            also=self.forwarded_headers,
        )
        body = self.request.body if method == "POST" else None
        await stream_to_client(self, request, body, inject_shim if page_shim else None)


class SandboxedProxyHandler(SandboxedAppHandler):
    """The Jupyter-authenticated route: a browser page load goes to the view link."""

    owner_only = frozenset({"GET", "POST"})

    async def _serve(self, job_id: str, path: str, method: str) -> None:
        if method == "GET" and path and is_navigation(self.request.headers):
            # Its page could not load its own script and data here (the
            # sandbox sends no cookie); the view link can.
            await self.ready(job_id)  # or 404 / 409 / 503
            self.redirect(self.view_url(job_id, path))
            return
        await self.forward(job_id, path, method, page_shim=False)


class SandboxedViewHandler(SandboxedAppHandler):
    """The view link: the grant in the path is the credential."""

    def set_cors_headers(self) -> None:
        # Not Jupyter's CORS settings: no credential of Jupyter's is used here.
        self.set_header("Access-Control-Allow-Origin", "*")

    def check_origin(self, origin_to_satisfy_tornado: str = "") -> bool:
        # The page's origin is opaque ("null") by design, and nothing here
        # acts on an ambient credential a foreign origin could borrow.
        return True

    def check_xsrf_cookie(self) -> None:
        # The credential is in the path, which a forged request cannot know.
        return

    def _check_grant(self, job_id: str, grant: str) -> None:
        if not self.grants().check(job_id, grant):
            raise Forbidden(f"This {self.label} link is not valid (open it again from JupyterLab)")

    @allow_unauthenticated
    def options(self, *args: str, **kwargs: str) -> None:
        """The CORS preflight of the page's requests (they carry the app's headers)."""
        self._check_grant(kwargs["job_id"], kwargs["grant"])
        self.set_header("Access-Control-Allow-Methods", "GET, POST")
        self.set_header("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS)
        self.set_header("Access-Control-Max-Age", "600")
        self.set_status(204)
        self.finish()


class TensorBoardProxyHandler(SandboxedProxyHandler):
    @operation(
        "TensorBoard of a job, through the auth-gated proxy (a browser page load is "
        "redirected to the job's view link)",
        content_type="*/*",  # TensorBoard serves HTML, scripts, JSON and images
        errors=_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str, path: str) -> None:
        await self._serve(job_id, path, "GET")

    @operation(
        "TensorBoard data queries (POST), through the proxy",
        content_type="*/*",
        errors=_ERRORS,
    )
    @web.authenticated
    @authorized
    async def post(self, job_id: str, path: str) -> None:
        await self._serve(job_id, path, "POST")


class TensorBoardViewHandler(SandboxedViewHandler):
    @operation(
        "TensorBoard of a job through its view link (the grant in the path is the credential)",
        content_type="*/*",  # TensorBoard serves HTML, scripts, JSON and images
        errors={403: "not a valid view link", **_ERRORS},
    )
    @allow_unauthenticated
    async def get(self, job_id: str, grant: str, path: str) -> None:
        self._check_grant(job_id, grant)
        await self.forward(job_id, path, "GET", page_shim=True)

    @operation(
        "TensorBoard data queries (POST) through its view link",
        content_type="*/*",
        errors={403: "not a valid view link", **_ERRORS},
    )
    @allow_unauthenticated
    async def post(self, job_id: str, grant: str, path: str) -> None:
        self._check_grant(job_id, grant)
        await self.forward(job_id, path, "POST", page_shim=True)


ROUTES = [
    AppRoute("/tb/{job_id}/{path}", TensorBoardProxyHandler),
    AppViewRoute("/tb-view/{job_id}/{grant}/{path}", TensorBoardViewHandler),
]
