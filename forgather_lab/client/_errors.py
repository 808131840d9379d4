"""The client's one error type: what went wrong, in the server's own words."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ..models.base import ErrorReply


class ForgatherClientError(Exception):
    """A request the server refused, or a server that could not be reached.

    ``status`` is the HTTP status (``None`` when no answer came back),
    ``message`` the server's ``{"message"}`` (or a description of the
    transport failure), ``reason`` the server's short ``{"reason"}`` when it
    gave one (e.g. ``"Not Found"``), and ``body`` the parsed reply, when
    there was one.
    """

    def __init__(
        self,
        message: str,
        status: int | None = None,
        body: Any = None,
        url: str | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.url = url
        self.reason = reason

    @property
    def unreachable(self) -> bool:
        """True when no HTTP answer came back at all (connection refused, timeout, DNS)."""
        return self.status is None

    def __str__(self) -> str:
        return self.message if self.status is None else f"{self.status}: {self.message}"


class ServerUnreachable(ForgatherClientError):
    """No answer: the server is down, the URL is wrong, or the network is in the way."""


class DiscoveryError(ServerUnreachable):
    """No server was named and none could be found."""


def error_from_response(status: int, text: str, url: str) -> ForgatherClientError:
    """The error for a non-2xx answer, carrying the server's message and reason when sent."""
    body: Any = None
    message = text.strip()[:500] or f"HTTP {status}"
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    reply = _error_reply(body)
    if reply is not None and reply.message:
        message = reply.message
    elif text.lstrip().startswith("<"):
        # An HTML page: Jupyter's own 404 for a path no handler serves, or a proxy's error.
        message = f"HTTP {status} from {url}"
    elif status == 403 and not text.strip():
        message = "Forbidden: the token was refused (pass --token or set FORGATHER_LAB_TOKEN)"
    reason = reply.reason if reply is not None else None
    return ForgatherClientError(message, status=status, body=body, url=url, reason=reason)


def _error_reply(body: Any) -> ErrorReply | None:
    """The ``{"message", "reason"}`` of an error body (other fields are kept in ``body``)."""
    if not isinstance(body, dict):
        return None
    try:
        return ErrorReply.model_validate(body)
    except ValidationError:
        # Not our shape (an upstream's error through the proxy, say): keep what reads.
        message, reason = body.get("message"), body.get("reason")
        return ErrorReply(
            message=str(message) if message else "",
            reason=reason if isinstance(reason, str) else None,
        )
