"""Fixtures: a LAN of network namespaces, a cluster CA, and nodes on the LAN.

Network namespaces need root (and iproute2): they are permitted on the
development machines and in CI, where these tests run. Elsewhere the module
is skipped with the reason, and under CI a missing permission is a failure.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from forgather_lab.cluster import ca

from .lan import Lan, netns_permitted, remove_stale
from .nodes import Node

PULL = "0.5"
UNREACHABLE_AFTER = "2"


@pytest.fixture(scope="module")
def lan() -> Iterator[Lan]:
    problem = netns_permitted()
    if problem is not None:
        if os.environ.get("CI"):
            pytest.fail(problem)
        pytest.skip(problem)
    remove_stale()
    net = Lan(subnet=1)
    try:
        yield net
    finally:
        net.close()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cluster CA with certificates for n1, n2, n3, and a foreign CA with one for `intruder`."""
    base = tmp_path_factory.mktemp("pki")
    ca.init_ca(base / "ca")
    for name in ("n1", "n2", "n3", "client"):
        ca.issue(base / "ca", name, [])
    ca.init_ca(base / "foreign", name="Someone else's CA")
    ca.issue(base / "foreign", "intruder", [])
    return base


def cluster_args(pki: Path, name: str, cluster: str) -> list[str]:
    return [
        f"--ForgatherLab.cluster={cluster}",
        f"--ForgatherLab.cluster_tls_dir={pki / 'ca' / name}",
        f"--ForgatherLab.cluster_pull_interval={PULL}",
        f"--ForgatherLab.cluster_unreachable_after={UNREACHABLE_AFTER}",
    ]


@pytest.fixture(scope="module")
def nodes(
    lan: Lan, pki: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Node]]:
    """n1 and n2 of cluster `lab`, n3 of cluster `other` (same CA), each in its namespace.

    n1 also has a `docker0` interface with an address it must not advertise.
    """
    out: dict[str, Node] = {}
    for i, (name, cluster) in enumerate([("n1", "lab"), ("n2", "lab"), ("n3", "other")]):
        host = lan.add_host(name, 10 + i)
        if name == "n1":
            lan.add_virtual(host, "docker0", 1)
        base = tmp_path_factory.mktemp(name)
        out[name] = Node(lan, host, base, *cluster_args(pki, name, cluster))
    try:
        with ThreadPoolExecutor(len(out)) as pool:
            list(pool.map(lambda n: n.start(), out.values()))
        yield out
    finally:
        for n in out.values():
            n.stop()
