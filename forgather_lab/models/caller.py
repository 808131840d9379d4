"""Who is calling: the user a request acts for, and whether they are an admin."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caller:
    """The user behind one request (computed once per request by the HTTP layer).

    In single mode it is the server's own OS user, always an admin; in hub mode
    the Hub user, an admin when the Hub says so or through ``admin_groups``.
    """

    name: str
    admin: bool

    def may_act_on(self, owner: str | None) -> bool:
        """Whether this caller may steer, read or delete a job owned by ``owner``."""
        return self.admin or (owner is not None and owner == self.name)


__all__ = ["Caller"]
