"""The peer client: calls to other nodes' inter-node listeners, over mutual TLS.

``call(node_id, method, path, body)`` is the one way a node asks another for
anything (the member pull, a peer's GPUs, a policy change, and the later
forwarding of jobs). It is bounded: every call ends within ``deadline``
seconds (a hung peer is an unreachable peer, never a long wait), and a peer
that cannot be reached is a 503 ``peer_unreachable``, never a 500. A peer's
own refusal (404 no such GPU, ...) comes back as the same error here.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from ..errors import BadRequest, Conflict, Forbidden, ForgatherError, NotFound, TooMany, Unavailable
from .membership import Member

PREFIX = "/peer/v1"
_ERRORS: dict[int, type[ForgatherError]] = {
    400: BadRequest,
    403: Forbidden,
    404: NotFound,
    409: Conflict,
    429: TooMany,
}


class PeerUnreachable(Unavailable):
    """A peer did not answer (refused, timed out, TLS refused, or unknown address)."""

    default_reason = "peer_unreachable"


@dataclass(frozen=True)
class PeerReply:
    """A peer's answer: the status, the JSON body (or raw bytes), and the address that answered."""

    status: int
    content: bytes
    address: str

    def json(self) -> Any:
        return json.loads(self.content) if self.content else None


class ClusterClient:
    """Calls to peers by node id (their known addresses tried in turn), within a deadline."""

    def __init__(
        self,
        ssl_context: ssl.SSLContext,
        member: Callable[[str], Member | None],
        timeout: float = 1.5,
        deadline: float = 2.0,
    ) -> None:
        self._member = member
        self.timeout = timeout
        self.deadline = deadline
        # One pool for every peer: keep-alive spares a TLS handshake per pull.
        self._http = httpx.AsyncClient(
            verify=ssl_context,
            timeout=httpx.Timeout(timeout),
            limits=httpx.Limits(max_keepalive_connections=32, keepalive_expiry=30),
            trust_env=False,  # never through an HTTP(S)_PROXY: peers are on the LAN
        )

    async def close(self) -> None:
        await self._http.aclose()

    async def call(
        self,
        node_id: str,
        method: str,
        path: str,
        body: Any = None,
        deadline: float | None = None,
        per_address: float | None = None,
    ) -> Any:
        """Call ``path`` (below the peer prefix) on ``node_id``; its JSON answer.

        Raises ``NotFound`` for an unknown node, ``PeerUnreachable`` when none of
        its addresses answers in time, and the peer's own error when it refuses.
        ``deadline`` (in all) and ``per_address`` (each address's timeout) default to the
        client's.
        """
        reply = await self.request(node_id, method, path, body, deadline, per_address)
        raise_for_peer(reply, node_id)
        return reply.json()

    async def request(
        self,
        node_id: str,
        method: str,
        path: str,
        body: Any = None,
        deadline: float | None = None,
        per_address: float | None = None,
    ) -> PeerReply:
        """Like ``call`` but the reply as it came (any status), for the caller to judge."""
        member = self._member(node_id)
        if member is None:
            raise NotFound(f"No cluster member {node_id}", reason="no_such_node")
        problems = []
        try:
            async with asyncio.timeout(self.deadline if deadline is None else deadline):
                for address, port in member.endpoints():
                    try:
                        return await self.request_at(address, port, method, path, body, per_address)
                    # InvalidURL / ValueError: an address a peer reported that is not one.
                    except (
                        httpx.HTTPError,
                        httpx.InvalidURL,
                        ssl.SSLError,
                        OSError,
                        ValueError,
                    ) as e:
                        problems.append(f"{address}:{port}: {_say(e)}")
        except TimeoutError:
            problems.append("no answer in time")
        raise PeerUnreachable(
            f"Cluster member {member.hostname} ({node_id}) is unreachable: "
            + ("; ".join(problems) or "no address known"),
            node_id=node_id,
        )

    async def request_at(
        self,
        address: str,
        port: int,
        method: str,
        path: str,
        body: Any = None,
        per_address: float | None = None,
    ) -> PeerReply:
        """One call to one address (transport errors raised as they come)."""
        host = f"[{address}]" if ":" in address else address
        content = None if body is None else json.dumps(body).encode()
        headers = {"Content-Type": "application/json"} if content is not None else {}
        r = await self._http.request(
            method,
            f"https://{host}:{port}{PREFIX}{path}",
            content=content,
            headers=headers,
            timeout=httpx.Timeout(self.timeout if per_address is None else per_address),
        )
        return PeerReply(r.status_code, r.content, address)


def raise_for_peer(reply: PeerReply, node_id: str) -> None:
    """A peer's 4xx / 5xx as the same error here (its message kept)."""
    if reply.status < 400:
        return
    try:
        data = reply.json()
        message = str(data.get("message")) if isinstance(data, dict) else None
        reason = data.get("reason") if isinstance(data, dict) else None
    except ValueError:
        message, reason = None, None
    cls = _ERRORS.get(reply.status, Unavailable)
    text = message or f"cluster member {node_id} answered {reply.status}"
    raise cls(text, reason=reason if isinstance(reason, str) else None, node_id=node_id)


def _say(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    return text.splitlines()[0][:200]
