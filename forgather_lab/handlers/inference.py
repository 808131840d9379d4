"""The browser → inference-server proxy and the list of running servers.

``/forgather/api/inference/{health,models,completions,chat/completions}?base=URL``
forwards to ``<base>/<operation>`` behind Jupyter's auth, streaming the answer
byte for byte (each upstream chunk is written and flushed at once, so SSE
tokens are not held back), and injects the upstream token of the job that
listens at ``base``. The client's own Authorization (its Jupyter token) and
cookies never go upstream; the upstream token never comes back.
"""

from __future__ import annotations

import httpx
from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..models.inference import DescribeEndpoint, ListEndpoints, OpenAIReply, ProxyQuery
from ..proxy.inference import CLIENT_TOKEN_HEADER, OPERATIONS, check_base, upstream_url
from ..proxy.upstream import request_headers, response_headers
from .base import ForgatherHandler, Route, operation

MAX_BODY = 8 * 1024 * 1024


class ProxyBase(ForgatherHandler):
    """Shared by every proxied operation; ``op`` names the upstream path."""

    op = ""

    async def forward(self) -> None:
        query = self.parse_query(ProxyQuery)
        base = check_base(query.base, self.runtime.config.inference_proxy_loopback_only)
        url = upstream_url(base, self.op)
        token = await self.runtime.endpoints.token_for(base)
        if token is None:  # not one of our jobs: the caller may name a token for it
            token = self.request.headers.get(CLIENT_TOKEN_HEADER) or None
        body = self.request.body if OPERATIONS[self.op] == "POST" else None
        headers = request_headers(dict(self.request.headers), token)
        await stream_to_client(self, OPERATIONS[self.op], url, headers, body)


async def stream_to_client(
    handler: ForgatherHandler,
    method: str,
    url: str,
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    """Send the upstream's status, safe headers and body chunks to the client as they come."""
    async with handler.runtime.upstream.stream(method, url, headers, body) as upstream:
        handler.set_status(upstream.status_code)
        content_type = upstream.headers.get("content-type", "application/octet-stream")
        for name, value in response_headers(upstream):
            handler.set_header(name, value)
        if "text/event-stream" in content_type:
            handler.set_header("X-Accel-Buffering", "no")  # and tell reverse proxies too
        try:
            async for chunk in upstream.aiter_raw():
                handler.write(chunk)
                await handler.flush()
        except StreamClosedError:
            return  # the browser went away (Stop): leaving closes the upstream too
        except httpx.HTTPError as e:
            # Headers are sent; all we can do is end the response where it broke.
            handler.log.warning("upstream %s broke off: %s", url.split("?")[0], e)
    handler.finish(set_content_type=content_type)


_PROXY_ERRORS = {403: "upstream not allowed (loopback lock)", 502: "upstream unreachable"}


def _proxy_handler(name: str, op: str, summary: str) -> type[ProxyBase]:
    """The handler of one proxied operation, with the verb its upstream takes."""
    if OPERATIONS[op] == "GET":

        @operation(summary, query=ProxyQuery, response=OpenAIReply, errors=_PROXY_ERRORS)
        @web.authenticated
        @authorized
        async def get(self: ProxyBase) -> None:
            await self.forward()

        verbs = {"get": get}
    else:

        @operation(
            summary,
            query=ProxyQuery,
            body=OpenAIReply,
            response=OpenAIReply,
            errors=_PROXY_ERRORS,
        )
        @web.authenticated
        @authorized
        async def post(self: ProxyBase) -> None:
            await self.forward()

        verbs = {"post": post}
    return type(name, (ProxyBase,), {"op": op, **verbs})


_STREAMED = "(SSE passed through byte for byte when stream is true)"
InferenceHealthHandler = _proxy_handler(
    "InferenceHealthHandler", "health", "Proxy <base>/health (the server's, beside /v1)"
)
InferenceModelsHandler = _proxy_handler("InferenceModelsHandler", "models", "Proxy <base>/models")
InferenceCompletionsHandler = _proxy_handler(
    "InferenceCompletionsHandler", "completions", f"Proxy <base>/completions {_STREAMED}"
)
InferenceChatHandler = _proxy_handler(
    "InferenceChatHandler", "chat/completions", f"Proxy <base>/chat/completions {_STREAMED}"
)


class InferenceServersHandler(ForgatherHandler):
    @operation("Running inference servers and TensorBoards, with readiness", response=ListEndpoints)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        rows = await self.runtime.endpoints.list()
        servers = [DescribeEndpoint(**row, proxy_url=self._proxy_url(row)) for row in rows]
        self.reply(ListEndpoints(servers=servers))

    def _proxy_url(self, row: dict[str, object]) -> str | None:
        if row["state"] != "ready":
            return None
        if row["job_type"] == "tensorboard":
            return f"{self.base_url}forgather/api/tb/{row['job_id']}/"
        return f"{self.base_url}forgather/api/inference"


ROUTES = [
    Route("/inference/servers", InferenceServersHandler),
    Route("/inference/health", InferenceHealthHandler),
    Route("/inference/models", InferenceModelsHandler),
    Route("/inference/completions", InferenceCompletionsHandler),
    Route("/inference/chat/completions", InferenceChatHandler),
]
