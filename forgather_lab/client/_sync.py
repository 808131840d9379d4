"""The blocking client: what the CLI, the magics and scripts use."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Self, TypeVar

import httpx

from ..models.jobs import DescribeJob
from ._call import Call, SyncSender
from ._discovery import ServerInfo, discover
from ._endpoints import Endpoints
from ._errors import ForgatherClientError, error_from_response
from ._transport import (
    DEFAULT_TIMEOUT,
    FINISHED,
    Event,
    event_params,
    headers,
    parse_sse,
    result,
    tty_follow_path,
    unreachable,
    ws_url,
)

T = TypeVar("T")


class Client(Endpoints, SyncSender):
    """The Forgather Lab REST API, blocking.

    ``Client()`` finds the server by itself (see ``forgather_lab.client._discovery``);
    ``Client(url, token)`` names it. Every method raises ``ForgatherClientError``
    carrying the HTTP status and the server's message; ``ServerUnreachable``
    (a subclass, ``status=None``) when no answer came back. The endpoint
    methods come from ``Endpoints`` (``_endpoints.py``); the ones here make
    several requests (``wait``) or stream (``follow_tty``, ``events``).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        server: ServerInfo | None = None,
    ) -> None:
        self.server = server or discover(url, token)
        self._http = httpx.Client(
            base_url=self.server.api_url, headers=headers(self.server), timeout=timeout
        )

    def __repr__(self) -> str:
        return f"Client({self.server.url!r}, source={self.server.source!r})"

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def _send(self, call: Call[T]) -> T:
        try:
            r = self._http.request(
                call.method, call.path, params=call.params or None, json=call.json
            )
        except httpx.TransportError as e:
            raise unreachable(self.server, e) from None
        return result(call, r.status_code, r.text, str(r.url))

    def wait(
        self,
        job_id: str,
        until: tuple[str, ...] = FINISHED,
        timeout: float | None = None,
        interval: float = 0.5,
    ) -> DescribeJob:
        """Poll until the job's status is one of ``until``; the job (TimeoutError if not)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            job = self.job(job_id)
            if job.status in until:
                return job
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"job {job_id} is still {job.status} after {timeout}s")
            time.sleep(interval)

    def follow_tty(self, job_id: str, timeout: float | None = None) -> Iterator[str]:
        """The job's log: the backlog, then live output, until the job ends.

        Stop early by breaking out of the loop (or Ctrl-C); the socket closes.
        """
        import websocket  # websocket-client, a jupyter_server dependency

        job = self.job(job_id)  # a clear 404 before the upgrade, which would only say "Handshake"
        while True:
            got = False
            try:
                ws = websocket.create_connection(
                    ws_url(self.server, tty_follow_path(job_id)),
                    header=[f"{k}: {v}" for k, v in headers(self.server).items()],
                    timeout=timeout,
                )
            except (OSError, websocket.WebSocketException) as e:
                raise unreachable(self.server, e) from None
            try:
                while True:
                    try:
                        message = ws.recv()
                    except websocket.WebSocketConnectionClosedException:
                        break
                    if not message:
                        break  # closed: the job ended (or has not started)
                    got = True
                    yield (
                        message if isinstance(message, str) else message.decode("utf-8", "replace")
                    )
            finally:
                ws.close()
            # The server closes at once for a job that has not started: wait for it.
            if got or job.status not in ("queued", "starting"):
                return
            time.sleep(0.5)
            job = self.job(job_id)

    def events(
        self, types: list[str] | None = None, since: int | None = None, timeout: float | None = None
    ) -> Iterator[Event]:
        """The server's event stream (SSE ``GET /events``): job status, progress, GPU policy.

        ``types`` filters (e.g. ``["job_status_changed"]``); ``since`` resumes after an event id.
        """
        try:
            with self._http.stream(
                "GET",
                "events",
                params=event_params(types, since),
                headers={"Accept": "text/event-stream"},
                timeout=timeout,
            ) as r:
                if r.status_code >= 400:
                    r.read()
                    raise error_from_response(r.status_code, r.text, str(r.url))
                yield from parse_sse(r.iter_lines())
        except httpx.TransportError as e:
            raise unreachable(self.server, e) from None


__all__ = ["Client", "ForgatherClientError"]
