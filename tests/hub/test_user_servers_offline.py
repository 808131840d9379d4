"""A server set to use a Hub's pool when the pool is not there (no Hub, or the service down).

In-process Jupyter servers (pytest-jupyter), no Hub: what the route table
forwards, that nothing of a pool starts locally, and that a missing Hub or an
unreachable service is a 503 / 502 with a message, never a 500 or a local answer.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

from forgather_lab.handlers.base import Route
from forgather_lab.handlers.forward import (
    ForwardHandler,
    ForwardOwnCredentialHandler,
    HubHealthHandler,
    forwards,
    hub_handlers,
)
from forgather_lab.handlers.forward_socket import ForwardSocketHandler
from forgather_lab.handlers.routes import ROUTES


@pytest.fixture(autouse=True)
def not_in_a_hub(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("JUPYTERHUB_API_URL", "JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def forgather_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return {**forgather_config, "hub_service": "forgather"}


def test_the_route_table_forwards_the_pool_and_keeps_the_users_own() -> None:
    table = dict(hub_handlers(ROUTES))
    assert len(table) == len(ROUTES)
    by_path = {r.path: table[r.pattern] for r in ROUTES}
    assert by_path["/health"] is HubHealthHandler
    for path in ["/queue", "/jobs", "/jobs/{job_id}/control/{action}", "/gpus", "/events"]:
        assert by_path[path] is ForwardHandler, path
    for path in ["/jobs/{job_id}/tty", "/gpus/stream"]:
        assert by_path[path] is ForwardSocketHandler, path
    for path in ["/jobs/{job_id}/callback", "/tb-view/{job_id}/{grant}/{path}"]:
        assert by_path[path] is ForwardOwnCredentialHandler, path
    local = [r for r in ROUTES if not forwards(r)]
    assert {r.path.split("/")[1] for r in local} >= {"projects", "config", "workspace", "fs"}
    for route in local:
        assert by_path[route.path] in (route.handler, HubHealthHandler), route.path
    assert not forwards(Route("/generation-configs", ForwardHandler))  # presets: the user's


async def test_without_a_hub_the_pool_is_a_503_and_the_users_own_still_work(
    api: Any, jp_serverapp: Any
) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    assert runtime.started is False  # no scheduler, dispatcher or re-attach here
    status, health = await api("health")
    assert status == 503
    assert health["mode"] == "hub"
    assert "JUPYTERHUB_API_URL" in health["message"]
    status, reply = await api("queue", method="POST", json_body={"job_type": "command"})
    assert status == 503
    assert "not started by JupyterHub" in reply["message"]
    status, _ = await api("jobs")
    assert status == 503
    status, projects = await api("projects")
    assert status == 200, projects


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class TestServiceDown:
    @pytest.fixture
    def forgather_config(
        self, forgather_config: dict[str, Any], closed_port: int
    ) -> dict[str, Any]:
        url = f"http://127.0.0.1:{closed_port}/services/forgather/"
        return {**forgather_config, "hub_service_url": url}

    async def test_an_unreachable_service_is_a_502_with_a_message(self, api: Any) -> None:
        status, reply = await api("jobs")
        assert status == 502
        assert "Could not reach" in reply["message"]
        status, health = await api("health")
        assert (status, health["status"], health["mode"]) == (503, "error", "hub")
        assert "shared pool hub:forgather" in health["message"]
