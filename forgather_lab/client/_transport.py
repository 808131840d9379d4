"""What the sync and async clients share: headers, reading replies, stream URLs, SSE."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ._call import Call, seg
from ._discovery import ServerInfo
from ._errors import ForgatherClientError, ServerUnreachable, error_from_response

T = TypeVar("T")

DEFAULT_TIMEOUT = 30.0
FINISHED = ("done", "failed", "aborted", "cancelled")  # what ``wait`` waits for by default


def headers(server: ServerInfo) -> dict[str, str]:
    """Jupyter's token header (no XSRF needed when a token authenticates)."""
    h = {"Accept": "application/json", "User-Agent": "forgather-lab-client"}
    if server.token:
        h["Authorization"] = f"token {server.token}"
    return h


def result(call: Call[T], status: int, text: str, url: str) -> T:
    """The answer of ``call`` read into its type, or the error the server's reply describes."""
    if not (200 <= status < 300 or status in call.ok_statuses):
        raise error_from_response(status, text, url)
    data: Any = None
    if call.text:
        data = text
    elif status != 204 and text:
        try:
            data = json.loads(text)
        except ValueError as e:
            raise ForgatherClientError(
                f"The server answered {status} with something that is not JSON: {text[:200]!r}",
                status=status,
                url=url,
            ) from e
    try:
        return call.parse(data)
    except ValueError as e:
        # A server far newer or older than this client: say so rather than half-read it.
        raise ForgatherClientError(
            f"The server's answer to {call.method} {call.path} is not what this client "
            f"understands ({_first_line(e)}); is the client older than the server?",
            status=status,
            body=data,
            url=url,
        ) from e


def _first_line(error: ValueError) -> str:
    text = str(error).strip().splitlines()
    return "; ".join(line.strip() for line in text[:3]) or type(error).__name__


def unreachable(server: ServerInfo, error: Exception) -> ServerUnreachable:
    """One line that names the URL and the cause, for every transport failure."""
    cause = str(error) or type(error).__name__
    return ServerUnreachable(
        f"Cannot reach the Jupyter server at {server.url} ({cause})", url=server.url
    )


def ws_url(server: ServerInfo, path: str) -> str:
    """The ws:// or wss:// URL of a streaming endpoint."""
    base = server.api_url
    scheme = "wss" if base.startswith("https") else "ws"
    return scheme + base[base.index(":") :] + path


def tty_follow_path(job_id: str) -> str:
    """The WebSocket that sends a job's log backlog, then live output until it ends."""
    return f"jobs/{seg(job_id)}/tty?follow=1"


def event_params(types: list[str] | None, since: int | None) -> dict[str, Any]:
    """The query of ``GET /events``."""
    params: dict[str, Any] = {}
    if types:
        params["types"] = ",".join(types)
    if since is not None:
        params["since"] = since
    return params


@dataclass(frozen=True)
class Event:
    """One server-sent event: its ``event`` name and parsed ``data``."""

    event: str
    data: Any
    id: str | None = None


def parse_sse(lines: Iterable[str]) -> Iterator[Event]:
    """Server-sent events from text lines (the ``text/event-stream`` format)."""
    name, ident = "message", None
    data: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line:
            if data:
                text = "\n".join(data)
                try:
                    payload: Any = json.loads(text)
                except ValueError:
                    payload = text
                if name == "message" and isinstance(payload, dict) and "type" in payload:
                    name = str(payload["type"])  # the server names events inside the data
                yield Event(name, payload, ident)
            name, data = "message", []
            continue
        if line.startswith(":"):
            continue  # keep-alive comment
        key, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if key == "event":
            name = value
        elif key == "data":
            data.append(value)
        elif key == "id":
            ident = value
