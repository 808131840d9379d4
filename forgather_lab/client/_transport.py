"""What the sync and async clients share: headers, reply parsing, stream URLs, SSE."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from ._discovery import ServerInfo
from ._endpoints import Call, _seg
from ._errors import ForgatherClientError, ServerUnreachable, error_from_response

DEFAULT_TIMEOUT = 30.0


def headers(server: ServerInfo) -> dict[str, str]:
    """Jupyter's token header (no XSRF needed when a token authenticates)."""
    h = {"Accept": "application/json", "User-Agent": "forgather-lab-client"}
    if server.token:
        h["Authorization"] = f"token {server.token}"
    return h


def result(call: Call, status: int, text: str, url: str) -> Any:
    """The parsed answer of ``call``, or the error the server's reply describes."""
    if not (200 <= status < 300 or status in call.ok_statuses):
        raise error_from_response(status, text, url)
    if call.text:
        return call.parse(text)
    if status == 204 or not text:
        return call.parse(None)
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ForgatherClientError(
            f"The server answered {status} with something that is not JSON: {text[:200]!r}",
            status=status,
            url=url,
        ) from e
    return call.parse(data)


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
    return f"jobs/{_seg(job_id)}/tty?follow=1"


def _event_params(types: list[str] | None, since: int | None) -> dict[str, Any]:
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
    name, data, ident = "message", [], None
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
