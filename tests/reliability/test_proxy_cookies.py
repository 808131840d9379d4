"""Cookie isolation of both proxies: a real server, two real loopback upstreams per proxy.

The probe found one cookie jar shared by every proxied request: a
``Set-Cookie`` from upstream A went to upstream B (cookies are scoped by
host, not port), Jupyter's own login cookie, once set on a proxied request
to Jupyter itself, went to any loopback listener, and one upstream setting
30 x 3 KB of cookies broke every later proxied request. Here every proxy
route (the inference proxy, TensorBoard's auth-gated route and its view
link) is driven against upstreams that set cookies every way we know of,
while the "browser" sends Jupyter's real login cookie along, and we check:

- no upstream ever receives a ``Cookie`` header, not even the one that set it;
- no upstream ``Set-Cookie`` reaches the browser;
- a cookie flood changes nothing for later requests.

The inference proxy's upstreams are ``http.server`` threads in this process
(any loopback base is allowed). TensorBoard's are two jobs of a stand-in
``tensorboard`` kind, plugged in through the ``forgather_lab.job_kinds``
entry points: each runs the same upstream in a child process, announces it
the way TensorBoard does, and logs what it receives to its job directory.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from doubles import install_entry_point
from server_process import ServerProcess

from forgather_lab.jobs.kinds import ConfigResolver, JobKind
from forgather_lab.jobs.launcher import LaunchSpec
from forgather_lab.models.jobs import CreateJob

TESTS = Path(__file__).resolve().parents[1]
SECRET = "upstream-secret"  # every cookie an upstream sets carries it in its value

# Set-Cookie lines per variant; each line is one header.
VARIANTS: dict[str, list[str]] = {
    "plain": [f"session={SECRET}"],
    "domain-ip": [f"session={SECRET}; Domain=127.0.0.1; Path=/"],
    "domain-localhost": [f"session={SECRET}; Domain=localhost; Path=/"],
    "path-root": [f"session={SECRET}; Path=/; HttpOnly"],
    "multiple": [f"a={SECRET}-a; Path=/", f"b={SECRET}-b", f"c={SECRET}-c; Max-Age=86400"],
    "persistent": [f"keep={SECRET}; Expires=Wed, 01 Jan 2098 00:00:00 GMT; Path=/"],
    "jupyter-name": [f"username-127-0-0-1-1={SECRET}; Path=/; HttpOnly", f"_xsrf={SECRET}"],
}


class _Recorder(BaseHTTPRequestHandler):
    """Answers every path with 200; some paths set cookies (``_cookies_asked_for``)."""

    server: CookieUpstream
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self._answer()

    def _answer(self) -> None:
        url = urlsplit(self.path)
        self.server.record(
            {"method": self.command, "path": url.path, "headers": dict(self.headers.items())}
        )
        cookies = _cookies_asked_for(url.path, parse_qs(url.query))
        body = json.dumps({"ok": True, "path": url.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for line in cookies:
            self.send_header("Set-Cookie", line)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        return


def _cookies_asked_for(path: str, query: dict[str, list[str]]) -> list[str]:
    """``…/set?variant=V`` or ``…/set-V/…``; ``…/flood?n=N&size=S`` or ``…/flood-N-S/…``."""
    for segment in path.split("/"):
        if segment == "set":
            return VARIANTS[query["variant"][0]]
        if segment.startswith("set-"):
            return VARIANTS[segment[len("set-") :]]
        if segment == "flood":
            n, size = int(query["n"][0]), int(query["size"][0])
        elif segment.startswith("flood-"):
            n, size = (int(x) for x in segment.split("-")[1:3])
        else:
            continue
        return [f"flood{i}={SECRET}{'x' * size}; Path=/" for i in range(n)]
    return []


class CookieUpstream(ThreadingHTTPServer):
    """A loopback HTTP server that sets cookies on request and remembers every request."""

    daemon_threads = True

    def __init__(self, log_file: Path | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _Recorder)
        self.log_file = log_file
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    @property
    def port(self) -> int:
        return int(self.server_address[1])

    def received(self) -> list[dict[str, Any]]:
        """Every request so far: method, path, headers."""
        with self._lock:
            return list(self.requests)

    def record(self, request: dict[str, Any]) -> None:
        with self._lock:
            self.requests.append(request)
            if self.log_file is not None:
                with self.log_file.open("a") as f:
                    f.write(json.dumps(request) + "\n")


def serve_as_tensorboard() -> None:
    """The stand-in TensorBoard job: announce the upstream like TensorBoard does, serve."""
    from forgather_lab.inference.endpoint import job_dir_from_env, write_endpoint
    from forgather_lab.tensorboard.run import path_prefix

    job_dir = job_dir_from_env()
    assert job_dir is not None
    upstream = CookieUpstream(job_dir / "requests.jsonl")
    base = f"http://127.0.0.1:{upstream.port}{path_prefix(dict(os.environ))}"
    write_endpoint(job_dir, base, f"{base}/data/environment")
    upstream.serve_forever()


class CookieTensorBoardKind(JobKind):
    """``tensorboard`` jobs whose "TensorBoard" is a ``CookieUpstream``."""

    name = "tensorboard"

    def default_gpus(self, params: dict[str, Any]) -> int:
        return 0

    def prepare(self, request: CreateJob, resolver: ConfigResolver | None) -> dict[str, Any]:
        return {}

    def launch_spec(self, params: dict[str, Any], gpus: list[int]) -> LaunchSpec:
        boot = (
            "import sys; sys.path.insert(0, sys.argv[1]); "
            "from reliability.test_proxy_cookies import serve_as_tensorboard; "
            "serve_as_tensorboard()"
        )
        return LaunchSpec([sys.executable, "-c", boot, str(TESTS)])


# -- the server and the upstreams ---------------------------------------------


@dataclass
class Target:
    """One upstream reached through one proxy route."""

    proxy: str
    url: str  # the proxy URL of the upstream's root, without a trailing slash
    params: dict[str, str]
    upstream: str  # "A" or "B"


@dataclass
class Scene:
    url: str
    token: str
    login_cookie: str  # the "browser's" real Jupyter login cookie (name=value)
    targets: dict[tuple[str, str], Target]
    seen: dict[tuple[str, str], Callable[[], list[dict[str, Any]]]]  # what each upstream got

    def requests(self) -> list[dict[str, Any]]:
        return [r for fetch in self.seen.values() for r in fetch()]


def _job_log(path: Path) -> Callable[[], list[dict[str, Any]]]:
    def read() -> list[dict[str, Any]]:
        if not path.exists():
            return []
        return [json.loads(line) for line in path.read_text().splitlines() if line]

    return read


@pytest.fixture(scope="module")
def scene(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scene]:
    base = tmp_path_factory.mktemp("cookies")
    site = base / "site"
    target = "reliability.test_proxy_cookies:CookieTensorBoardKind"
    install_entry_point(site, "forgather_lab.job_kinds", "tensorboard", target)
    pythonpath = os.pathsep.join(
        filter(None, [str(site), str(TESTS), os.environ.get("PYTHONPATH")])
    )
    srv = ServerProcess(base, env={"PYTHONPATH": pythonpath}).start()
    local = {name: CookieUpstream() for name in ("A", "B")}
    threads = [threading.Thread(target=u.serve_forever, daemon=True) for u in local.values()]
    for t in threads:
        t.start()
    try:
        jobs = {}
        for name in ("A", "B"):
            reply = srv.post("queue", json={"job_type": "tensorboard", "job_params": {}})
            assert reply.status_code == 201, reply.text
            jobs[name] = reply.json()["id"]
        for job_id in jobs.values():
            _wait_ready(srv, job_id)
        # A real login cookie, as a browser holds it after opening /lab?token=...
        login = httpx.get(f"{srv.url}/api/status", params={"token": srv.token}, timeout=30)
        login_cookie = next(
            f"{c.name}={c.value}" for c in login.cookies.jar if c.name.startswith("username-")
        )
        targets: dict[tuple[str, str], Target] = {}
        seen: dict[tuple[str, str], Callable[[], list[dict[str, Any]]]] = {}
        hosts = {"A": "127.0.0.1", "B": "localhost"}  # both names: Domain=localhost too
        for name, upstream in local.items():
            base_url = f"http://{hosts[name]}:{upstream.port}/v1"
            targets[("inference", name)] = Target(
                "inference", f"{srv.url}/forgather/api/inference", {"base": base_url}, name
            )
            seen[("inference", name)] = upstream.received
        for name, job_id in jobs.items():
            api = f"{srv.url}/forgather/api"
            targets[("tensorboard", name)] = Target("tensorboard", f"{api}/tb/{job_id}", {}, name)
            view = _view_link(srv, job_id)
            targets[("tensorboard-view", name)] = Target("tensorboard-view", view, {}, name)
            seen[("tensorboard", name)] = _job_log(srv.state / "jobs" / job_id / "requests.jsonl")
        yield Scene(srv.url, srv.token, login_cookie, targets, seen)
    finally:
        for u in local.values():
            u.shutdown()
            u.server_close()
        srv.stop()
        srv.kill_jobs()


def _wait_ready(srv: ServerProcess, job_id: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = srv.get("inference", "servers").json()["servers"]
        if any(r["job_id"] == job_id and r["state"] == "ready" for r in rows):
            return
        time.sleep(0.2)
    raise AssertionError(f"stand-in TensorBoard {job_id} never became ready")


def _view_link(srv: ServerProcess, job_id: str) -> str:
    """The view link a browser is sent to (its URL without the trailing slash)."""
    reply = httpx.get(
        f"{srv.url}/forgather/api/tb/{job_id}/",
        headers={"Authorization": f"token {srv.token}", "Sec-Fetch-Mode": "navigate"},
        timeout=30,
    )
    assert reply.status_code == 302, reply.text
    location = reply.headers["location"]
    assert "/forgather/api/tb-view/" in location
    return str(httpx.URL(srv.url).join(location)).rstrip("/")


PROXIES = ("inference", "tensorboard", "tensorboard-view")


def _assert_no_upstream_cookie_reached_the_browser(reply: httpx.Response, proxy: str) -> None:
    set_cookies = reply.headers.get_list("set-cookie")
    assert not [c for c in set_cookies if SECRET in c], set_cookies
    # What may remain is Jupyter's own login cookie on a token-authenticated call.
    names = {c.split("=", 1)[0].strip() for c in set_cookies}
    assert all(n.startswith("username-") for n in names), set_cookies
    if proxy == "tensorboard-view":
        assert set_cookies == []  # no Jupyter auth there, so no cookie at all


def _assert_no_upstream_got_a_cookie(scene: Scene) -> None:
    leaked = [r for r in scene.requests() if "cookie" in {k.lower() for k in r["headers"]}]
    assert leaked == [], leaked


@pytest.mark.timeout(300)
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("proxy", PROXIES)
def test_a_cookie_set_upstream_goes_nowhere(scene: Scene, proxy: str, variant: str) -> None:
    a, b = scene.targets[(proxy, "A")], scene.targets[(proxy, "B")]
    before = len(scene.requests())
    reply = _cookie_setter(scene, a, variant)
    assert reply.status_code == 200, reply.text
    _assert_no_upstream_cookie_reached_the_browser(reply, proxy)
    for target in (a, b, a, b):  # A on its next request, B at all, through every route
        for other in PROXIES:
            again = _plain(scene, scene.targets[(other, target.upstream)])
            assert again.status_code == 200, again.text
    assert len(scene.requests()) >= before + 1 + 4 * len(PROXIES)
    _assert_no_upstream_got_a_cookie(scene)


@pytest.mark.timeout(300)
@pytest.mark.parametrize("proxy", PROXIES)
def test_a_cookie_flood_breaks_nothing_later(scene: Scene, proxy: str) -> None:
    a = scene.targets[(proxy, "A")]
    one_response = _flood(scene, a, n=30, size=3000)  # 30 x 3 KB in one answer
    assert one_response.status_code == 200, one_response.text
    _assert_no_upstream_cookie_reached_the_browser(one_response, proxy)
    for _ in range(30):  # and one 3 KB cookie per answer, 30 times
        reply = _flood(scene, a, n=1, size=3000)
        assert reply.status_code == 200, reply.text
    for other in PROXIES:
        for name in ("A", "B"):
            for _ in range(3):
                reply = _plain(scene, scene.targets[(other, name)])
                assert reply.status_code == 200, (other, name, reply.text)
    _assert_no_upstream_got_a_cookie(scene)


@pytest.mark.timeout(120)
def test_jupyter_as_an_upstream_does_not_log_the_proxy_in(scene: Scene) -> None:
    """A proxied call to Jupyter itself with its token (it answers with a login cookie)."""
    jupyter = scene.url.replace("localhost", "127.0.0.1")
    reply = httpx.get(
        f"{scene.url}/forgather/api/inference/health",
        params={"base": f"{jupyter}/forgather/api/v1"},  # health → /forgather/api/health
        headers={"Authorization": f"token {scene.token}", "X-Inference-Token": scene.token},
        timeout=30,
    )
    assert reply.status_code == 200, reply.text
    for proxy in PROXIES:
        for name in ("A", "B"):
            assert _plain(scene, scene.targets[(proxy, name)]).status_code == 200
    _assert_no_upstream_got_a_cookie(scene)
    # Nor does a later proxied call to Jupyter ride on a stored cookie: without
    # the token it is refused.
    anonymous = httpx.get(
        f"{scene.url}/forgather/api/inference/health",
        params={"base": f"{jupyter}/forgather/api/v1"},
        headers={"Authorization": f"token {scene.token}"},
        timeout=30,
    )
    assert anonymous.status_code == 403, anonymous.text


def _plain(scene: Scene, target: Target) -> httpx.Response:
    if target.proxy == "inference":
        return _inference(scene, target, "")
    return _tensorboard(scene, target, "plain", {})


def _cookie_setter(scene: Scene, target: Target, variant: str) -> httpx.Response:
    if target.proxy == "inference":
        return _inference(scene, target, f"set-{variant}")
    return _tensorboard(scene, target, "set", {"variant": variant})


def _flood(scene: Scene, target: Target, n: int, size: int) -> httpx.Response:
    if target.proxy == "inference":
        return _inference(scene, target, f"flood-{n}-{size}")
    return _tensorboard(scene, target, "flood", {"n": str(n), "size": str(size)})


def _browser_headers(scene: Scene, target: Target) -> dict[str, str]:
    headers = {"Cookie": f"{scene.login_cookie}; _xsrf=browser-xsrf"}
    if target.proxy != "tensorboard-view":  # the view link takes no Jupyter credential
        headers["Authorization"] = f"token {scene.token}"
    return headers


def _tensorboard(scene: Scene, target: Target, path: str, query: dict[str, str]) -> httpx.Response:
    return httpx.get(
        f"{target.url}/{path}", params=query, headers=_browser_headers(scene, target), timeout=30
    )


def _inference(scene: Scene, target: Target, action: str) -> httpx.Response:
    """GET ``<base>/models`` where the base's path names the action (``?base=`` has no query)."""
    base = target.params["base"]
    if action:
        base = base.replace("/v1", f"/{action}/v1")
    return httpx.get(
        f"{target.url}/models",
        params={"base": base},
        headers=_browser_headers(scene, target),
        timeout=30,
    )
