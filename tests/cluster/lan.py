"""A LAN of network namespaces: a bridge, one namespace per node, one for the test's client.

Addresses exist only inside these namespaces (the host gets none and never
connects to them: it has no route there). The test process reaches them from
a worker thread that has joined the client namespace (``setns`` is per
thread), so every HTTP call of a test goes over the bridge as a peer's
would. Everything is removed at ``close()``, also after a failure: the
processes in each namespace by PID, then the namespaces (which takes the
veth pairs with them).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")
CLONE_NEWNET = 0x40000000
PREFIX = "fgl"


def ip(*args: str, ns: str | None = None) -> None:
    argv = ["ip", *(("-n", ns) if ns else ()), *args]
    out = subprocess.run(argv, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: {out.stderr.strip()}")


def netns_permitted() -> str | None:
    """None when ``ip netns`` works here (root, iproute2); else why not."""
    name = f"{PREFIX}{os.getpid()}chk"
    try:
        ip("netns", "add", name)
    except (RuntimeError, FileNotFoundError) as e:
        return f"network namespaces are not permitted here ({e})"
    ip("netns", "del", name)
    return None


@dataclass
class Host:
    """One node's namespace and its address on the bridge."""

    ns: str
    iface: str
    address: str


class Lan:
    """The bridge, the client namespace and the nodes' namespaces."""

    def __init__(self, subnet: int) -> None:
        tag = f"{PREFIX}{os.getpid() % 100000}x"
        self.tag = tag
        self.prefix = f"10.{200 + subnet % 50}.{os.getpid() % 250}"
        self.bridge_ns = f"{tag}br"
        self.namespaces: list[str] = []
        self.hosts: list[Host] = []
        self._client: ThreadPoolExecutor | None = None
        self._add_ns(self.bridge_ns)
        ip("link", "add", "br0", "type", "bridge", ns=self.bridge_ns)
        ip("link", "set", "br0", "up", ns=self.bridge_ns)
        self.client = self.add_host("cl", 250)

    def _add_ns(self, name: str) -> None:
        ip("netns", "add", name)
        self.namespaces.append(name)
        ip("link", "set", "lo", "up", ns=name)

    def add_host(self, name: str, last_octet: int) -> Host:
        """A namespace on the bridge with ``eth0`` at ``<prefix>.<last_octet>/24``."""
        ns = f"{self.tag}{name}"
        self._add_ns(ns)
        outer = f"{self.tag}{name}"[-15:]
        ip("link", "add", "eth0", "netns", ns, "type", "veth", "peer", "name", outer,
           "netns", self.bridge_ns)  # fmt: skip
        ip("link", "set", outer, "master", "br0", ns=self.bridge_ns)
        ip("link", "set", outer, "up", ns=self.bridge_ns)
        address = f"{self.prefix}.{last_octet}"
        ip("addr", "add", f"{address}/24", "dev", "eth0", ns=ns)
        ip("link", "set", "eth0", "up", ns=ns)
        host = Host(ns, "eth0", address)
        self.hosts.append(host)
        return host

    def add_virtual(self, host: Host, name: str, last_octet: int) -> str:
        """An interface named like a container bridge (``docker0``), up, with an address.

        A veth pair inside the namespace (no ``dummy`` module on every kernel); its
        other end is ``veth<name>``, as Docker's are.
        """
        ip("link", "add", name, "type", "veth", "peer", "name", f"veth{name}"[:15], ns=host.ns)
        address = f"172.31.{os.getpid() % 250}.{last_octet}"
        ip("addr", "add", f"{address}/24", "dev", name, ns=host.ns)
        ip("link", "set", f"veth{name}"[:15], "up", ns=host.ns)
        ip("link", "set", name, "up", ns=host.ns)
        return address

    def in_client(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run ``fn`` on the thread that lives in the client namespace."""
        if self._client is None:
            self._client = ThreadPoolExecutor(1, initializer=_enter, initargs=(self.client.ns,))
        return self._client.submit(fn, *args, **kwargs).result()

    def close(self) -> None:
        if self._client is not None:
            self._client.shutdown(wait=True, cancel_futures=True)
        for ns in reversed(self.namespaces):
            kill_namespace(ns)
        self.namespaces.clear()


def _enter(ns: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(f"/var/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(fd, CLONE_NEWNET) != 0:
            raise OSError(ctypes.get_errno(), f"setns into {ns} failed")
    finally:
        os.close(fd)


def kill_namespace(ns: str) -> None:
    """SIGKILL what still runs in ``ns`` (by PID), then delete it."""
    for _ in range(20):
        out = subprocess.run(["ip", "netns", "pids", ns], capture_output=True, text=True)
        pids = [int(p) for p in out.stdout.split()]
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)
    subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def remove_stale() -> None:
    """Namespaces left by an earlier run that was killed (no live process has its pid)."""
    out = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=False)
    live = {int(e) % 100000 for e in os.listdir("/proc") if e.isdigit()}
    for line in out.stdout.splitlines():
        match = re.match(rf"{PREFIX}(\d+)x", line)
        if match and int(match.group(1)) not in live:
            kill_namespace(line.split()[0])
