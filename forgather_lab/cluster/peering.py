"""The membership protocol: who to pull, when, and what an answer or a sighting changes.

Every ``interval`` this node POSTs its own entry to every known peer's
``/peer/v1/members`` and merges the table it gets back (``MemberTable``'s
rules: the answering node's own entry is the one source of liveness, the rest
identity only). A new peer, seen on mDNS or calling in, is pulled at once
rather than at the next round. Being pulled is answered by ``exchange``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

from pydantic import ValidationError

from ..errors import Conflict, ForgatherError
from ..models.cluster import DescribeMember
from ..models.cluster import MemberTable as TableReply
from ..tasks import TaskSet, wait_set
from . import addresses
from .client import ClusterClient, raise_for_peer
from .membership import MemberTable, Sighting

log = logging.getLogger("forgather_lab")


class Peering:
    """Pulls peers and answers their pulls, for one node of cluster ``name``."""

    def __init__(
        self,
        name: str,
        table: MemberTable,
        client: ClusterClient,
        own_entry: Callable[[], Awaitable[DescribeMember]],
        peer_entries: Callable[[], list[DescribeMember]],
    ) -> None:
        self.name = name
        self.table = table
        self.client = client
        self.own_entry = own_entry
        self.peer_entries = peer_entries
        self._reachable: dict[str, bool] = {}
        self._tasks = TaskSet("cluster peering")
        self._stopping = asyncio.Event()

    def start(self, interval: float) -> None:
        self._tasks.spawn(self._loop(interval), name="cluster pull")

    async def stop(self) -> None:
        self._stopping.set()
        await self._tasks.close()

    async def _loop(self, interval: float) -> None:
        while not self._stopping.is_set():
            try:
                await self.pull_once()
            except Exception:  # a bug: logged, and membership keeps going
                log.exception("Cluster pull round failed")
            await wait_set(self._stopping, interval)

    async def _own_table(self) -> TableReply:
        """What a pull sends: this cluster's name and this node's own entry (identity)."""
        return TableReply(cluster=self.name, self=await self.own_entry(), members=[])

    async def pull_once(self) -> None:
        """Pull every known peer's table, in parallel (each call bounded by the client)."""
        mine = await self._own_table()  # one for every peer: the GPU pool is read once
        await asyncio.gather(*(self.pull(m.node_id, mine) for m in self.table.peers()))
        self._log_transitions()

    async def pull(self, node_id: str, mine: TableReply | None = None) -> None:
        """One direct pull of ``node_id``; a failure changes nothing (the threshold does)."""
        mine = mine or await self._own_table()
        try:
            reply = await self.client.request(
                node_id, "POST", "/members", mine.model_dump(mode="json")
            )
            raise_for_peer(reply, node_id)
            answer = TableReply.model_validate(reply.json())
        except (ForgatherError, ValueError, ValidationError) as e:
            log.debug("Cluster pull of %s failed: %s", node_id, getattr(e, "message", e))
            return
        if answer.cluster != self.name:
            log.warning("Cluster pull of %s reached a node of cluster %r", node_id, answer.cluster)
            return
        if answer.self.node_id == self.table.self_id:
            log.warning("Cluster pull of %s reached this node itself (%s)", node_id, reply.address)
            return
        # The node that answered is who vouches for itself, whoever was expected there.
        self.table.pulled(answer.self, reply.address, time.time())
        for added in self.table.reported(answer.members):
            log.info("Cluster member %s (%s) reported by a peer", added.hostname, added.node_id)

    async def exchange(self, caller: TableReply) -> TableReply:
        """A peer's pull: note its entry (identity only), answer this node's table."""
        if caller.cluster != self.name:
            raise Conflict(f"This node is in cluster {self.name!r}, not {caller.cluster!r}")
        for added in self.table.reported([caller.self]):
            log.info("Cluster member %s (%s) called in", added.hostname, added.node_id)
            self._pull_soon(added.node_id)
        return TableReply(
            cluster=self.name, self=await self.own_entry(), members=self.peer_entries()
        )

    def sighted(self, s: Sighting) -> None:
        """An mDNS sighting (from the discovery's callback, on the loop)."""
        if self.table.discovered(s) is not None:
            mine = addresses.ipv4_interfaces()
            via = next((addresses.interface_of(a, mine) for a in s.addresses), None)
            where = ", ".join(f"{a}:{s.port}" for a in s.addresses)
            log.info("mDNS peer %s at %s via local iface %s", s.hostname, where, via or "?")
            self._pull_soon(s.node_id)

    def _pull_soon(self, node_id: str) -> None:
        """Pull a new peer now rather than next round, unless the node is leaving."""
        if not self._stopping.is_set():
            self._tasks.spawn(self.pull(node_id), name=f"cluster pull {node_id}")

    def _log_transitions(self) -> None:
        now = time.time()
        for m in self.table.peers():
            up = self.table.reachable(m, now)
            if self._reachable.get(m.node_id, False) != up:
                state = "reachable" if up else "unreachable"
                log.info("Cluster member %s (%s) is %s", m.hostname, m.node_id, state)
            self._reachable[m.node_id] = up
