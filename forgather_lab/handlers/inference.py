"""The browser → inference-server proxy and the list of running servers.

``/forgather/api/inference/{health,models,completions,chat/completions}?base=URL``
forwards to ``<base>/<operation>`` behind Jupyter's auth, streaming the answer
byte for byte (each upstream chunk is written and flushed at once, so SSE
tokens are not held back), and injects the upstream token of the job that
listens at ``base``. The client's own Authorization (its Jupyter token) and
cookies never go upstream; the upstream token never comes back, nor does an
upstream's ``Set-Cookie``, and the pooled client keeps no cookies (see
``proxy.upstream``). The rules (which upstream, which URL, which token) are
``proxy.inference.plan``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import ClassVar

import httpx
from jupyter_server.auth.decorator import authorized
from tornado import web
from tornado.iostream import StreamClosedError

from ..errors import Forbidden
from ..models.inference import ListEndpoints, OpenAIReply, ProxyQuery
from ..proxy.inference import ProxyOperation, UpstreamRequest, plan
from ..proxy.passthrough import UpstreamBrokeOff
from ..proxy.upstream import BadGateway, response_headers
from .base import API_PREFIX, ForgatherHandler, Route, operation


class ProxyBase(ForgatherHandler):
    """Shared by every proxied operation; ``upstream_operation`` names the upstream path."""

    upstream_operation: ClassVar[ProxyOperation]

    async def forward(self) -> None:
        """Plan the upstream request from ``?base=`` and stream its answer back."""
        query = self.parse_query(ProxyQuery)
        op = self.upstream_operation
        request = await plan(
            op,
            query.base,
            self.request.headers,
            loopback_only=self.runtime.settings.inference_proxy_loopback_only,
            token_for=self._owned_token,
        )
        body = self.request.body if op.method == "POST" else None
        await pass_through(self, request, body)

    async def _owned_token(self, base: str) -> str | None:
        """The token of our job at ``base``'s origin; 403 unless the caller owns that job.

        The owners and the token come from one look-up of the checked base, so
        the job whose token is sent is the job whose owner was checked.
        """
        upstream = await self.runtime.endpoints.upstream_at(base)
        if not self.caller.admin:
            for job_id, owner in upstream.owners:
                if not self.caller.may_act_on(owner):
                    whose = f"{owner}'s" if owner else "an unowned"
                    raise Forbidden(
                        f"Job {job_id} is {whose} job: only its owner or an admin may do that",
                        reason="not_owner",
                    )
        return upstream.token


async def pass_through(
    handler: ForgatherHandler, request: UpstreamRequest, body: bytes | None
) -> None:
    """Send the upstream's status, safe headers and body to the client as they come.

    ``stream_to_client`` without page rewriting, over ``proxy.passthrough``
    (h11 on asyncio) instead of httpx: what the proxy's own work costs shows
    in the first token and in the tokens per second of every streamed reply.
    """
    stream = handler.runtime.passthrough.stream(request.method, request.url, request.headers, body)
    async with stream as upstream:
        handler.set_status(upstream.status_code)
        content_type = upstream.headers.get("content-type", "application/octet-stream")
        for name, value in response_headers(upstream):
            handler.set_header(name, value)
        if not await _relay(handler, upstream.aiter_raw(), content_type, request.url):
            return
    handler.finish(set_content_type=content_type)


async def stream_to_client(
    handler: ForgatherHandler,
    request: UpstreamRequest,
    body: bytes | None,
    rewrite_html: Callable[[bytes], bytes] | None = None,
) -> None:
    """Send the upstream's status, safe headers and body chunks to the client as they come.

    With ``rewrite_html``, an HTML page (a 200) is read whole (decoded, at most
    ``MAX_REWRITTEN_PAGE`` bytes), passed through it and sent in one piece.
    """
    stream = handler.runtime.upstream.stream(request.method, request.url, request.headers, body)
    async with stream as upstream:
        handler.set_status(upstream.status_code)
        content_type = upstream.headers.get("content-type", "application/octet-stream")
        # Only a page with a body (a 304 must stay empty).
        is_page = upstream.status_code == 200 and content_type.startswith("text/html")
        rewrite = rewrite_html if is_page else None
        for name, value in response_headers(upstream):
            if rewrite is not None and name.lower() == "content-encoding":
                continue  # a rewritten page goes out decoded
            handler.set_header(name, value)
        if rewrite is not None:
            handler.write(rewrite(await _read_page(upstream, request.url)))
        elif not await _relay(handler, upstream.aiter_raw(), content_type, request.url):
            return
    handler.finish(set_content_type=content_type)


async def _relay(
    handler: ForgatherHandler, chunks: AsyncIterator[bytes], content_type: str, url: str
) -> bool:
    """Write and flush each upstream chunk as it comes; False if the browser went away."""
    if "text/event-stream" in content_type:
        handler.set_header("X-Accel-Buffering", "no")  # and tell reverse proxies too
    _send_immediately(handler)
    try:
        async for chunk in chunks:
            handler.write(chunk)
            await handler.flush()
    except StreamClosedError:
        return False  # the browser went away (Stop): leaving closes the upstream too
    except (httpx.HTTPError, UpstreamBrokeOff) as e:
        # Headers are sent; all we can do is end the response where it broke.
        handler.log.warning("upstream %s broke off: %s", url.split("?")[0], e)
    return True


def _send_immediately(handler: ForgatherHandler) -> None:
    """Turn Nagle's algorithm off on the client connection for this response.

    Each flushed chunk is one small segment (an SSE token is ~150 bytes); with
    Nagle on, TCP holds every chunk until the client ACKs the one before, and
    delayed ACKs make that up to tens of milliseconds per token. Tornado turns
    Nagle back on when the response finishes (``HTTP1Connection``), so a
    kept-alive connection's next response is unaffected.
    """
    stream = getattr(handler.request.connection, "stream", None)
    if stream is not None and not stream.closed():
        stream.set_nodelay(True)


MAX_REWRITTEN_PAGE = 16 * 2**20


async def _read_page(upstream: httpx.Response, url: str) -> bytes:
    page = bytearray()
    try:
        async for chunk in upstream.aiter_bytes():
            page += chunk
            if len(page) > MAX_REWRITTEN_PAGE:
                raise BadGateway(f"The upstream page {url.split('?')[0]} is too large to serve")
    except httpx.HTTPError as e:
        raise BadGateway(f"The upstream {url.split('?')[0]} broke off: {e}") from e
    return bytes(page)


_PROXY_ERRORS = {403: "upstream not allowed (loopback lock)", 502: "upstream unreachable"}


def _proxy_handler(name: str, op: ProxyOperation, summary: str) -> type[ProxyBase]:
    """The handler of one proxied operation, serving the verb its upstream takes."""
    handler: type[ProxyBase]
    if op.method == "GET":

        class GetProxy(ProxyBase):
            upstream_operation = op

            @operation(summary, query=ProxyQuery, response=OpenAIReply, errors=_PROXY_ERRORS)
            @web.authenticated
            @authorized
            async def get(self) -> None:
                await self.forward()

        handler = GetProxy
    else:

        class PostProxy(ProxyBase):
            upstream_operation = op

            @operation(
                summary,
                query=ProxyQuery,
                body=OpenAIReply,
                response=OpenAIReply,
                errors=_PROXY_ERRORS,
            )
            @web.authenticated
            @authorized
            async def post(self) -> None:
                await self.forward()

        handler = PostProxy
    # The class name is the OpenAPI operationId's stem and shows in tracebacks.
    handler.__name__ = handler.__qualname__ = name
    return handler


_STREAMED = "(SSE passed through byte for byte when stream is true)"
InferenceHealthHandler = _proxy_handler(
    "InferenceHealthHandler",
    ProxyOperation.HEALTH,
    "Proxy <base>/health (the server's, beside /v1)",
)
InferenceModelsHandler = _proxy_handler(
    "InferenceModelsHandler", ProxyOperation.MODELS, "Proxy <base>/models"
)
InferenceCompletionsHandler = _proxy_handler(
    "InferenceCompletionsHandler",
    ProxyOperation.COMPLETIONS,
    f"Proxy <base>/completions {_STREAMED}",
)
InferenceChatHandler = _proxy_handler(
    "InferenceChatHandler", ProxyOperation.CHAT, f"Proxy <base>/chat/completions {_STREAMED}"
)


class InferenceServersHandler(ForgatherHandler):
    @operation("Running inference servers and TensorBoards, with readiness", response=ListEndpoints)
    @web.authenticated
    @authorized
    async def get(self) -> None:
        api_root = f"{self.base_url.rstrip('/')}{API_PREFIX}"
        self.reply(await self.runtime.endpoints.describe_endpoints(api_root))


ROUTES = [
    Route("/inference/servers", InferenceServersHandler),
    Route("/inference/health", InferenceHealthHandler),
    Route("/inference/models", InferenceModelsHandler),
    Route("/inference/completions", InferenceCompletionsHandler),
    Route("/inference/chat/completions", InferenceChatHandler),
]
