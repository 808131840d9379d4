"""The one error family of the core services.

Core modules raise these; the HTTP layer maps ``status`` to the response code
and ``message`` to the JSON body. Anything else escaping a handler is a bug
and is answered as a logged 500.
"""

from __future__ import annotations

from typing import Any


class ForgatherError(Exception):
    """Base class: a failure the user can act on, with an HTTP status."""

    status = 400

    def __init__(self, message: str, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra


class BadRequest(ForgatherError):
    """The request is malformed or names something impossible."""

    status = 400


class Forbidden(ForgatherError):
    """The request is understood but not allowed (e.g. a bundled preset)."""

    status = 403


class NotFound(ForgatherError):
    """The thing the request names does not exist."""

    status = 404


class Conflict(ForgatherError):
    """The request clashes with the current state (e.g. a running job)."""

    status = 409


class Unavailable(ForgatherError):
    """The service cannot answer now (e.g. the state database is unreadable)."""

    status = 503


class StateError(Unavailable):
    """The state directory or database cannot be used."""
