"""Whether a dataset server answers, and what it serves: ``/health`` then ``/datasets``.

Every registered server is probed the same way, a job's and a user's, each
time the registry is listed (the Lab polls it only while the Datasets view
is open). The client follows no redirects, keeps no cookies and ignores
proxy variables, like the proxy's own (``proxy.upstream``): the token is
meant for that server alone.
"""

from __future__ import annotations

import httpx

from ..models.datasets import DatasetServerStatus
from ..proxy.upstream import NoCookieJar

PROBE_TIMEOUT = 3.0
MAX_NAMES = 500  # dataset names listed per server in the registry


class Prober:
    """One pooled client for the probes of every server."""

    def __init__(self, timeout: float = PROBE_TIMEOUT) -> None:
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:  # created on the loop that uses it
            self._client = httpx.AsyncClient(
                timeout=httpx.Timeout(self._timeout),
                trust_env=False,
                follow_redirects=False,
                cookies=NoCookieJar(),
            )
        return self._client

    async def probe(
        self, url: str | None, token: str | None
    ) -> tuple[DatasetServerStatus, list[str], str | None]:
        """(status, dataset names, why not ready) of the server at ``url``."""
        if url is None:
            return "starting", [], "the server has not announced its port yet"
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        try:
            health = await self.client.get(f"{url}/health", headers=headers)
            if health.status_code != 200:
                return "unreachable", [], f"health answered {health.status_code}"
            listing = await self.client.get(f"{url}/datasets", headers=headers)
        except httpx.HTTPError as e:
            return "unreachable", [], f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
        if listing.status_code in (401, 403):
            return "unauthorized", [], f"the server refused the token ({listing.status_code})"
        if listing.status_code != 200:
            return "unreachable", [], f"/datasets answered {listing.status_code}"
        try:
            rows = listing.json().get("datasets") or []
            names = [str(r["name"]) for r in rows if isinstance(r, dict) and "name" in r]
        except (ValueError, AttributeError, TypeError):
            return "unreachable", [], "/datasets did not answer a dataset list"
        return "ready", names[:MAX_NAMES], None

    async def close(self) -> None:
        """Close pooled connections."""
        if self._client is not None:
            await self._client.aclose()
            self._client = None
