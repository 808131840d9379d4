"""Where a user's server finds the Hub's Forgather service, and its credential for it.

Inside a single-user server the Hub gives ``JUPYTERHUB_API_URL`` (the Hub's
API) and ``JUPYTERHUB_API_TOKEN`` (the server's own token, resolved by the Hub
to the server's user); ``JUPYTERHUB_SERVICE_URL`` there is the server's own
address, not the service's. The service's address is either set
(``ForgatherLab.hub_service_url``, e.g. through the Hub's proxy) or asked from
the Hub API once (``GET /services/<name>``: the service's ``url`` and
``prefix``), which reaches the service directly rather than through the proxy.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from ..errors import Unavailable
from ..models import DescribeHealth
from ..proxy.upstream import BadGateway, Upstream
from .base import API_PREFIX


@dataclass
class HubPool:
    """Where the Hub's Forgather service is, and this server's credential for it.

    ``service_url`` (``http://HOST:PORT/services/<name>/``) is the setting's, or
    asked from the Hub API (``GET /services/<name>``: its ``url`` and ``prefix``)
    on first use; a failed look-up is retried on the next request.
    """

    name: str
    api_url: str
    token: str = field(repr=False)
    service_url: str = ""
    upstream: Upstream = field(default_factory=Upstream, repr=False)

    @classmethod
    def from_environ(
        cls, name: str, service_url: str = "", environ: Mapping[str, str] | None = None
    ) -> HubPool:
        """The pool of the Hub this server was spawned by (its ``JUPYTERHUB_*`` variables)."""
        env = os.environ if environ is None else environ
        return cls(
            name=name,
            api_url=env.get("JUPYTERHUB_API_URL", "").rstrip("/"),
            token=env.get("JUPYTERHUB_API_TOKEN", "") or env.get("JPY_API_TOKEN", ""),
            service_url=_with_slash(service_url) if service_url else "",
        )

    @property
    def label(self) -> str:
        """``hub:<name>``, as logs and health say it."""
        return f"hub:{self.name}"

    async def root(self) -> str:
        """``http://HOST:PORT/services/<name>/``: the service's base URL."""
        if not self.service_url:
            self.service_url = await self._ask_hub()
        return self.service_url

    async def api_url_for(self, rest: str, query: str = "") -> str:
        """The service's URL for ``forgather/api/<rest>`` (``rest`` as the client sent it)."""
        url = f"{await self.root()}{API_PREFIX.lstrip('/')}/{rest.lstrip('/')}"
        return f"{url}?{query}" if query else url

    def prefix(self) -> str:
        """The service's path prefix (``/services/<name>/``) once known, else ''."""
        return urlsplit(self.service_url).path if self.service_url else ""

    def authorization(self) -> dict[str, str]:
        """The header that makes a request this server's user's, at the Hub."""
        return {"Authorization": f"token {self.token}"}

    async def _ask_hub(self) -> str:
        if not self.api_url or not self.token:
            raise Unavailable(
                f"The shared pool {self.label} is configured but this server was not "
                "started by JupyterHub (JUPYTERHUB_API_URL / JUPYTERHUB_API_TOKEN unset)"
            )
        url = f"{self.api_url}/services/{quote(self.name, safe='')}"
        try:
            r = await self.upstream.client.get(url, headers=self.authorization())
        except httpx.HTTPError as e:
            raise Unavailable(f"Could not ask the Hub where {self.label} is: {e}") from e
        model: dict[str, Any] = r.json() if r.status_code == 200 else {}
        if not model.get("url"):
            raise Unavailable(
                f"The Hub did not say where its service {self.name!r} is "
                f"(HTTP {r.status_code}): add 'read:services!service={self.name}' to "
                "c.Spawner.server_token_scopes, or set c.ForgatherLab.hub_service_url"
            )
        prefix = str(model.get("prefix") or f"/services/{self.name}/")
        return _with_slash(str(model["url"]).rstrip("/") + _with_slash(prefix))

    async def health(self) -> DescribeHealth:
        """The service's health as this server's user sees it."""
        url = await self.api_url_for("health")
        try:
            r = await self.upstream.client.get(url, headers=self.authorization())
        except httpx.HTTPError as e:
            raise BadGateway(f"Could not reach the shared pool {self.label}: {e}") from e
        if r.status_code not in (200, 503):
            raise Unavailable(
                f"The shared pool {self.label} answered {r.status_code}: {_message(r)}"
            )
        return DescribeHealth.model_validate_json(r.content)

    async def close(self) -> None:
        """Close pooled connections."""
        await self.upstream.close()


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _message(r: httpx.Response) -> str:
    try:
        return str(json.loads(r.content).get("message") or r.reason_phrase)
    except (ValueError, AttributeError):
        return r.reason_phrase


__all__ = ["HubPool"]
