"""Who submits: the owner a job gets when the code queueing it names none.

The HTTP layer sets ``SUBMITTER`` to the caller of each request (it is
per-request: every request runs in its own asyncio task and context), so
every path that queues a job for a user — a re-run, a service a user starts,
a notebook job — records that user without each service passing it along.
Jobs queued outside any request (a service started with the server) get none.
"""

from __future__ import annotations

from contextvars import ContextVar

SUBMITTER: ContextVar[str | None] = ContextVar("forgather_submitter", default=None)

__all__ = ["SUBMITTER"]
