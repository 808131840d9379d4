"""A test IdentityProvider: a few fixed tokens, each a Hub-like user (admin, groups).

Configured with ``ServerApp.identity_provider_class`` and ``ForgatherLab.mode=hub``,
a pytest-jupyter server then serves alice, bob, an admin and a member of an
admin group, as the hub-service would.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jupyter_server.auth.identity import IdentityProvider, User
from tornado import web


@dataclass
class HubUser(User):
    """A jupyter_server User carrying what the Hub says of it."""

    admin: bool = False
    groups: tuple[str, ...] = ()


USERS = {
    "alice-token": HubUser("alice"),
    "bob-token": HubUser("bob"),
    "admin-token": HubUser("root", admin=True),
    "ops-token": HubUser("carol", groups=("ops",)),
}


def auth(token_or_user: str) -> dict[str, str]:
    """The Authorization header of a user (``"alice"``) or a token (``"alice-token"``)."""
    token = token_or_user if token_or_user.endswith("-token") else f"{token_or_user}-token"
    if token_or_user == "admin":
        token = "admin-token"
    return {"Authorization": f"token {token}"}


class TokenUsers(IdentityProvider):
    """Each fixed token is one user; anything else is not authenticated."""

    def _token(self, handler: web.RequestHandler) -> str:
        match = self.auth_header_pat.match(handler.request.headers.get("Authorization", ""))
        return match.group(2) if match else ""

    async def get_user(self, handler: web.RequestHandler) -> User | None:
        return USERS.get(self._token(handler))

    def is_token_authenticated(self, handler: web.RequestHandler) -> bool:
        # Token requests skip the XSRF check, as Jupyter's own token auth does.
        return self._token(handler) in USERS


def hub_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    """The ``jp_server_config`` of a hub-mode server with these users."""
    return {
        "ServerApp": {
            "jpserver_extensions": {"forgather_lab": True},
            "identity_provider_class": "identity_helpers.TokenUsers",
        },
        "ForgatherLab": {"mode": "hub", "admin_groups": ["ops"], **forgather_config},
    }
