"""Users' own servers use the shared pool (issue 15, item 5), behind a real JupyterHub.

The Hub spawns alice's and bob's single-user servers with
``ForgatherLab.hub_service = "forgather"``: their ``/forgather/api`` forwards the
pool's routes to the Hub's service with each server's own token, so what alice
queues in her server is alice's job in the one pool, bob sees it there with its
owner but may not read or steer it, and it outlives alice's server.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil
import pytest
from tornado import httpclient, websocket

from forgather_lab.handlers.openapi import implemented_verbs
from forgather_lab.handlers.routes import ROUTES

from .hub_process import Hub
from .servers import FINISHED, UserServer, start_servers

pytestmark = pytest.mark.timeout(120)

# What a terminal in a user's server has of the server's environment (and a PATH, HOME).
_INSIDE = frozenset(
    {"PATH", "HOME", "JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_SERVICE_PREFIX", "JUPYTERHUB_API_TOKEN"}
)
LONG = "import time; print('alice is training', flush=True); time.sleep(120)"


@pytest.fixture(scope="module")
def hub(users_hub: Hub) -> Hub:
    """The Hub this module shares with the other users'-servers module (conftest.py)."""
    return users_hub


@pytest.fixture(scope="module")
def servers(hub: Hub, alice: str, bob: str) -> dict[str, UserServer]:
    """alice's and bob's servers, both started by the Hub."""
    start_servers(hub, ["alice", "bob"])
    return {"alice": UserServer(hub, "alice", alice), "bob": UserServer(hub, "bob", bob)}


@pytest.fixture(scope="module")
def alices_job(servers: dict[str, UserServer]) -> Iterator[str]:
    """A long job alice queued through her own server, running."""
    a = servers["alice"]
    job_id = a.queue(LONG, "alice-from-her-server")
    a.wait_status(job_id, {"running"})
    yield job_id
    a.hub.api("DELETE", f"queue/{job_id}", a.token)


def test_health_says_the_server_uses_the_shared_pool(servers: dict[str, UserServer]) -> None:
    for name, server in servers.items():
        r = server.api("GET", "health")
        assert r.status_code == 200, r.text
        health = r.json()
        assert (health["mode"], health["user"], health["admin"]) == ("hub", name, False)
        # The Hub's GPUs (the service has 2 simulated), not this server's own (4 by default).
        assert (health["gpu_backend"], health["gpu_count"]) == ("simulated", 2)
        # Everything about the pool is the service's answer; the state is the server's own.
        pool = server.hub.api("GET", "health", server.token).json()
        own = {"version", "state_dir", "schema_version"}
        assert {k: v for k, v in health.items() if k not in own} == {
            k: v for k, v in pool.items() if k not in own
        }
        assert health["state_dir"] != pool["state_dir"]
        gpus = server.api("GET", "gpus")
        assert gpus.status_code == 200, gpus.text
        assert len(gpus.json()["gpus"]) == 2


def test_the_pools_lists_are_the_services_and_the_users_own_stay_local(
    hub: Hub, servers: dict[str, UserServer]
) -> None:
    b = servers["bob"]
    for path in ["services", "inference/servers", "gpus/policy", "queue/scheduler"]:
        mine, theirs = b.api("GET", path), hub.api("GET", path, b.token)
        assert (mine.status_code, mine.json()) == (200, theirs.json()), path
    # The user's own stay in their server: a search root he adds is in his home, not the pool.
    added = b.api("POST", "search-roots", json={"path": "projects", "create": True})
    assert added.status_code in {200, 201}, added.text
    roots = b.api("GET", "search-roots")
    assert roots.status_code == 200, roots.text
    paths = [r["path"] for r in roots.json()["search_roots"]]
    assert paths
    assert all("/home/bob" in p for p in paths), paths
    theirs = hub.api("GET", "search-roots", b.token).json()["search_roots"]
    assert not any("/home/bob" in r["path"] for r in theirs)
    assert b.api("GET", "projects").status_code == 200
    assert b.api("GET", "generation-configs").status_code == 200


def test_a_job_queued_in_alices_server_is_alices_in_the_pool(
    hub: Hub, servers: dict[str, UserServer], alices_job: str
) -> None:
    # In the service itself (straight through the proxy), with its owner.
    job = hub.api("GET", f"jobs/{alices_job}", servers["bob"].token).json()
    assert (job["owner"], job["status"]) == ("alice", "running")
    # The job is the service's child, not the user's server's: no scheduler runs there.
    server_proc = _singleuser(hub, "alice")
    runners = [p for p in server_proc.children(recursive=True) if "alice is training" in _cmd(p)]
    assert runners == []
    # Both users' servers list it, with its owner.
    for server in servers.values():
        listed = server.api("GET", "jobs")
        assert listed.status_code == 200, listed.text
        owners = {j["id"]: j["owner"] for j in listed.json()["jobs"]}
        assert owners.get(alices_job) == "alice"


def test_bob_may_see_alices_job_but_not_read_or_steer_it(
    servers: dict[str, UserServer], alices_job: str
) -> None:
    a, b = servers["alice"], servers["bob"]
    assert b.api("GET", f"jobs/{alices_job}").json()["owner"] == "alice"
    for method, path in [
        ("GET", f"jobs/{alices_job}/tty"),
        ("POST", f"jobs/{alices_job}/control/kill"),
        ("DELETE", f"queue/{alices_job}"),
    ]:
        r = b.api(method, path, json={} if method == "POST" else None)
        assert r.status_code == 403, (path, r.status_code, r.text)
        assert "alice's job" in r.json()["message"]
    tty = a.api("GET", f"jobs/{alices_job}/tty")
    assert tty.status_code == 200, tty.text
    assert tty.headers["content-type"].startswith("text/plain")
    assert "alice is training" in tty.text
    assert int(tty.headers["x-log-size"]) > 0


def test_the_log_follow_socket_and_the_event_stream_come_through(
    servers: dict[str, UserServer], alices_job: str
) -> None:
    a, b = servers["alice"], servers["bob"]
    ws_url = a.url.replace("http://", "ws://") + f"forgather/api/jobs/{alices_job}/tty?follow=1"
    assert "alice is training" in asyncio.run(_first_message(ws_url, a.token))
    with pytest.raises(httpclient.HTTPClientError) as refused:
        asyncio.run(_first_message(ws_url.replace("/user/alice/", "/user/bob/"), b.token))
    assert refused.value.code == 403
    # SSE, streamed (not buffered): the first bytes arrive while the stream stays open.
    url = f"{a.url}forgather/api/events"
    headers = {"Authorization": f"token {a.token}"}
    with httpx.stream("GET", url, headers=headers, timeout=10) as events:
        assert events.status_code == 200
        assert events.headers["content-type"].startswith("text/event-stream")
        first = next(events.iter_text())
        assert first.startswith("retry:"), first


def test_alices_job_outlives_her_server(
    hub: Hub, servers: dict[str, UserServer], alices_job: str
) -> None:
    a, b = servers["alice"], servers["bob"]
    server_proc = _singleuser(hub, "alice")
    hub.stop_server("alice")
    assert not server_proc.is_running()
    time.sleep(1)
    assert b.api("GET", f"jobs/{alices_job}").json()["status"] == "running"
    start_servers(hub, ["alice"])
    assert a.api("GET", f"jobs/{alices_job}").json()["status"] == "running"
    assert alices_job in [j["id"] for j in a.api("GET", "jobs").json()["jobs"]]


def test_the_cli_in_a_users_server_reaches_the_pool(
    servers: dict[str, UserServer], alices_job: str
) -> None:
    a = servers["alice"]
    cli = [sys.executable, "-m", "forgather_lab.cli", "--url", a.url, "--token", a.token]
    listed = subprocess.run([*cli, "sched", "list", "--json"], capture_output=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    jobs = {j["id"]: j for j in json.loads(listed.stdout)["jobs"]}
    assert jobs[alices_job]["owner"] == "alice"
    # In a terminal or kernel of her server: no URL, no token, the server's environment.
    inside = {k: v for k, v in _env(_singleuser(a.hub, "alice")).items() if k in _INSIDE}
    assert inside["JUPYTERHUB_SERVICE_URL"].endswith("/user/alice/")  # her server, not the pool
    found = subprocess.run(
        [sys.executable, "-m", "forgather_lab.cli", "sched", "list", "--json"],
        capture_output=True,
        timeout=60,
        env=inside,
    )
    assert found.returncode == 0, found.stderr
    assert alices_job in [j["id"] for j in json.loads(found.stdout)["jobs"]]
    # Her own job, ended from her server: the service does it, the status comes back.
    r = a.api("DELETE", f"queue/{alices_job}")
    assert r.status_code in {200, 202, 204}, r.text
    assert a.wait_status(alices_job, set(FINISHED)) != "done"


def test_no_route_of_a_users_server_answers_anonymous_callers(
    servers: dict[str, UserServer],
) -> None:
    # Every route, forwarded or local: nobody gets the server token's powers without
    # the server's own credential (routes with their own credential refuse too).
    calls = [
        (verb.upper(), re.sub(r"\{\w+(:int)?\}", lambda m: "0" if m.group(1) else "x", r.path))
        for r in ROUTES
        for verb in implemented_verbs(r.handler)
    ]
    with httpx.Client(base_url=f"{servers['alice'].url}forgather/api", timeout=15) as client:

        def call(method: str, path: str) -> tuple[str, str, int, str]:
            body: dict[str, object] | None = {} if method in {"POST", "PUT", "PATCH"} else None
            r = client.request(method, path, json=body, follow_redirects=False)
            return method, path, r.status_code, r.text[:200]

        with ThreadPoolExecutor(8) as pool:
            answered = list(pool.map(lambda c: call(*c), calls))
    wrong = [a for a in answered if a[2] not in {302, 401, 403, 404}]
    assert wrong == []
    assert len(answered) >= len(ROUTES)
    # Those with a credential of their own reach the service, which refuses a bad one.
    bearer = {"Authorization": "Bearer not-a-job-token"}
    for method, path, headers in [
        ("GET", "/tb-view/x/x/", {}),
        ("POST", "/jobs/x/callback", {}),
        ("POST", "/jobs/x/callback", bearer),  # the job token crosses (and is checked there)
    ]:
        url = f"{servers['alice'].url}forgather/api{path}"
        mine = httpx.request(method, url, headers=headers, timeout=15)
        theirs = servers["alice"].hub.api(method, path.lstrip("/"), headers=headers)
        assert (mine.status_code, mine.json()) == (theirs.status_code, theirs.json())
        assert mine.status_code in {401, 403, 404}


async def _first_message(url: str, token: str) -> str:
    request = httpclient.HTTPRequest(url, headers={"Authorization": f"token {token}"})
    conn = await websocket.websocket_connect(request)
    try:
        message = await asyncio.wait_for(conn.read_message(), 15)
        return str(message)
    finally:
        conn.close()


def _cmd(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


def _env(p: psutil.Process) -> dict[str, str]:
    try:
        return p.environ()
    except psutil.Error:
        return {}


def _singleuser(hub: Hub, user: str) -> psutil.Process:
    assert hub.proc is not None
    for child in psutil.Process(hub.proc.pid).children(recursive=True):
        if "jupyterhub-singleuser" in _cmd(child) and _env(child).get("JUPYTERHUB_USER") == user:
            return child
    raise AssertionError(f"no server of {user} under the Hub:\n{hub.log()}")
