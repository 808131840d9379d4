"""Which addresses a node advertises to its peers, and its interfaces for the probe.

``socket.gethostname()`` is no guide on Linux (``/etc/hosts`` maps it to
127.0.1.1), so the addresses come from the interfaces themselves (psutil).
Virtual interfaces (containers' bridges, veth pairs, VPN tunnels) are left
out: the same addresses exist on many hosts and they rarely carry traffic
between hosts. Loopback is the last resort, with a warning.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable
from dataclasses import dataclass

log = logging.getLogger("forgather_lab")

#: Interface name prefixes that are virtual (docker0, br-1a2b, veth12, tun0, tap0, wg0, ...).
VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "tun",
    "tap",
    "wg",
    "cni",
    "flannel",
    "cali",
    "vxlan",
    "podman",
    "lxcbr",
    "lxdbr",
    "kube-",
)
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class Interface:
    """One IPv4 address of one interface."""

    name: str
    address: str
    netmask: str | None
    up: bool = True


def ipv4_interfaces() -> list[Interface]:
    """Every IPv4 address of every interface of this host (loopback and virtual included)."""
    import psutil  # here, not at the top: server start need not pay for it (issue 19)

    stats = psutil.net_if_stats()
    out = []
    for name, addrs in sorted(psutil.net_if_addrs().items()):
        up = stats[name].isup if name in stats else True
        for a in addrs:
            if a.family == socket.AF_INET:
                out.append(Interface(name, a.address, a.netmask, up))
    return out


def is_virtual(name: str) -> bool:
    """Whether an interface's name says it is a container bridge, veth pair or tunnel."""
    return name.startswith(VIRTUAL_PREFIXES)


def advertisable(interfaces: Iterable[Interface]) -> list[str]:
    """The addresses worth advertising: up, not loopback, not link-local, not virtual."""
    out = []
    for i in interfaces:
        ip = ipaddress.ip_address(i.address)
        if i.up and not ip.is_loopback and not ip.is_link_local and not is_virtual(i.name):
            out.append(i.address)
    return list(dict.fromkeys(out))


def choose(configured: Iterable[str], interfaces: Iterable[Interface]) -> list[str]:
    """``cluster_addresses`` when set, else the advertisable ones, else loopback (warned)."""
    explicit = [a.strip() for a in configured if a.strip()]
    if explicit:
        return list(dict.fromkeys(explicit))
    found = advertisable(interfaces)
    if found:
        return found
    log.warning(
        "Cluster mode: no real network interface found, advertising %s; peers on other hosts "
        "cannot reach this node. Set ForgatherLab.cluster_addresses to the address to advertise.",
        LOOPBACK,
    )
    return [LOOPBACK]


def interface_of(address: str, interfaces: Iterable[Interface]) -> str | None:
    """The local interface on whose subnet ``address`` lies (for the log and NCCL's iface)."""
    ip = ipaddress.ip_address(address)
    for i in interfaces:
        if i.netmask is None:
            continue
        net = ipaddress.ip_network(f"{i.address}/{i.netmask}", strict=False)
        if ip in net:
            return i.name
    return None
