"""Every route is behind Jupyter's authentication and authorization."""

from __future__ import annotations

from typing import Any

import pytest
from jupyter_server.auth.authorizer import Authorizer

from forgather_lab.handlers.openapi import implemented_verbs
from forgather_lab.handlers.routes import ROUTES


def _sample_path(path: str) -> str:
    # Fill path parameters with plausible values so the pattern matches.
    import re

    path = re.sub(r"\{\w+:int\}", "0", path)
    return "/forgather/api" + re.sub(r"\{\w+\}", "x", path)


ALL_CALLS = [
    (route.path, verb.upper()) for route in ROUTES for verb in implemented_verbs(route.handler)
]


def test_the_sweep_covers_something() -> None:
    assert len(ALL_CALLS) >= 2


@pytest.mark.parametrize(("path", "method"), ALL_CALLS)
async def test_refused_without_credentials(
    jp_serverapp: Any, http_server_client: Any, jp_base_url: str, path: str, method: str
) -> None:
    url = jp_base_url.rstrip("/") + _sample_path(path)
    body = b"{}" if method in {"POST", "PUT", "PATCH"} else None
    response = await http_server_client.fetch(
        url,
        method=method,
        body=body,
        raise_error=False,
        allow_nonstandard_methods=True,
        follow_redirects=False,
    )
    assert response.code in {401, 403}, (method, path, response.code)


class DenyForgather(Authorizer):
    """An operator's Authorizer that allows everything but the Forgather API."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        return resource != "forgather"


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"forgather_lab": True},
            "authorizer_class": DenyForgather,
        },
        "ForgatherLab": forgather_config,
    }


@pytest.mark.parametrize(("path", "method"), ALL_CALLS)
async def test_an_authorizer_can_deny_the_api(api: Any, path: str, method: str) -> None:
    status, _ = await api(*_sample_path(path).split("/")[3:], method=method)
    assert status == 403
