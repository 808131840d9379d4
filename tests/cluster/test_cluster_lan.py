"""Cluster mode across network namespaces: discovery, mTLS refusals, membership, cluster views.

Three real Jupyter servers, each in its own namespace on one bridge: n1 and
n2 of cluster ``lab``, n3 of cluster ``other`` (with a certificate from the
same CA: the name alone keeps clusters apart). Pulls every 0.5 s, peers
unreachable after 2 s, so membership changes show within seconds. The
tests run in file order and share the nodes; the restart test comes last.
"""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path

import httpx
import pytest

from forgather_lab.cluster import tls

from .conftest import UNREACHABLE_AFTER
from .lan import Lan
from .nodes import Node

pytestmark = pytest.mark.timeout(120)


def ids(nodes: dict[str, Node]) -> dict[str, str]:
    return {name: n.cluster()["self"] for name, n in nodes.items()}


def test_nodes_of_one_cluster_discover_each_other_and_no_other(nodes: dict[str, Node]) -> None:
    n1, n2, n3 = nodes["n1"], nodes["n2"], nodes["n3"]
    id1, id2, id3 = ids(nodes).values()
    assert len({id1, id2, id3}) == 3
    seen_by_1 = n1.wait_member(id2, reachable=True)
    n2.wait_member(id1, reachable=True)
    # n3 (cluster "other") is on the same bridge, with a certificate from the same CA.
    time.sleep(1.0)  # several pull rounds
    view = n1.cluster()
    assert view["enabled"] is True
    assert view["name"] == "lab"
    assert {m["node_id"] for m in view["members"]} == {id1, id2}
    assert id3 not in {m["node_id"] for m in n2.cluster()["members"]}
    assert {m["node_id"] for m in n3.cluster()["members"]} == {id3}
    # The master is the lowest reachable node id, and both nodes agree.
    assert view["master"] == min(id1, id2) == n2.cluster()["master"]
    me = view["members"][0]
    assert me["is_self"] is True
    assert me["node_id"] == id1
    # n1's docker0 address is not advertised: only its address on the bridge.
    assert me["addresses"] == [n1.host.address]
    assert seen_by_1["addresses"] == [n2.host.address]
    assert seen_by_1["port"] > 0
    assert seen_by_1["url"].startswith(f"http://{n2.host.address}:")
    # From the same snapshot as "master" (the first sight of n2 may predate its election).
    (peer,) = [m for m in view["members"] if m["node_id"] == id2]
    assert peer["is_master"] is (min(id1, id2) == id2)


def test_each_member_carries_its_probe_and_gpu_counts(nodes: dict[str, Node]) -> None:
    n1, n2 = nodes["n1"], nodes["n2"]
    id2 = n2.cluster()["self"]
    peer = n1.wait_member(id2, reachable=True)
    probe = peer["probe"]
    assert set(probe["versions"]) == {
        "forgather_lab", "python", "platform", "torch", "cuda", "nccl", "transformers",
    }  # fmt: skip
    assert probe["versions"]["python"].count(".") == 2
    assert probe["versions"]["cuda"] is None  # the CPU build of torch: no CUDA, no NCCL
    assert probe["versions"]["nccl"] is None
    assert {"name": "eth0", "address": n2.host.address, "netmask": "255.255.255.0"} in probe[
        "interfaces"
    ]
    assert probe["cpus"] >= 1
    assert probe["memory_gb"] > 0
    assert peer["gpus"] == {"total": 4, "idle": 4}


def test_cluster_gpus_and_a_peers_policy(nodes: dict[str, Node]) -> None:
    n1, n2 = nodes["n1"], nodes["n2"]
    id1, id2 = n1.cluster()["self"], n2.cluster()["self"]
    n1.wait_member(id2, reachable=True)
    listed = n1.get("cluster", "gpus").json()
    by_node = {g["node_id"] for g in listed["gpus"]}
    assert by_node == {id1, id2}
    assert len(listed["gpus"]) == 8
    assert all(n["reachable"] for n in listed["nodes"])
    # A policy change on n2, made through n1, lands in n2's own pool.
    r = n1.post("cluster", "nodes", id2, "gpus", "2", "policy", json={"disabled": True})
    assert r.status_code == 200, r.text
    assert r.json()["disabled"] is True
    own = {g["index"]: g for g in n2.get("gpus").json()["gpus"]}
    assert own[2]["disabled"] is True
    assert not {g["index"]: g for g in n1.get("gpus").json()["gpus"]}[2]["disabled"]
    # The peer's own refusal comes back as such; an unknown node is a 404 here.
    r = n1.post("cluster", "nodes", id2, "gpus", "9", "policy", json={"disabled": True})
    assert r.status_code == 404, r.text
    assert "No GPU 9" in r.json()["message"]
    r = n1.post("cluster", "nodes", "not-a-node", "gpus", "0", "policy", json={"disabled": True})
    assert r.status_code == 404
    n1.post("cluster", "nodes", id2, "gpus", "2", "policy", json={"disabled": False})


def test_network_probe_measures_the_peer(nodes: dict[str, Node]) -> None:
    n1, n2 = nodes["n1"], nodes["n2"]
    id2 = n2.cluster()["self"]
    n1.wait_member(id2, reachable=True)
    assert n1.get("cluster", "network").json()["peers"] == []
    result = n1.post("cluster", "network", "refresh").json()
    (row,) = result["peers"]
    assert row["node_id"] == id2
    assert row["message"] is None
    assert row["address"] == n2.host.address
    lat = row["latency"]
    assert 0 < lat["min_ms"] <= lat["median_ms"] <= lat["max_ms"]
    assert lat["samples"] == 20
    assert row["bandwidth_mbps"] > 1
    assert n1.get("cluster", "network").json() == result  # cached


def _listener(node: Node, peer_id: str) -> tuple[str, int]:
    m = node.wait_member(peer_id, reachable=True)
    return m["addresses"][0], int(m["port"])


def _ping(lan: Lan, where: tuple[str, int], ctx: ssl.SSLContext) -> httpx.Response:
    url = f"https://{where[0]}:{where[1]}/peer/v1/ping"
    return lan.in_client(httpx.get, url, verify=ctx, timeout=3, trust_env=False)


def _raw_request(where: tuple[str, int], ctx: ssl.SSLContext) -> bytes:
    """A request over a bare TLS socket; what comes back (an SSLError on a refusal)."""
    with socket.create_connection(where, timeout=3) as raw, ctx.wrap_socket(raw) as s:
        s.sendall(b"GET /peer/v1/ping HTTP/1.1\r\nHost: peer\r\n\r\n")
        return s.recv(1024)


def _handshake(where: tuple[str, int], ctx: ssl.SSLContext) -> None:
    with socket.create_connection(where, timeout=3) as raw, ctx.wrap_socket(raw):
        pass


def _client_context(cert_dir: Path | None, ca_file: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(ca_file))
    ctx.check_hostname = False
    if cert_dir is not None:
        ctx.load_cert_chain(str(cert_dir / tls.NODE_CERT), str(cert_dir / tls.NODE_KEY))
    return ctx


def test_the_listener_refuses_clients_without_a_certificate_of_the_ca(
    nodes: dict[str, Node], lan: Lan, pki: Path
) -> None:
    n1, n2 = nodes["n1"], nodes["n2"]
    where = _listener(n1, n2.cluster()["self"])  # n2's listener, as n1 knows it
    ca_file = pki / "ca" / tls.CA_CERT
    ok = _ping(lan, where, tls.client_context(pki / "ca" / "client"))
    assert ok.status_code == 200
    good = tls.client_context(pki / "ca" / "client")
    assert lan.in_client(_raw_request, where, good).startswith(b"HTTP/1.1 200")
    good.maximum_version = ssl.TLSVersion.TLSv1_2
    lan.in_client(_handshake, where, good)  # TLS 1.2 works with a good certificate
    for cert_dir in (None, pki / "foreign" / "intruder"):  # no certificate; another CA's
        with pytest.raises((httpx.ConnectError, httpx.ReadError, httpx.RemoteProtocolError)):
            _ping(lan, where, _client_context(cert_dir, ca_file))
        # TLS 1.3: the client's side of the handshake ends before the server checks its
        # certificate; the server then drops the connection: not one byte of HTTP back.
        try:
            answer = lan.in_client(_raw_request, where, _client_context(cert_dir, ca_file))
        except (ssl.SSLError, ConnectionError):
            answer = b""
        assert answer == b""
        # TLS 1.2: the server checks it inside the handshake, which fails.
        old = _client_context(cert_dir, ca_file)
        old.maximum_version = ssl.TLSVersion.TLSv1_2
        with pytest.raises((ssl.SSLError, ConnectionError)):
            lan.in_client(_handshake, where, old)
    # Jupyter's API is not on the inter-node listener, whatever the certificate.
    url = f"https://{where[0]}:{where[1]}/forgather/api/health"
    r = lan.in_client(
        httpx.get, url, verify=tls.client_context(pki / "ca" / "client"), trust_env=False
    )
    assert r.status_code == 404


def test_a_killed_node_turns_unreachable_stays_listed_and_comes_back(
    nodes: dict[str, Node],
) -> None:
    n1, n2 = nodes["n1"], nodes["n2"]
    id2 = n2.cluster()["self"]
    n1.wait_member(id2, reachable=True)
    n2.kill9()
    killed = time.monotonic()
    gone = n1.wait_member(id2, reachable=False, timeout=float(UNREACHABLE_AFTER) + 8)
    assert time.monotonic() - killed >= float(UNREACHABLE_AFTER) - 0.6  # not before the threshold
    assert gone["last_seen"] is not None
    assert n1.cluster()["master"] == n1.cluster()["self"]  # the only reachable member
    time.sleep(1.0)
    # Kept and flagged; n1's mDNS cache still holds n2 (kill -9 sends no goodbye), and
    # that never vouches for liveness.
    still = n1.member(id2)
    assert still is not None
    assert still["reachable"] is False
    # n1's GPUs view says n2 is unreachable instead of failing or hanging.
    t0 = time.monotonic()
    listed = n1.get("cluster", "gpus").json()
    assert time.monotonic() - t0 < 2.5
    row = next(n for n in listed["nodes"] if n["node_id"] == id2)
    assert row["reachable"] is False
    r = n1.post("cluster", "nodes", id2, "gpus", "0", "policy", json={"disabled": True})
    assert r.status_code == 503
    # Restarted on the same state directory: the same node id, reachable again.
    n2.start()
    assert n2.cluster()["self"] == id2
    back = n1.wait_member(id2, reachable=True, timeout=20)
    assert back["started_at"] > gone["started_at"]
