"""Who is calling the Hub service: Jupyter Server's IdentityProvider and Authorizer, the Hub's way.

The identity provider is JupyterHub's own (the one every single-user server
uses: token or OAuth cookie checked against the Hub API, the Hub's login
redirect with its state cookie, the OAuth callback), narrowed to this
service: the caller must hold ``access:services!service=<name>`` and be a Hub
*user* (a service's token is refused), and is handed to the handlers as a
``HubUser`` that carries the Hub's ``admin`` flag and groups. The authorizer
allows the Forgather API and nothing else, so the ServerApp's own contents,
kernels, sessions, terminals and shutdown endpoints answer 403 to Hub users.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from jupyter_server.auth import Authorizer, User
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.utils import url_path_join

# JupyterHub ships no type information.
from jupyterhub.services.auth import HubOAuth  # type: ignore[import-untyped]
from jupyterhub.singleuser.extension import (  # type: ignore[import-untyped]
    JupyterHubIdentityProvider,
)
from tornado import web
from tornado.web import HTTPError, RequestHandler
from traitlets import default

from ..handlers.base import AUTH_RESOURCE

# jupyter_server marks verbs that carry their own credential (a job's token, a
# view link's grant) with this attribute (``@allow_unauthenticated``).
_SELF_AUTHENTICATED = "__allow_unauthenticated"


@dataclass
class HubUser(User):
    """A Hub user as the handlers see them (``username`` is the Hub user name)."""

    admin: bool = False
    groups: tuple[str, ...] = ()


def access_scope(service_name: str) -> str:
    """The scope a user needs to reach the service called ``service_name``."""
    return f"access:services!service={service_name}"


class HubServiceIdentityProvider(JupyterHubIdentityProvider):  # type: ignore[misc]  # untyped
    """Hub users with this service's access scope; nobody else."""

    async def get_user(self, handler: RequestHandler) -> HubUser | None:
        """The Hub user behind ``handler``'s token or cookie, or None (then 302 / 403)."""
        if _authenticates_itself(handler):
            # A job's token is not a Hub token: it must never be sent to the Hub.
            return None
        cached: HubUser | None = getattr(handler, "_forgather_hub_user", None)
        if cached is not None:
            return cached
        user = await super().get_user(handler)
        if user is None:
            return None
        model: dict[str, Any] = user.hub_user
        if model.get("kind", "user") != "user":
            who = f"{model.get('kind')} {model.get('name')}"
            self.log.warning("Refused %s: only Hub users use the pool", who)
            _refuse_instead_of_login(handler, who)
            return None
        hub_user = HubUser(
            username=str(model["name"]),
            name=user.name,
            display_name=user.display_name,
            admin=bool(model.get("admin", False)),
            groups=tuple(str(g) for g in model.get("groups") or ()),
        )
        handler._forgather_hub_user = hub_user  # type: ignore[attr-defined]
        return hub_user

    def get_handlers(self) -> list[tuple[str, Any, dict[str, Any]] | tuple[str, Any]]:
        """The Hub's OAuth callback and logout, and the page that starts a browser login."""
        return [*super().get_handlers(), ("/login", LoginPage)]

    @default("hub_auth")
    def _default_hub_auth(self) -> HubOAuth:
        auth = HubOAuth(parent=self)
        # Whatever $JUPYTERHUB_OAUTH_ACCESS_SCOPES says, access means this service.
        name = os.environ.get("JUPYTERHUB_SERVICE_NAME")
        if name:
            auth.access_scopes = {access_scope(name)}
        return auth


class HubServiceAuthorizer(Authorizer):
    """The Forgather API for Hub users; every other Jupyter resource refused."""

    def is_authorized(self, handler: Any, user: Any, action: str, resource: str) -> bool:
        """Whether ``user`` may ``action`` on ``resource`` (only the ``forgather`` resource)."""
        return isinstance(user, HubUser) and resource == AUTH_RESOURCE


class LoginPage(JupyterHandler):
    """``<prefix>login``: a browser's way in (the API answers 403, never a redirect).

    Anonymous: redirected to the Hub's login and OAuth, which come back here with
    the service's cookie set; then on to the API (``?next=`` inside the service).
    """

    @web.authenticated
    def get(self) -> None:
        """Redirect a logged-in user to ``next`` (inside the service) or the API's health."""
        base = self.base_url
        target = self.get_argument("next", "") or url_path_join(base, "forgather/api/health")
        if not target.startswith(base) or "//" in target or "\\" in target:
            target = url_path_join(base, "forgather/api/health")  # never off-site
        self.redirect(target)


def _authenticates_itself(handler: RequestHandler) -> bool:
    method = getattr(handler, (handler.request.method or "").lower(), None)
    return bool(getattr(method, _SELF_AUTHENTICATED, False))


def _refuse_instead_of_login(handler: RequestHandler, who: str) -> None:
    # Logged in to the Hub but not a user of the pool: a login redirect would loop.
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise HTTPError(403, f"{who} may not use the Forgather pool")

    handler.redirect = refuse  # type: ignore[method-assign]


__all__ = ["HubServiceAuthorizer", "HubServiceIdentityProvider", "HubUser", "access_scope"]
