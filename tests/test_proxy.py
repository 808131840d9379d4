"""The inference proxy: scheme guard, loopback lock, header hygiene, no cookies, no buffering.

These use a small in-process upstream (an asyncio server on 127.0.0.1) so they
run without a model; test_inference.py drives a real inference job, and
tests/reliability/test_proxy_cookies.py sweeps cookie variants through both
proxies against a real server.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from forgather_lab.proxy.inference import check_base, is_loopback, upstream_url
from forgather_lab.proxy.upstream import NoCookieJar, Upstream, request_headers


class FakeUpstream:
    """An SSE endpoint whose second event waits until the test says so."""

    def __init__(self, released: bool = False) -> None:
        self.release = asyncio.Event()
        if released:
            self.release.set()
        self.headers: list[dict[str, str]] = []
        self.server: asyncio.Server | None = None
        self.base = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        lines = head.split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (h.partition(":") for h in lines[1:] if h)}
        self.headers.append(headers)
        await reader.readexactly(int(headers.get("content-length", 0)))
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
            b"Set-Cookie: upstream=1\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        for event in (b'data: {"n": 1}\n\n', None, b'data: {"n": 2}\n\n', b"data: [DONE]\n\n"):
            if event is None:
                await self.release.wait()  # a buffering proxy never lets the test get here
                continue
            writer.write(f"{len(event):x}\r\n".encode() + event + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> FakeUpstream:
        self.server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
        port = self.server.sockets[0].getsockname()[1]
        self.base = f"http://127.0.0.1:{port}/v1"
        return self

    async def __aexit__(self, *exc: Any) -> None:
        assert self.server is not None
        self.server.close()


@pytest.fixture
def proxy_url(jp_fetch: Any, jp_http_port: int, jp_base_url: str) -> str:
    """The proxy's URL for a plain HTTP client (jp_fetch makes the server listen)."""
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/inference"


async def test_stream_is_not_buffered(proxy_url: str, jp_auth_header: dict[str, str]) -> None:
    async with FakeUpstream() as upstream:
        await _stream_through(upstream, proxy_url, jp_auth_header)


async def _stream_through(
    upstream: FakeUpstream, proxy_url: str, jp_auth_header: dict[str, str]
) -> None:
    async with (
        httpx.AsyncClient(timeout=20) as client,
        client.stream(
            "POST",
            f"{proxy_url}/chat/completions",
            params={"base": upstream.base},
            headers={**jp_auth_header, "X-Inference-Token": "client-named", "Cookie": "a=b"},
            json={"stream": True, "messages": []},
        ) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"] == "text/event-stream"
        assert "upstream=1" not in response.headers.get("set-cookie", "")  # stays upstream
        chunks = response.aiter_bytes()
        first = await asyncio.wait_for(chunks.__anext__(), 10)
        assert first == b'data: {"n": 1}\n\n'  # arrived while the upstream still waits
        upstream.release.set()
        rest = b"".join([c async for c in chunks])
    assert rest == b'data: {"n": 2}\n\ndata: [DONE]\n\n'
    sent = upstream.headers[0]
    assert sent["authorization"] == "Bearer client-named"  # not the Jupyter token
    assert "cookie" not in sent
    assert "x-inference-token" not in sent


async def test_upstream_cookies_are_neither_kept_nor_passed_on(
    proxy_url: str, jp_auth_header: dict[str, str]
) -> None:
    """A sets a cookie (loopback upstreams share a host, so a jar would replay it to B)."""
    async with (
        FakeUpstream(released=True) as a,
        FakeUpstream(released=True) as b,
        httpx.AsyncClient(timeout=20) as client,
    ):
        for upstream in (a, a, b, a, b):
            r = await client.post(
                f"{proxy_url}/chat/completions",
                params={"base": upstream.base},
                headers={**jp_auth_header, "Cookie": "username-x=browser-login; _xsrf=t"},
                json={"stream": True, "messages": []},
            )
            assert r.status_code == 200, r.text
            assert not [c for c in r.headers.get_list("set-cookie") if "upstream=" in c]
    sent = a.headers + b.headers
    assert len(sent) == 5
    assert [h for h in sent if "cookie" in h] == []


async def test_the_pooled_client_has_a_jar_that_refuses() -> None:
    upstream = Upstream()
    try:
        assert isinstance(upstream.client.cookies.jar, NoCookieJar)
        async with FakeUpstream(released=True) as fake:
            for _ in range(2):
                async with upstream.stream("GET", fake.base, {"Cookie": "from=caller"}, None) as r:
                    assert r.headers["set-cookie"] == "upstream=1"  # the upstream did set one
                    await r.aread()
        assert len(upstream.client.cookies) == 0
        assert [h for h in fake.headers if "cookie" in h] == []  # not even the caller's
    finally:
        await upstream.close()
    # Why the jar is passed itself: httpx copies an httpx.Cookies into a fresh default jar.
    copied = httpx.AsyncClient(cookies=httpx.Cookies(NoCookieJar()))
    assert not isinstance(copied.cookies.jar, NoCookieJar)
    await copied.aclose()


def test_the_jar_stores_nothing_even_when_asked_directly() -> None:
    import http.cookiejar

    jar = NoCookieJar()
    cookie = http.cookiejar.Cookie(
        0, "s", "v", None, False, "127.0.0.1", True, False, "/", True, False,
        None, False, None, None, {},
    )  # fmt: skip
    jar.set_cookie(cookie)
    assert len(jar) == 0
    assert request_headers({"Cookie": "a=b", "Accept": "x"}, None, also=("cookie",)) == {
        "Accept": "x"
    }


@pytest.mark.parametrize(
    ("base", "status", "message"),
    [
        ("file:///etc/passwd", 400, "only http and https"),
        ("ftp://127.0.0.1/v1", 400, "only http and https"),
        ("gopher://localhost:70/", 400, "only http and https"),
        ("http://user:pw@127.0.0.1:1/v1", 400, "credentials"),
        ("", 400, "required"),
        ("http://10.1.2.3:8000/v1", 403, "loopback"),
        ("http://example.invalid/v1", 403, "loopback"),
        ("http://127.0.0.1.example.invalid/v1", 403, "loopback"),
    ],
)
async def test_scheme_guard_and_loopback_lock(
    api: Any, base: str, status: int, message: str
) -> None:
    code, body = await api("inference", "models", params={"base": base})
    assert code == status, body
    assert message in body["message"], body


async def test_unreachable_upstream_is_502(api: Any) -> None:
    code, body = await api("inference", "health", params={"base": "http://127.0.0.1:1/v1"})
    assert code == 502
    assert "Could not reach" in body["message"]
    assert body["reason"] == "bad_gateway"


async def test_proxy_needs_jupyter_auth(proxy_url: str) -> None:
    async with FakeUpstream() as upstream, httpx.AsyncClient() as client:
        r = await client.get(f"{proxy_url}/models", params={"base": upstream.base})
    assert r.status_code == 403
    assert upstream.headers == []  # nothing went upstream


def test_rules_without_a_server() -> None:
    assert check_base("http://localhost:8137/v1/", True) == "http://localhost:8137/v1"
    assert check_base("https://[::1]:9/v1", True) == "https://[::1]:9/v1"
    assert is_loopback("127.8.9.10")
    assert not is_loopback("localhost.evil")
    assert upstream_url("http://h:1/v1", "health") == "http://h:1/health"
    assert upstream_url("http://h:1/api", "health") == "http://h:1/api/health"
    assert upstream_url("http://h:1/v1", "chat/completions") == "http://h:1/v1/chat/completions"


class TestLockOff:
    @pytest.fixture
    def forgather_config(self, forgather_config: dict[str, Any]) -> dict[str, Any]:
        return {**forgather_config, "inference_proxy_loopback_only": False}

    async def test_other_hosts_pass_the_lock_but_not_the_scheme_guard(self, api: Any) -> None:
        code, body = await api("inference", "models", params={"base": "http://example.invalid/v1"})
        assert code == 502, body  # allowed; it just does not resolve
        code, body = await api("inference", "models", params={"base": "file:///etc/passwd"})
        assert code == 400, body
