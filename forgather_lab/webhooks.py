"""Outgoing webhooks: an HMAC-signed JSON POST when a job reaches a terminal state.

Deliveries run as background tasks with exponential backoff, so a slow or
dead receiver never holds up the scheduler. The signing key comes from a file
(0600; never argv, never logged): ``X-Forgather-Signature: sha256=<hex>`` is
``HMAC-SHA256(key, raw body)``, as GitHub signs its webhooks. Receivers
should compare it in constant time and may reject stale ``sent_at`` values.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import stat
import time
import uuid
from pathlib import Path
from typing import Literal

import httpx
from pydantic import Field, ValidationError

from .errors import BadRequest
from .events import Event, EventBus
from .models.base import Model
from .models.jobs import DescribeJob, JobStatus
from .proxy.upstream import NoCookieJar
from .tasks import TaskSet

log = logging.getLogger("forgather_lab.webhooks")

SIGNATURE_HEADER = "X-Forgather-Signature"
RETRY_STATUSES = {408, 425, 429}


def sign(key: bytes, body: bytes) -> str:
    """The signature header's value for ``body``."""
    return "sha256=" + hmac.new(key, body, hashlib.sha256).hexdigest()


def read_secret(path: str | Path) -> bytes:
    """The HMAC key from a file only its owner can read; BadRequest otherwise."""
    p = Path(path).expanduser()
    try:
        mode = stat.S_IMODE(p.stat().st_mode)
        key = p.read_bytes().strip()
    except OSError as e:
        raise BadRequest(f"Cannot read webhook_secret_file {p}: {e.strerror}") from e
    if mode & 0o077:
        raise BadRequest(
            f"webhook_secret_file {p} is readable by others (mode {mode:o}); chmod 600 it"
        )
    if not key:
        raise BadRequest(f"webhook_secret_file {p} is empty")
    return key


class JobFinishedDelivery(Model):
    """The body of a ``job_finished`` webhook."""

    event: Literal["job_finished"] = "job_finished"
    delivery: str = Field(description="unique per delivery; retries repeat it")
    sent_at: float
    event_id: int = Field(description="the event's id on the server's event stream")
    job_id: str
    status: JobStatus
    name: str | None = None
    message: str | None = None
    exit_code: int | None = None
    error: str | None = None
    job: DescribeJob | None = None

    @classmethod
    def from_event(cls, event: Event) -> JobFinishedDelivery:
        """Build from a ``job_finished`` event (``event.data["job"]`` is the job's JSON)."""
        data = event.data
        return cls(
            delivery=uuid.uuid4().hex,
            sent_at=time.time(),
            event_id=event.id,
            job_id=data["job_id"],
            status=data["status"],
            name=data.get("name"),
            message=data.get("message"),
            exit_code=data.get("exit_code"),
            error=data.get("error"),
            job=data.get("job"),
        )


class Webhooks:
    """Sends ``job_finished`` events to the configured URLs."""

    def __init__(
        self,
        bus: EventBus,
        urls: list[str],
        secret: bytes | None,
        max_attempts: int = 6,
        backoff: float = 1.0,
        timeout: float = 10.0,
    ) -> None:
        self.urls = list(urls)
        self.secret = secret
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self._tasks = TaskSet("webhooks")
        self._client: httpx.AsyncClient | None = None
        self._unlisten = bus.listen(self._on_event) if self.urls else lambda: None
        if self.urls and secret is None:
            log.warning("webhook_urls are set without webhook_secret_file: webhooks are unsigned")

    def _on_event(self, event: Event) -> None:
        if event.type != "job_finished":
            return
        try:
            payload = JobFinishedDelivery.from_event(event)
        except (KeyError, ValidationError):
            # A listener must not raise into the publisher; a malformed event is a bug.
            log.exception("webhooks: cannot deliver event %d", event.id)
            return
        body = json.dumps(payload.model_dump(mode="json"), sort_keys=True).encode()
        for url in self.urls:
            self._tasks.spawn(
                self._deliver(url, body, payload.delivery), name=f"webhook {payload.delivery}"
            )

    async def _deliver(self, url: str, body: bytes, delivery: str) -> None:
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "forgather-lab-webhooks",
            "X-Forgather-Event": "job_finished",
            "X-Forgather-Delivery": delivery,
        }
        if self.secret is not None:
            headers[SIGNATURE_HEADER] = sign(self.secret, body)
        if self._client is None:
            # Receivers are outside parties: nothing one sets is replayed to another.
            self._client = httpx.AsyncClient(
                timeout=self.timeout, follow_redirects=False, cookies=NoCookieJar()
            )
        for attempt in range(1, self.max_attempts + 1):
            try:
                response = await self._client.post(url, content=body, headers=headers)
                if response.status_code < 300:
                    return
                problem = f"HTTP {response.status_code}"
                if 400 <= response.status_code < 500 and response.status_code not in RETRY_STATUSES:
                    log.warning("webhook %s refused delivery %s: %s", url, delivery, problem)
                    return
            except httpx.HTTPError as e:
                problem = f"{type(e).__name__}: {e}"
            if attempt == self.max_attempts:
                log.warning(
                    "webhook %s: giving up on delivery %s after %d attempts (%s)",
                    url,
                    delivery,
                    attempt,
                    problem,
                )
                return
            delay = min(300.0, self.backoff * 2 ** (attempt - 1))
            log.info("webhook %s: %s; retrying in %.1fs", url, problem, delay)
            await asyncio.sleep(delay)

    async def close(self) -> None:
        """Stop listening, cancel pending deliveries and close the HTTP client."""
        self._unlisten()
        await self._tasks.close()
        if self._client is not None:
            await self._client.aclose()
            self._client = None


def from_settings(bus: EventBus, urls: list[str], secret_file: str | None) -> Webhooks:
    """Build from the traits; a bad secret file turns webhooks off loudly (never unsigned)."""
    secret: bytes | None = None
    if secret_file:
        try:
            secret = read_secret(secret_file)
        except BadRequest as e:
            log.error("%s; webhooks are disabled until it is fixed", e.message)
            return Webhooks(bus, [], None)
    return Webhooks(bus, urls, secret)


__all__ = [
    "SIGNATURE_HEADER",
    "JobFinishedDelivery",
    "Webhooks",
    "from_settings",
    "read_secret",
    "sign",
]
