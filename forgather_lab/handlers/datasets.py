"""Dataset servers: the registry (list, add, delete) and the same-origin proxy to them.

The registry is the proxy's allow-list: ``/dataset-servers/{id}/proxy/...``
and ``/dataset-servers/proxy?url=`` reach only a registered server, anything
else is a 403 before any connection is made (``datasets.proxy``). Answers
are streamed back as they come, without the upstream's cookies; the
server's token is added on the way up and never comes back.
"""

from __future__ import annotations

from jupyter_server.auth.decorator import authorized
from tornado import web

from ..datasets.proxy import plan_by_id, plan_by_url
from ..models.datasets import (
    CreateDatasetServer,
    DatasetProxyQuery,
    DeleteDatasetServerResult,
    DescribeDatasetServer,
    ListDatasetServers,
)
from .base import API_PREFIX, ForgatherHandler, Route, operation
from .inference import stream_to_client

_PROXY_ERRORS = {
    403: "not a registered dataset server",
    502: "the server could not be reached",
    503: "the server has not started listening yet",
}


class _DatasetsBase(ForgatherHandler):
    @property
    def api_root(self) -> str:
        return f"{self.base_url.rstrip('/')}{API_PREFIX}"


class DatasetServersHandler(_DatasetsBase):
    @operation(
        "Dataset servers: running dataset_server jobs and user-added ones, each probed now "
        "(status, datasets)",
        response=ListDatasetServers,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        self.reply(await self.runtime.datasets.list(self.api_root))

    @operation(
        "Register a dataset server by URL (its token is kept in a 0600 file, never returned)",
        body=CreateDatasetServer,
        response=DescribeDatasetServer,
        status=201,
        errors={
            400: "a bad URL, or a label / URL / token with CR, LF or control characters",
            403: "not a loopback URL (dataset_servers_loopback_only)",
            409: "the URL is registered already",
        },
    )
    @web.authenticated
    @authorized
    async def post(self) -> None:
        body = self.parse_body(CreateDatasetServer)
        self.reply(await self.runtime.datasets.add(body, self.api_root), status=201)


class DatasetServerHandler(_DatasetsBase):
    @operation(
        "Unregister a user-added dataset server (and delete its token file)",
        response=DeleteDatasetServerResult,
        errors={404: "no such server", 409: "a dataset_server job's (stop the job instead)"},
    )
    @web.authenticated
    @authorized
    async def delete(self, server_id: str) -> None:
        self.reply(await self.runtime.datasets.delete(server_id))


class DatasetProxyRoute(Route):
    """``{path}`` matches the rest of the URL, slashes included."""

    @property
    def pattern(self) -> str:
        return API_PREFIX + r"/dataset-servers/(?P<server_id>[^/]+)/proxy(?P<path>(?:/.*)?)"


class DatasetProxyHandler(_DatasetsBase):
    @operation(
        "A registered dataset server's API (/datasets, /splits, /length, /preview, /rows), "
        "through the same-origin proxy with the server's token",
        content_type="application/json",
        errors=_PROXY_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self, server_id: str, path: str) -> None:
        request = await plan_by_id(
            self.runtime.datasets, server_id, path, self.request.query, self.request.headers
        )
        await stream_to_client(self, request, None)


class DatasetProxyByUrlHandler(_DatasetsBase):
    @operation(
        "GET a URL under a registered dataset server's base URL (any other URL is a 403)",
        query=DatasetProxyQuery,
        content_type="application/json",
        errors=_PROXY_ERRORS,
    )
    @web.authenticated
    @authorized
    async def get(self) -> None:
        query = self.parse_query(DatasetProxyQuery)
        request = await plan_by_url(self.runtime.datasets, query.url, self.request.headers)
        await stream_to_client(self, request, None)


ROUTES = [
    Route("/dataset-servers", DatasetServersHandler),
    # Before the {server_id} routes: "proxy" is not an id.
    Route("/dataset-servers/proxy", DatasetProxyByUrlHandler),
    Route("/dataset-servers/{server_id}", DatasetServerHandler),
    DatasetProxyRoute("/dataset-servers/{server_id}/proxy/{path}", DatasetProxyHandler),
]
