"""The inter-node operations: what a peer holding a CA-signed certificate may ask.

Only these, below ``/peer/v1``; nothing of the Jupyter-authenticated API is
reachable through the inter-node listener. The transport (``listener.py``)
hands each request to ``PeerApi.handle`` and writes back what it returns.

* ``POST /members``: the caller sends its cluster and its own entry (identity
  only), gets this node's table back (its own entry fresh: the caller's one source of liveness);
* ``GET /gpus``, ``POST /gpus/{index}/policy``: this node's cards and policy;
* ``GET /ping``, ``GET /bytes?size=N``: the network probe's latency and download;
* ``/jobs...`` and ``/load``: this node's jobs for the cluster's one pool (``peer_jobs.py``).
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from pydantic import BaseModel, ValidationError

from ..errors import BadRequest, ForgatherError, NotFound
from ..models.base import ErrorReply
from ..models.cluster import MemberTable
from ..models.gpus import DescribeGpuPolicy, ListGpus, UpdateGpuPolicy
from .client import PREFIX

log = logging.getLogger("forgather_lab")

MAX_BODY = 1 << 20
MAX_DOWNLOAD = 256 << 20
_CHUNK = b"\0" * (1 << 20)


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes
    content_type: str = "application/json"


@dataclass(frozen=True)
class Node:
    """What the operations need of this node (the cluster service provides it)."""

    exchange: Callable[[MemberTable], Awaitable[MemberTable]]
    gpus: Callable[[], Awaitable[ListGpus]]
    set_policy: Callable[[int, bool | None, int | None], Awaitable[DescribeGpuPolicy]]


#: An operation answers a ``Reply``, or a model (sent as JSON, 200).
Handler = Callable[[re.Match[str], bytes, dict[str, list[str]]], Awaitable[Reply | BaseModel]]


class PeerApi:
    """Routes one request to its operation; errors become JSON ``ErrorReply`` bodies."""

    def __init__(self, node: Node) -> None:
        self.node = node
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = [
            ("POST", re.compile(r"/members"), self._members),
            ("GET", re.compile(r"/gpus"), self._gpus),
            ("POST", re.compile(r"/gpus/(\d{1,4})/policy"), self._policy),
            ("GET", re.compile(r"/ping"), self._ping),
            ("GET", re.compile(r"/bytes"), self._bytes),
        ]

    async def handle(self, method: str, target: str, body: bytes) -> Reply:
        """Answer one request (never raises: a bug is a logged 500)."""
        path, _, query = target.partition("?")
        try:
            if not path.startswith(PREFIX + "/"):
                raise NotFound(f"No inter-node operation {path}")
            sub = path[len(PREFIX) :]
            for verb, pattern, handler in self.routes:
                match = pattern.fullmatch(sub)
                if match is not None and verb == method:
                    answer = await handler(match, body, parse_qs(query))
                    return answer if isinstance(answer, Reply) else _ok(answer)
            raise NotFound(f"No inter-node operation {method} {path}")
        except ForgatherError as e:
            err = ErrorReply(message=e.message, reason=e.reason, details=e.details or None)
            return Reply(e.status, err.model_dump_json(exclude_none=True).encode())
        except Exception:
            log.exception("Inter-node %s %s failed", method, path)
            return Reply(500, ErrorReply(message="Internal error").model_dump_json().encode())

    async def _members(self, m: re.Match[str], body: bytes, q: dict[str, list[str]]) -> Reply:
        caller = _parse(MemberTable, body)
        return _ok(await self.node.exchange(caller))

    async def _gpus(self, m: re.Match[str], body: bytes, q: dict[str, list[str]]) -> Reply:
        return _ok(await self.node.gpus())

    async def _policy(self, m: re.Match[str], body: bytes, q: dict[str, list[str]]) -> Reply:
        update = _parse(UpdateGpuPolicy, body)
        index = int(m.group(1))
        return _ok(await self.node.set_policy(index, update.disabled, update.min_priority))

    async def _ping(self, m: re.Match[str], body: bytes, q: dict[str, list[str]]) -> Reply:
        return Reply(200, b"{}")

    async def _bytes(self, m: re.Match[str], body: bytes, q: dict[str, list[str]]) -> Reply:
        try:
            size = int((q.get("size") or ["0"])[0])
        except ValueError:
            raise BadRequest("size must be a number of bytes") from None
        if not 0 <= size <= MAX_DOWNLOAD:
            raise BadRequest(f"size must be 0 to {MAX_DOWNLOAD} bytes")
        whole, rest = divmod(size, len(_CHUNK))
        return Reply(200, _CHUNK * whole + _CHUNK[:rest], "application/octet-stream")


def _parse(model: type[Any], body: bytes) -> Any:
    try:
        return model.model_validate(json.loads(body or b"{}"), strict=False)
    except (ValueError, ValidationError) as e:
        raise BadRequest(f"Bad inter-node request body: {str(e).splitlines()[0]}") from e


def _ok(model: BaseModel) -> Reply:
    return Reply(200, model.model_dump_json().encode())
