"""The one error family of the core services.

Core modules raise these; the HTTP layer maps ``status`` to the response code
and the error to the JSON body ``{"message", "reason", "details"}`` (the
``ErrorReply`` model): ``message`` says what was wrong in words, ``reason`` is
a stable code a client can branch on. Anything else escaping a handler is a
bug and is answered as a logged 500.
"""

from __future__ import annotations

from typing import Any, ClassVar


class ForgatherError(Exception):
    """Base class: a failure the user can act on, with an HTTP status."""

    status: ClassVar[int] = 400
    default_reason: ClassVar[str] = "bad_request"

    def __init__(self, message: str, reason: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        # Structured context for clients; kept apart so it can never replace message.
        self.details = details


class BadRequest(ForgatherError):
    """The request is malformed or names something impossible."""

    status: ClassVar[int] = 400


class Forbidden(ForgatherError):
    """The request is understood but not allowed (e.g. a bundled preset)."""

    status: ClassVar[int] = 403
    default_reason: ClassVar[str] = "forbidden"


class NotFound(ForgatherError):
    """The thing the request names does not exist."""

    status: ClassVar[int] = 404
    default_reason: ClassVar[str] = "not_found"


class Conflict(ForgatherError):
    """The request clashes with the current state (e.g. a running job)."""

    status: ClassVar[int] = 409
    default_reason: ClassVar[str] = "conflict"


class TooMany(ForgatherError):
    """Too many of something for this caller now (e.g. queued jobs over a user's limit)."""

    status: ClassVar[int] = 429
    default_reason: ClassVar[str] = "too_many"


class Unavailable(ForgatherError):
    """The service cannot answer now (e.g. the state database is unreadable)."""

    status: ClassVar[int] = 503
    default_reason: ClassVar[str] = "unavailable"


class StateError(Unavailable):
    """The state directory or database cannot be used."""

    default_reason: ClassVar[str] = "state_unavailable"
