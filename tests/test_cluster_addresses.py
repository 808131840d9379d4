"""Which addresses a node advertises: real interfaces only, loopback as the warned last resort."""

from __future__ import annotations

import logging

import pytest

from forgather_lab.cluster.addresses import (
    Interface,
    advertisable,
    choose,
    interface_of,
    ipv4_interfaces,
    is_virtual,
)
from forgather_lab.cluster.probe import probe

HOST = [
    Interface("lo", "127.0.0.1", "255.0.0.0"),
    Interface("eno1", "192.168.1.27", "255.255.255.0"),
    Interface("docker0", "172.17.0.1", "255.255.0.0"),
    Interface("br-1a2b3c", "172.18.0.1", "255.255.0.0"),
    Interface("veth9f", "10.200.0.1", "255.255.255.0"),
    Interface("tun0", "10.8.0.2", "255.255.255.0"),
    Interface("tap1", "10.9.0.2", "255.255.255.0"),
    Interface("wg0", "10.66.0.2", "255.255.255.0"),
    Interface("virbr0", "192.168.122.1", "255.255.255.0"),
    Interface("enp3s0", "169.254.3.3", "255.255.0.0"),  # link-local: no DHCP answered
    Interface("enp4s0", "10.0.0.5", "255.255.255.0", up=False),
    Interface("ib0", "10.1.0.5", "255.255.0.0"),
]


@pytest.mark.parametrize(
    ("name", "virtual"),
    [("docker0", True), ("br-1a2b", True), ("veth0", True), ("tun0", True), ("tap0", True),
     ("wg0", True), ("eth0", False), ("eno1", False), ("ib0", False), ("bond0", False)],
)  # fmt: skip
def test_virtual_interfaces_by_name(name: str, virtual: bool) -> None:
    assert is_virtual(name) is virtual


def test_only_real_interfaces_that_are_up_are_advertised() -> None:
    assert advertisable(HOST) == ["192.168.1.27", "10.1.0.5"]
    assert choose([], HOST) == ["192.168.1.27", "10.1.0.5"]


def test_configured_addresses_win() -> None:
    # A container behind NAT: the address is the host's, not one of ours.
    assert choose(["203.0.113.9", " 203.0.113.9 "], HOST) == ["203.0.113.9"]


def test_loopback_is_the_last_resort_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    only_virtual = [HOST[0], HOST[2], HOST[4]]
    with caplog.at_level(logging.WARNING, logger="forgather_lab"):
        assert choose([], only_virtual) == ["127.0.0.1"]
    assert "cluster_addresses" in caplog.text


def test_the_interface_a_peer_is_reached_through() -> None:
    assert interface_of("192.168.1.40", HOST) == "eno1"
    assert interface_of("172.17.5.5", HOST) == "docker0"
    assert interface_of("198.51.100.1", HOST) is None


def test_this_hosts_interfaces_and_probe() -> None:
    found = ipv4_interfaces()
    assert any(i.address == "127.0.0.1" for i in found)
    p = probe(found)
    assert p.versions.python is not None
    assert p.versions.forgather_lab is not None
    assert p.versions.torch is not None  # installed for the tests (read from its metadata)
    assert p.versions.cuda is None  # the CPU build
    assert p.cpus is not None
    assert p.cpus >= 1
    assert {i.name for i in p.interfaces} == {i.name for i in found}
