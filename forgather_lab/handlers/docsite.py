"""The docs proxy: ``/forgather/api/docsite/{job_id}/...`` and its view links.

A ``docs`` job's MkDocs site listens on 127.0.0.1 only and is reached here,
exactly as TensorBoard is (``handlers/tensorboard.py``: this module only
names the job type, the routes and the policy):

- ``/docsite/{job_id}/...`` is behind Jupyter's auth. A browser loading a
  page there (a Lab tab's frame included) is redirected to the view link;
  other clients are answered here.
- ``/docsite-view/{job_id}/{grant}/...`` is the view link: the grant in the
  path is the credential and opens only that job's site, sandboxed
  (``docsite.policy``) so the site's script can never act on Jupyter's origin.
"""

from __future__ import annotations

from urllib.parse import quote

from jupyter_server.auth.decorator import allow_unauthenticated, authorized
from tornado import web

from ..docsite.policy import CONTENT_SECURITY_POLICY, GRANT_LABEL
from ..tensorboard.proxy import SAFE
from .base import operation
from .tensorboard import (
    AppRoute,
    AppViewRoute,
    SandboxedAppHandler,
    SandboxedProxyHandler,
    SandboxedViewHandler,
)

_ERRORS = {404: "no such docs job", 409: "it ended", 503: "still starting"}


class _Docs(SandboxedAppHandler):
    """The docs kind's settings of a sandboxed app's handlers."""

    job_type = "docs"
    label = "Docs"
    view_segment = "docsite-view"
    policy = CONTENT_SECURITY_POLICY
    grant_label = GRANT_LABEL
    forwarded_headers: tuple[str, ...] = ()

    async def forward(self, job_id: str, path: str, method: str, *, page_shim: bool) -> None:
        """As for any app, but a page's folder gets its slash here: MkDocs pages are
        folders (``sub/page/``), and the proxy passes no upstream redirect on."""
        last = path.rsplit("/", 1)[-1]
        if path and last and "." not in last:
            await self.ready(job_id)  # 404 / 409 / 503 before any redirect
            query = f"?{self.request.query}" if self.request.query else ""
            # Relative, so it stays under the proxy's path; quoted, so no byte of the
            # request's path reaches the Location header unescaped.
            self.redirect(f"{quote(last, safe=SAFE)}/{query}")
            return
        await super().forward(job_id, path, method, page_shim=page_shim)


class DocsProxyHandler(_Docs, SandboxedProxyHandler):
    @operation(
        "The MkDocs site of a docs job, through the auth-gated proxy (a browser page load "
        "is redirected to the job's view link)",
        content_type="*/*",  # HTML, scripts, styles, images, the search index
        errors=_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self, job_id: str, path: str) -> None:
        await self._serve(job_id, path, "GET")


class DocsViewHandler(_Docs, SandboxedViewHandler):
    @operation(
        "The MkDocs site of a docs job through its view link (the grant in the path is the "
        "credential)",
        content_type="*/*",
        errors={403: "not a valid view link", **_ERRORS},
    )
    @allow_unauthenticated
    async def get(self, job_id: str, grant: str, path: str) -> None:
        self._check_grant(job_id, grant)
        await self.forward(job_id, path, "GET", page_shim=True)


ROUTES = [
    AppRoute("/docsite/{job_id}/{path}", DocsProxyHandler),
    AppViewRoute("/docsite-view/{job_id}/{grant}/{path}", DocsViewHandler),
]
