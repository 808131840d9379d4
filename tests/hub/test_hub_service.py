"""The shared pool behind a real JupyterHub: the service the Hub starts, its auth, one queue.

Every request goes through the Hub's proxy to ``/services/forgather/forgather/api/``,
as a user's browser, CLI or single-user server would reach it.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
import pytest

from .hub_process import PASSWORD, SERVICE, Hub

pytestmark = pytest.mark.timeout(120)


def _queue(hub: Hub, token: str, code: str, name: str) -> dict[str, object]:
    body = {
        "job_type": "command",
        "name": name,
        "job_params": {"argv": [sys.executable, "-c", code]},
        "requested_gpus": 0,
    }
    r = hub.api("POST", "queue", token, json=body)
    assert r.status_code == 201, r.text
    job: dict[str, object] = r.json()
    return job


def _wait_status(hub: Hub, token: str, job_id: str, statuses: set[str], timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    status = "?"
    while time.monotonic() < deadline:
        status = str(hub.api("GET", f"jobs/{job_id}", token).json()["status"])
        if status in statuses:
            return status
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} stayed {status}, wanted one of {statuses}")


def _process_of(hub: Hub, marker: str) -> psutil.Process:
    assert hub.proc is not None
    for child in psutil.Process(hub.proc.pid).children(recursive=True):
        if marker in " ".join(child.cmdline()):
            return child
    raise AssertionError(f"no {marker} process under the Hub:\n{hub.log()}")


def _service_process(hub: Hub) -> psutil.Process:
    return _process_of(hub, "forgather_lab.hub")


def test_health_says_who_is_calling(hub: Hub, alice: str, bob: str) -> None:
    for token, user in [(alice, "alice"), (bob, "bob")]:
        r = hub.api("GET", "health", token)
        assert r.status_code == 200, r.text
        health = r.json()
        assert (health["mode"], health["user"], health["admin"]) == ("hub", user, False)
    r = hub.api("GET", "health", hub.token("boss"))
    assert (r.status_code, r.json()["user"], r.json()["admin"]) == (200, "boss", True)


def test_anything_but_a_user_with_access_is_refused(hub: Hub, alice: str) -> None:
    assert hub.api("GET", "health").status_code == 403  # the API never redirects
    assert hub.api("GET", "health", "not-a-hub-token").status_code == 403
    # Alice's own token, but made without the service's access scope.
    narrow = hub.token("alice", ["read:users:name!user=alice"])
    assert hub.api("GET", "health", narrow).status_code == 403
    assert hub.api("POST", "queue", narrow, json={"job_type": "command"}).status_code == 403
    # Another service's token (an admin one, even) is not a user of the pool.
    assert hub.api("GET", "health", hub.admin_token).status_code == 403
    assert hub.api("GET", "health", alice).status_code == 200


def test_a_browser_is_sent_to_the_hub_login(hub: Hub) -> None:
    root = httpx.get(hub.service_url, follow_redirects=False, timeout=10)
    assert root.status_code == 302
    assert root.headers["location"].startswith(f"/services/{SERVICE}/login")
    login = httpx.get(f"{hub.service_url}login", follow_redirects=False, timeout=10)
    assert login.status_code == 302
    location = login.headers["location"]
    assert location.startswith("/hub/api/oauth2/authorize?")
    assert f"client_id=service-{SERVICE}" in location


def test_a_browser_logged_in_to_the_hub_uses_the_api_with_its_cookie(hub: Hub) -> None:
    with httpx.Client(base_url=hub.url, follow_redirects=True, timeout=15) as browser:
        page = browser.get("/hub/login")
        xsrf = re.search(r'name="_xsrf" value="([^"]+)"', page.text)
        assert xsrf is not None, page.text[:500]
        form = {"username": "bob", "password": PASSWORD, "_xsrf": xsrf.group(1)}
        browser.post(f"/hub/login?next=/services/{SERVICE}/", data=form)
        # The service's OAuth: Hub login page -> authorize -> callback -> health.
        r = browser.get(f"/services/{SERVICE}/")
        assert str(r.url).endswith("/forgather/api/health"), r.url
        assert (r.status_code, r.json()["user"]) == (200, "bob")
        # The login page sends nobody off-site, whatever ?next= says.
        away = browser.get(f"/services/{SERVICE}/login", params={"next": "https://example.org/"})
        assert str(away.url).endswith(f"/services/{SERVICE}/forgather/api/health"), away.url
        # A cookie is an ambient credential: a write without the XSRF token is refused.
        post = browser.post(f"/services/{SERVICE}/forgather/api/queue", json={})
        assert post.status_code == 403
        assert "_xsrf" in post.text


def test_one_pool_for_every_user(hub: Hub, alice: str, bob: str) -> None:
    job = _queue(hub, alice, "import time; time.sleep(60)", "alice-sleeps")
    job_id = str(job["id"])
    try:
        _wait_status(hub, alice, job_id, {"running"})
        seen = hub.api("GET", "jobs", bob)
        assert seen.status_code == 200, seen.text
        assert job_id in [j["id"] for j in seen.json()["jobs"]]
        assert hub.api("GET", f"jobs/{job_id}", bob).json()["status"] == "running"
    finally:
        hub.api("DELETE", f"queue/{job_id}", alice)
    assert _wait_status(hub, bob, job_id, {"cancelled", "aborted", "failed", "done"}) != "done"


def test_jobs_get_none_of_the_hubs_credentials(hub: Hub, alice: str, tmp_path: Path) -> None:
    out = tmp_path / "env.json"
    code = f"import json, os; open({str(out)!r}, 'w').write(json.dumps(dict(os.environ)))"
    job = _queue(hub, alice, code, "alice-env")
    _wait_status(hub, alice, str(job["id"]), {"done"})
    env: dict[str, str] = json.loads(out.read_text())
    assert "PATH" in env  # the job did see an environment
    assert [n for n in env if n.startswith("JUPYTERHUB_")] == []
    service_token = _service_process(hub).environ()["JUPYTERHUB_API_TOKEN"]
    assert service_token not in json.dumps(env)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "api/contents"),
        ("GET", "api/kernels"),
        ("POST", "api/kernels"),
        ("GET", "api/sessions"),
        ("GET", "api/kernelspecs"),
        ("GET", "api/terminals"),
        ("GET", "api/status"),
        ("GET", "api/events/subscribe"),
        ("GET", "files/jupyterhub_config.py"),
        ("POST", "api/shutdown"),
        ("GET", "lab"),
    ],
)
def test_nothing_but_the_forgather_api(hub: Hub, alice: str, method: str, path: str) -> None:
    r = httpx.request(
        method,
        f"{hub.service_url}{path}",
        headers={"Authorization": f"token {alice}"},
        json={} if method == "POST" else None,
        timeout=10,
    )
    assert r.status_code in {403, 404}, (path, r.status_code, r.text[:200])
    assert hub.api("GET", "health", alice).status_code == 200  # still up


def test_the_service_keeps_its_hub_token_to_itself(hub: Hub) -> None:
    service = _service_process(hub)
    token = service.environ().get("JUPYTERHUB_API_TOKEN", "")
    assert token
    assert token not in hub.log_path.read_text(errors="replace")
    runtime = Path(service.environ().get("JUPYTER_RUNTIME_DIR", ""))
    if runtime.is_dir():
        assert not list(runtime.glob(f"jpserver-{service.pid}*"))


def test_the_cli_reaches_the_pool_with_a_hub_token(hub: Hub, alice: str, bob: str) -> None:
    job = _queue(hub, alice, "print('hi')", "alice-cli")
    _wait_status(hub, alice, str(job["id"]), {"done"})
    cli = [sys.executable, "-m", "forgather_lab.cli", "--url", hub.service_url, "--token", bob]
    listed = subprocess.run([*cli, "sched", "list", "--json"], capture_output=True, timeout=60)
    assert listed.returncode == 0, listed.stderr
    assert str(job["id"]) in [j["id"] for j in json.loads(listed.stdout)["jobs"]]
    refused = subprocess.run(
        [*cli[:-1], "not-a-token", "sched", "list"], capture_output=True, timeout=60
    )
    assert refused.returncode == 1, refused.stderr


def test_hub_service_outside_a_hub_says_what_is_missing(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
    r = subprocess.run(
        [sys.executable, "-m", "forgather_lab.cli", "hub-service"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert r.returncode == 2
    assert "JUPYTERHUB_SERVICE_URL" in r.stdout + r.stderr


def test_jobs_outlive_their_owners_server(hub: Hub, alice: str) -> None:
    server = hub.start_server("alice")
    assert server["ready"]
    # The server's own token reaches the pool (Spawner.server_token_scopes has the access).
    singleuser = _process_of(hub, "jupyterhub-singleuser")
    server_token = singleuser.environ()["JUPYTERHUB_API_TOKEN"]
    assert hub.api("GET", "health", server_token).json()["user"] == "alice"
    job_id = str(_queue(hub, server_token, "import time; time.sleep(60)", "alice-long")["id"])
    try:
        _wait_status(hub, alice, job_id, {"running"})
        hub.stop_server("alice")
        assert not singleuser.is_running()
        time.sleep(1)
        assert hub.api("GET", f"jobs/{job_id}", alice).json()["status"] == "running"
        hub.start_server("alice")
        assert hub.api("GET", f"jobs/{job_id}", alice).json()["status"] == "running"
    finally:
        hub.api("DELETE", f"queue/{job_id}", alice)
        hub.stop_server("alice")


def test_the_hub_stops_its_service_promptly(hub: Hub) -> None:
    # Last in the module: the Hub goes (the fixture's own stop is then a no-op).
    service = _service_process(hub)
    started = time.monotonic()
    hub.stop()
    service.wait(15)
    assert time.monotonic() - started < 20
