"""The cluster CA (``forgather-lab tls``), and mutual TLS between the listener and the client.

The CLI runs for real (the console script); the listener and the peer client
run for real on loopback, with the node's operations handed in as plain
callables (the cluster service does the same with the GPU service's).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forgather_lab.cluster import ca, tls
from forgather_lab.cluster.client import ClusterClient, PeerUnreachable
from forgather_lab.cluster.listener import Listener
from forgather_lab.cluster.membership import Member
from forgather_lab.cluster.peer_api import Node, PeerApi
from forgather_lab.errors import BadRequest, NotFound
from forgather_lab.models.cluster import MemberTable
from forgather_lab.models.gpus import DescribeGpuPolicy, ListGpus

CLI = str(Path(sys.executable).parent / "forgather-lab")


def tls_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLI, "tls", *args], capture_output=True, text=True, timeout=60)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_tls_init_and_issue(tmp_path: Path) -> None:
    ca_dir = tmp_path / "ca"
    r = tls_cli("init", str(ca_dir))
    assert r.returncode == 0, r.stderr
    assert mode(ca_dir / "ca.key") == 0o600
    again = tls_cli("init", str(ca_dir))
    assert again.returncode == 1
    assert "already holds a CA" in again.stderr

    r = tls_cli("issue", str(ca_dir), "--node", "gpu-box-1", "--ip", "10.0.0.5", "--ip", "::1")
    assert r.returncode == 0, r.stderr
    node_dir = ca_dir / "gpu-box-1"
    assert {p.name for p in node_dir.iterdir()} == {"ca.crt", "node.crt", "node.key"}
    assert mode(node_dir / "node.key") == 0o600
    cert = x509.load_pem_x509_certificate((node_dir / "node.crt").read_bytes())
    authority = x509.load_pem_x509_certificate((ca_dir / "ca.crt").read_bytes())
    cert.verify_directly_issued_by(authority)
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == "gpu-box-1"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address("10.0.0.5"),
        ipaddress.ip_address("::1"),
    ]
    assert san.get_values_for_type(x509.DNSName) == ["gpu-box-1"]
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert set(eku) == {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH}
    assert (node_dir / "ca.crt").read_bytes() == (ca_dir / "ca.crt").read_bytes()

    out = tmp_path / "elsewhere"
    assert tls_cli("issue", str(ca_dir), "--node", "n2", "--out", str(out)).returncode == 0
    assert mode(out / "node.key") == 0o600
    tls.check_dir(out)  # what cluster_tls_dir names


def test_tls_refusals(tmp_path: Path) -> None:
    r = tls_cli("issue", str(tmp_path / "no-ca"), "--node", "n1")
    assert r.returncode == 1
    assert "ca.crt" in r.stderr
    ca.init_ca(tmp_path / "ca")
    r = tls_cli("issue", str(tmp_path / "ca"), "--node", "n1", "--ip", "not-an-ip")
    assert r.returncode == 2
    assert "not-an-ip" in r.stderr
    assert tls_cli("issue", str(tmp_path / "ca")).returncode == 2  # --node is required
    assert tls_cli().returncode == 2


def test_a_tls_dir_with_a_readable_key_or_a_missing_file_is_refused(tmp_path: Path) -> None:
    ca.init_ca(tmp_path / "ca")
    node = ca.issue(tmp_path / "ca", "n1", [])
    (node / "node.key").chmod(0o644)
    with pytest.raises(BadRequest, match="readable by others"):
        tls.server_context(node)
    (node / "node.key").chmod(0o600)
    (node / "ca.crt").unlink()
    with pytest.raises(BadRequest, match=r"lacks ca\.crt"):
        tls.client_context(node)


@pytest.fixture
def pki(tmp_path: Path) -> Path:
    ca.init_ca(tmp_path / "ca")
    for name in ("server", "client"):
        ca.issue(tmp_path / "ca", name, ["127.0.0.1"])
    ca.init_ca(tmp_path / "foreign")
    ca.issue(tmp_path / "foreign", "intruder", ["127.0.0.1"])
    return tmp_path


def _node() -> Node:
    async def exchange(caller: MemberTable) -> MemberTable:
        return caller

    async def gpus() -> ListGpus:
        return ListGpus(gpus=[], backend="none", simulated=False)

    async def set_policy(index: int, disabled: bool | None, prio: int | None) -> DescribeGpuPolicy:
        if index > 3:
            raise NotFound(f"No GPU {index}")
        return DescribeGpuPolicy(disabled=bool(disabled), min_priority=prio or 0)

    return Node(exchange, gpus, set_policy)


def _member(port: int, node_id: str = "peer") -> Member:
    return Member(node_id, "peer-host", ["127.0.0.1"], port, "1.0")


def test_mutual_tls_between_the_listener_and_the_client(pki: Path) -> None:
    async def scenario() -> None:
        listener = Listener(PeerApi(_node()), tls.server_context(pki / "ca" / "server"),
                            ["127.0.0.1"], 0)  # fmt: skip
        port = await listener.start({"127.0.0.1"})
        members = {"peer": _member(port)}
        good = ClusterClient(tls.client_context(pki / "ca" / "client"), members.get)
        bad = ClusterClient(tls.client_context(pki / "foreign" / "intruder"), members.get)
        try:
            assert await good.call("peer", "GET", "/ping") == {}
            assert (await good.call("peer", "GET", "/gpus"))["backend"] == "none"
            policy = await good.call("peer", "POST", "/gpus/1/policy", {"disabled": True})
            assert policy == {"disabled": True, "min_priority": 0}
            with pytest.raises(NotFound, match="No GPU 7"):  # the peer's refusal, as such
                await good.call("peer", "POST", "/gpus/7/policy", {"disabled": True})
            with pytest.raises(NotFound):  # no such inter-node operation
                await good.call("peer", "GET", "/../forgather/api/health")
            with pytest.raises(BadRequest):
                await good.call("peer", "POST", "/members", {"cluster": 1})
            with pytest.raises(NotFound, match="No cluster member"):
                await good.call("nobody", "GET", "/ping")
            t0 = time.monotonic()
            with pytest.raises(PeerUnreachable):  # another CA's certificate
                await bad.call("peer", "GET", "/ping")
            assert time.monotonic() - t0 < 2.5
        finally:
            await good.close()
            await bad.close()
            await listener.stop()

    asyncio.run(scenario())


def test_an_unreachable_or_hung_peer_is_reported_within_the_deadline(pki: Path) -> None:
    async def scenario() -> None:
        # A peer that accepts connections and never answers (not even the handshake).
        hung = socket.socket()
        hung.bind(("127.0.0.1", 0))
        hung.listen()
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))  # bound, not listening: connection refused
        members = {
            "hung": _member(hung.getsockname()[1], "hung"),
            "closed": _member(closed.getsockname()[1], "closed"),
            # What a confused peer might report: not an address at all.
            "garbage": Member("garbage", "x", ["not an address", "10.0.0.1:99"], 7000, "1"),
        }
        client = ClusterClient(tls.client_context(pki / "ca" / "client"), members.get)
        try:
            for node_id in members:
                t0 = time.monotonic()
                with pytest.raises(PeerUnreachable) as e:
                    await client.call(node_id, "GET", "/ping")
                assert time.monotonic() - t0 < 2.5
                assert e.value.status == 503
                assert e.value.reason == "peer_unreachable"
        finally:
            await client.close()
            hung.close()
            closed.close()

    asyncio.run(scenario())
