"""The member table and its merge rules (pure: no I/O, the clock is passed in).

Three sources tell a node about others, and only one of them vouches for
liveness:

* a **direct pull** (this node asked the peer's listener and it answered):
  the peer's own entry is taken whole and ``last_seen`` moves;
* **mDNS discovery**: who is out there and where (address, port) now;
* a **report** (another node's table, or a caller's own entry): identity only.

A member is reachable while its last direct answer is younger than the
threshold; a silent one turns unreachable but stays listed. A member first
heard of by mDNS or report starts unreachable until a pull confirms it, so a
stale mDNS cache or a node restarting with an old table cannot resurrect a
dead peer even for one sweep.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models.cluster import DescribeMember, DescribeProbe, GpuSummary


@dataclass(frozen=True)
class Sighting:
    """A node as mDNS announces it (its TXT record and its service's addresses and port)."""

    node_id: str
    hostname: str
    addresses: list[str]
    port: int
    version: str


@dataclass
class Member:
    """What this node knows of one peer."""

    node_id: str
    hostname: str
    addresses: list[str]
    port: int
    version: str
    url: str | None = None
    started_at: float | None = None
    probe: DescribeProbe | None = None
    gpus: GpuSummary = field(default_factory=GpuSummary)
    last_seen: float | None = None
    #: The address that answered last: tried first next time.
    answered_at: str | None = None

    def endpoints(self) -> list[tuple[str, int]]:
        """Where to reach its listener, the address that answered last first."""
        addrs = list(self.addresses)
        if self.answered_at in addrs:
            addrs.remove(self.answered_at)
            addrs.insert(0, self.answered_at)
        return [(a, self.port) for a in addrs]

    def take_identity(self, entry: DescribeMember) -> None:
        self.hostname, self.addresses, self.port = entry.hostname, list(entry.addresses), entry.port
        self.version, self.url, self.started_at = entry.version, entry.url, entry.started_at
        self.probe, self.gpus = entry.probe or self.probe, entry.gpus


class MemberTable:
    """Every peer this node has ever heard of (never itself), merged by the rules above."""

    def __init__(self, self_id: str, unreachable_after: float) -> None:
        self.self_id = self_id
        self.unreachable_after = unreachable_after
        self._members: dict[str, Member] = {}

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._members

    def get(self, node_id: str) -> Member | None:
        return self._members.get(node_id)

    def peers(self) -> list[Member]:
        """Every known peer, by node id."""
        return [self._members[k] for k in sorted(self._members)]

    def reachable(self, member: Member, now: float) -> bool:
        """Whether its last direct answer is within the threshold."""
        return member.last_seen is not None and now - member.last_seen <= self.unreachable_after

    def discovered(self, s: Sighting) -> Member | None:
        """An mDNS sighting: added (unreachable until pulled) or its address and port updated.

        mDNS is where a restarted node's new port shows first; liveness is untouched.
        Returns the member when it is new to this node.
        """
        if s.node_id == self.self_id:
            return None
        known = self._members.get(s.node_id)
        if known is None:
            self._members[s.node_id] = m = Member(
                s.node_id, s.hostname, list(s.addresses), s.port, s.version
            )
            return m
        known.hostname, known.addresses, known.port = s.hostname, list(s.addresses), s.port
        known.version = s.version
        return None

    def reported(self, entries: list[DescribeMember]) -> list[Member]:
        """Entries another node sent (its table, or its own entry): identity only.

        An unknown member is added, unreachable; a known one takes the entry's
        identity only when the entry is of a later start of that node than what
        is known (a restarted node's new port), never ``last_seen`` or
        ``reachable``. Returns the members new to this node.
        """
        added = []
        for entry in entries:
            if entry.node_id == self.self_id:
                continue
            known = self._members.get(entry.node_id)
            if known is None:
                m = Member(entry.node_id, entry.hostname, list(entry.addresses), entry.port, "")
                m.take_identity(entry)
                self._members[entry.node_id] = m
                added.append(m)
            elif _later(entry.started_at, known.started_at):
                known.take_identity(entry)
        return added

    def pulled(self, own: DescribeMember, address: str, now: float) -> Member:
        """A direct answer from ``own.node_id`` (its own entry, fresh): the one liveness source."""
        known = self._members.get(own.node_id)
        if known is None:
            known = self._members[own.node_id] = Member(
                own.node_id, own.hostname, [], own.port, own.version
            )
        known.take_identity(own)
        if address not in known.addresses:
            known.addresses.append(address)
        known.last_seen = now
        known.answered_at = address
        return known

    def describe(self, member: Member, now: float, master: str | None) -> DescribeMember:
        """One peer for the API (``reachable`` as of ``now``)."""
        return DescribeMember(
            node_id=member.node_id,
            hostname=member.hostname,
            addresses=list(member.addresses),
            port=member.port,
            url=member.url,
            version=member.version,
            reachable=self.reachable(member, now),
            last_seen=member.last_seen,
            started_at=member.started_at,
            is_self=False,
            is_master=member.node_id == master,
            probe=member.probe,
            gpus=member.gpus,
        )


def _later(candidate: float | None, known: float | None) -> bool:
    return candidate is not None and (known is None or candidate > known)
