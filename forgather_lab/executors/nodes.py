"""Which hosts the proxies may reach for jobs on an engine: its nodes, and nothing else.

An inference or TensorBoard job on a Slurm or Ray node listens on that node
(``engine_bind_host``), and the server's same-origin proxies forward to it
there. The loopback lock gives way only to the engine's own nodes: the names
of its pool (``sinfo`` / Ray's node list), the hosts ``engine_nodes`` lists,
and the addresses those names resolve to *on the server* (resolved here,
off the loop, when the names change or the answer is old). A host a user
names is compared literally with that set and never resolved, so a DNS
answer of the user's choosing cannot widen it.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Iterable

from ..proxy.upstream import host_key

#: Re-resolve the node names this often (DNS of a cluster changes rarely).
RESOLVE_TTL = 60.0

_BRACKET = re.compile(r"^([^\[,]*)\[([^\]]*)\]")


def first_node(nodelist: str) -> str | None:
    """The first host of a Slurm node list (``gpu[01-04,07],cpu1`` → ``gpu01``).

    A batch job's script, hence a job's server, runs on the first node of its
    allocation. None for an empty list.
    """
    head = nodelist.strip()
    match = _BRACKET.match(head)  # only when the first entry has a range
    if match is None:
        return head.split(",", 1)[0].strip() or None
    prefix, ranges = match.groups()
    low = ranges.split(",", 1)[0].split("-", 1)[0].strip()
    return f"{prefix}{low}" if low else (prefix or None)


class NodeAllowList:
    """The engine's node names, the configured extra hosts and their addresses."""

    def __init__(self, extra: Iterable[str] = ()) -> None:
        self.extra = [h for h in (host_key(e) for e in extra) if h]
        self._names: frozenset[str] = frozenset()
        self._hosts: frozenset[str] = frozenset(self.extra)
        self._at = 0.0

    def __contains__(self, host: object) -> bool:
        return isinstance(host, str) and host_key(host) in self._hosts

    @property
    def hosts(self) -> frozenset[str]:
        """Every allowed host (names and addresses, as ``host_key`` spells them)."""
        return self._hosts

    def refresh(self, names: Iterable[str]) -> None:
        """Take the pool's current node names (blocking: resolves them; call off the loop)."""
        wanted = frozenset(h for h in (host_key(n) for n in (*names, *self.extra)) if h)
        if wanted == self._names and time.monotonic() - self._at < RESOLVE_TTL:
            return
        hosts = set(wanted)
        for name in wanted:
            hosts.update(_addresses(name))
        self._names, self._hosts, self._at = wanted, frozenset(hosts), time.monotonic()


def _addresses(name: str) -> set[str]:
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return set()  # not resolvable here: the name itself still counts
    return {host_key(str(info[4][0])) for info in infos}
