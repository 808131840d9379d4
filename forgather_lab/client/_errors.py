"""The client's one error type: what went wrong, in the server's own words."""

from __future__ import annotations

from typing import Any


class ForgatherClientError(Exception):
    """A request the server refused, or a server that could not be reached.

    ``status`` is the HTTP status (``None`` when no answer came back),
    ``message`` the server's ``{"message"}`` (or a description of the
    transport failure) and ``body`` the parsed reply, when there was one.
    """

    def __init__(
        self, message: str, status: int | None = None, body: Any = None, url: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.url = url

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
    """The error for a non-2xx answer, carrying the server's message when it sent one."""
    import json

    body: Any = None
    message = text.strip()[:500] or f"HTTP {status}"
    try:
        body = json.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, dict) and body.get("message"):
        message = str(body["message"])
    elif text.lstrip().startswith("<"):
        # An HTML page: Jupyter's own 404 for a path no handler serves, or a proxy's error.
        message = f"HTTP {status} from {url}"
    elif status == 403 and not text.strip():
        message = "Forbidden: the token was refused (pass --token or set FORGATHER_LAB_TOKEN)"
    return ForgatherClientError(message, status=status, body=body, url=url)
