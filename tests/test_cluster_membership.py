"""The member table's merge rules: liveness from direct pulls only; the rest is identity."""

from __future__ import annotations

from forgather_lab.cluster.membership import MemberTable, Sighting
from forgather_lab.models.cluster import DescribeMember, GpuSummary

SELF = "00000000-0000-4000-8000-000000000001"
B = "00000000-0000-4000-8000-00000000000b"
C = "00000000-0000-4000-8000-00000000000c"


def entry(
    node_id: str, port: int = 7000, started_at: float = 100.0, **kw: object
) -> DescribeMember:
    fields: dict[str, object] = {
        "node_id": node_id, "hostname": f"host-{node_id[-1]}", "addresses": ["10.0.0.2"],
        "port": port, "version": "1.0", "reachable": True, "last_seen": 999.0,
        "started_at": started_at,
    }  # fmt: skip
    fields.update(kw)
    return DescribeMember.model_validate(fields)


def test_a_discovered_peer_starts_unreachable_until_pulled() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    assert t.discovered(Sighting(B, "b", ["10.0.0.2"], 7000, "1.0")) is not None
    m = t.get(B)
    assert m is not None
    assert not t.reachable(m, now=1000)
    t.pulled(entry(B), "10.0.0.2", now=1000)
    assert t.reachable(m, now=1000)
    assert m.last_seen == 1000


def test_a_silent_peer_turns_unreachable_past_the_threshold_but_stays() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    m = t.pulled(entry(B), "10.0.0.2", now=1000)
    assert t.reachable(m, now=1015)
    assert not t.reachable(m, now=1015.1)
    assert [p.node_id for p in t.peers()] == [B]
    d = t.describe(m, now=1020, master=None)
    assert d.reachable is False
    assert d.last_seen == 1000


def test_reports_and_mdns_never_refresh_liveness() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    m = t.pulled(entry(B), "10.0.0.2", now=1000)
    # A third node's (stale) table says B was seen just now; mDNS still caches B.
    t.reported([entry(B, last_seen=1019.0, reachable=True)])
    t.discovered(Sighting(B, "b", ["10.0.0.2"], 7000, "1.0"))
    assert m.last_seen == 1000
    assert not t.reachable(m, now=1020)


def test_a_reported_member_is_added_unreachable_and_self_is_never_added() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    added = t.reported([entry(C), entry(SELF)])
    assert [a.node_id for a in added] == [C]
    c = t.get(C)
    assert c is not None
    assert c.last_seen is None
    assert not t.reachable(c, now=0)
    assert SELF not in t
    assert t.discovered(Sighting(SELF, "me", ["10.0.0.1"], 1, "1.0")) is None
    assert SELF not in t


def test_a_restarted_node_is_found_at_its_new_port() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    t.pulled(entry(B, port=7000, started_at=100), "10.0.0.2", now=1000)
    # A stale report (of the old start) changes nothing; one of the new start does.
    t.reported([entry(B, port=6999, started_at=50)])
    m = t.get(B)
    assert m is not None
    assert m.port == 7000
    t.reported([entry(B, port=7100, started_at=200)])
    assert m.port == 7100
    # mDNS, being live, moves the port whatever the report said.
    t.discovered(Sighting(B, "b", ["10.0.0.2"], 7200, "1.0"))
    assert m.endpoints() == [("10.0.0.2", 7200)]


def test_the_answering_address_is_tried_first_and_the_pulled_entry_is_taken_whole() -> None:
    t = MemberTable(SELF, unreachable_after=15)
    t.discovered(Sighting(B, "b", ["192.168.1.2", "10.0.0.2"], 7000, "1.0"))
    m = t.pulled(entry(B, gpus=GpuSummary(total=2, idle=1), version="1.1"), "10.0.0.2", now=5)
    assert m.endpoints()[0] == ("10.0.0.2", 7000)
    assert m.version == "1.1"
    assert m.gpus.total == 2
    assert t.describe(m, now=5, master=B).is_master is True
