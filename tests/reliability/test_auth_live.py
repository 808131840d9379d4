"""An auth sweep against a real server process, with a real job's token in hand.

Every route in the route table (plus an unknown path under the API, and the
WebSocket upgrades) is called three ways: with no credentials, and with a
per-job token (read from ``<state_dir>/jobs/<id>/token``) presented as
``Authorization: token``, ``Authorization: Bearer`` and ``?token=``. All are
refused. The one exception by design is a route that takes the job token
itself (the reporter's callback, ``@allow_unauthenticated``): there the token
must open only its own job's route, so it is tried on a *different* job.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from server_process import ServerProcess

from forgather_lab.handlers.openapi import implemented_verbs
from forgather_lab.handlers.routes import ROUTES

from .conftest import FIGURES

REFUSED = {401, 403}
CALLS = [
    (r.path, verb.upper(), m) for r in ROUTES for verb, m in implemented_verbs(r.handler).items()
]


def takes_job_token(method: Any) -> bool:
    """A verb that bypasses Jupyter's auth and checks the job token itself."""
    return bool(getattr(method, "__allow_unauthenticated", False))


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A server with two running jobs; yields their ids and one job's token."""
    srv = ServerProcess(tmp_path_factory.mktemp("auth")).start()
    ids = []
    for _ in range(2):
        reply = srv.post(
            "queue",
            json={
                "job_type": "command",
                "job_params": {"argv": [sys.executable, "-c", "import time; time.sleep(120)"]},
            },
        )
        ids.append(srv.wait_job(reply.json()["id"], {"running"})["id"])
    token = srv.job_token(ids[0])
    yield {"server": srv, "job": ids[0], "other": ids[1], "token": token}
    srv.stop()
    srv.kill_jobs()


def sample(path: str, job_id: str) -> str:
    """The route path with its parameters filled (the real job id where one is named)."""
    path = path.replace("{job_id}", job_id)
    path = re.sub(r"\{\w+:int\}", "0", path)
    return "/forgather/api" + re.sub(r"\{\w+\}", "x", path)


def call(
    srv: ServerProcess, method: str, path: str, headers: dict[str, str], params: dict[str, str]
) -> httpx.Response:
    body = b"{}" if method in {"POST", "PUT", "PATCH"} else None
    return httpx.request(
        method,
        srv.url + path,
        content=body,
        headers={"Content-Type": "application/json", **headers},
        params=params,
        timeout=30,
        follow_redirects=False,
    )


def presentations(token: str) -> dict[str, tuple[dict[str, str], dict[str, str]]]:
    """Ways a client might present a credential: (headers, query)."""
    return {
        "none": ({}, {}),
        "job token (token)": ({"Authorization": f"token {token}"}, {}),
        "job token (Bearer)": ({"Authorization": f"Bearer {token}"}, {}),
        "job token (?token=)": ({}, {"token": token}),
    }


@pytest.mark.timeout(300)
def test_every_route_refuses_strangers_and_job_tokens(live: dict[str, Any]) -> None:
    srv: ServerProcess = live["server"]
    failures = []
    checked = 0
    calls = [(p, m, meth) for p, m, meth in CALLS] + [
        ("/no-such-endpoint/{job_id}", verb, None) for verb in ("GET", "POST", "DELETE")
    ]
    for path, method, handler_method in calls:
        own_token_route = handler_method is not None and takes_job_token(handler_method)
        # A job-token route is tried on another job: the token must not open it.
        target = sample(path, live["other"] if own_token_route else live["job"])
        for how, (headers, params) in presentations(live["token"]).items():
            reply = call(srv, method, target, headers, params)
            checked += 1
            if reply.status_code not in REFUSED:
                failures.append(f"{method} {target} with {how}: {reply.status_code}")
    assert not failures, "\n".join(failures)
    FIGURES["auth_sweep"] = {"routes": len(CALLS), "requests": checked}


@pytest.mark.parametrize("path", ["/jobs/{job_id}/tty?follow=1", "/gpus/stream"])
def test_websocket_upgrades_refused_without_credentials(live: dict[str, Any], path: str) -> None:
    srv: ServerProcess = live["server"]
    url = srv.url + sample(path.split("?")[0], live["job"]) + ("?follow=1" if "?" in path else "")
    upgrade = {
        "Connection": "Upgrade",
        "Upgrade": "websocket",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
    }
    for how, (headers, params) in presentations(live["token"]).items():
        reply = httpx.get(url, headers={**upgrade, **headers}, params=params, timeout=30)
        assert reply.status_code in REFUSED, (how, reply.status_code)


def test_the_real_credential_works(live: dict[str, Any]) -> None:
    """The sweep means something only if the same calls succeed with the server token."""
    srv: ServerProcess = live["server"]
    assert srv.get("jobs", live["job"]).status_code == 200
    assert srv.get("no-such-endpoint").status_code == 404
    assert srv.get("no-such-endpoint").json()["message"]
