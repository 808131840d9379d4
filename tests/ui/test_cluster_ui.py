"""The Cluster section against real servers in cluster mode, on loopback.

Two Jupyter servers join cluster ``uitest`` over mDNS on 127.0.0.1 with
certificates from one CA. Their node ids are written into their state
directories first, so ``a`` (the Lab the browser opens) is the master. Node
``b`` runs with a directory on its PYTHONPATH that holds another
``transformers`` distribution's metadata, as a node with a different install
would: its probe reports that version and, the tie going to the master's
value, its dot turns yellow. Then ``b`` is killed and its dot turns red.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from server_process import ServerProcess

from forgather_lab.cluster import ca

from .conftest import ARTIFACTS, TOKEN, LabServer
from .pages import ForgatherPanel, JupyterLabPage
from .pages_cluster import ClusterGpus, ClusterSection

pytestmark = pytest.mark.ui

OTHER_TRANSFORMERS = "0.0.1"
IDS = {
    "a": "00000000-0000-4000-8000-00000000000a",
    "b": "00000000-0000-4000-8000-00000000000b",
}


@dataclass
class Cluster:
    lab: LabServer
    nodes: dict[str, ServerProcess]


def _node(base: Path, pki: Path, name: str, *extra: str, **kwargs: Any) -> ServerProcess:
    ident = base / "state" / "cluster" / "node_id"
    ident.parent.mkdir(parents=True)
    ident.write_text(IDS[name] + "\n")
    ident.chmod(0o600)
    return ServerProcess(
        base,
        "--ForgatherLab.cluster=uitest",
        "--ForgatherLab.cluster_addresses=127.0.0.1",
        f"--ForgatherLab.cluster_tls_dir={pki / name}",
        "--ForgatherLab.cluster_pull_interval=1",
        "--ForgatherLab.cluster_unreachable_after=3",
        *extra,
        **kwargs,
    )


def _other_install(base: Path) -> Path:
    """A PYTHONPATH directory whose metadata says transformers is another version."""
    dist = base / "shadow" / f"transformers-{OTHER_TRANSFORMERS}.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: transformers\nVersion: {OTHER_TRANSFORMERS}\n"
    )
    return dist.parent


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    pki = tmp_path_factory.mktemp("pki")
    ca.init_ca(pki)
    for name in IDS:
        ca.issue(pki, name, ips=["127.0.0.1"])
    base_b = tmp_path_factory.mktemp("b")
    nodes = {
        "a": _node(
            tmp_path_factory.mktemp("a"),
            pki,
            "a",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            app="lab",
            token=TOKEN,
        ),
        "b": _node(base_b, pki, "b", env={"PYTHONPATH": str(_other_install(base_b))}),
    }
    try:
        with ThreadPoolExecutor(len(nodes)) as pool:
            list(pool.map(lambda s: s.start(), nodes.values()))
        deadline = time.monotonic() + 20
        members: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            members = nodes["a"].get("cluster").json()["members"]
            if len(members) == 2 and all(m["reachable"] for m in members):
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the nodes did not find each other: {members}")
        a = nodes["a"]
        yield Cluster(
            lab=LabServer(url=a.url, token=TOKEN, root_dir=a.root, state_dir=a.state),
            nodes=nodes,
        )
    finally:
        for s in nodes.values():
            s.stop()


def _set_poll(lab: LabServer, seconds: int) -> None:
    url = f"{lab.url}/lab/api/settings/forgather-lab:plugin"
    raw = json.dumps({"clusterPollSeconds": seconds})
    r = httpx.put(url, headers={"Authorization": f"token {lab.token}"}, json={"raw": raw})
    assert r.status_code == 204, r.text


def test_cluster_section_shows_every_node_and_its_health(page: Any, cluster: Cluster) -> None:
    a, b = IDS["a"], IDS["b"]
    _set_poll(cluster.lab, 1)
    asked: list[float] = []
    page.on(
        "request",
        lambda r: (
            asked.append(time.monotonic()) if r.url.split("?")[0].endswith("/api/cluster") else None
        ),
    )
    lab = JupyterLabPage(page, cluster.lab)
    lab.open()
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    section = ClusterSection(panel)
    section.wait_for_nodes(2)
    # clusterPollSeconds = 1 reaches the section (the default, 5, would ask once at most).
    since = time.monotonic()
    page.wait_for_timeout(3_500)
    assert len([t for t in asked if t >= since]) >= 2, asked

    # Green for the master's install, yellow (saying why) for the node with another one.
    section.wait_for_health(a, "ok")
    section.wait_for_health(b, "diverging")
    assert "Healthy" in (section.dot(a).get_attribute("aria-label") or "")
    assert "transformers" in (section.dot(b).get_attribute("aria-label") or "")
    assert section.dot(b).get_attribute("title") == section.dot(b).get_attribute("aria-label")
    off = section.chip(b, "transformers")
    assert off.inner_text() == f"transformers {OTHER_TRANSFORMERS}"
    assert "jp-forgather-cluster-chip-off" in (off.get_attribute("class") or "")
    for key in ("forgather_lab", "python", "torch", "cuda"):
        assert section.chip(a, key).is_visible()
    assert section.chip(a, "torch").inner_text().startswith("torch 2.")
    assert section.chip(a, "cuda").inner_text() == "cuda none"  # CPU torch
    assert section.chip(a, "transformers").count() == 0  # agreeing non-headline: no chip

    # Markers: this server is "self" and, with the lowest node id, "master".
    assert section.markers(a) == ["self", "master"]
    assert section.markers(b) == []
    # CPUs, memory, GPUs per node; the interfaces on demand.
    facts = section.node(a).locator(".jp-forgather-cluster-facts").inner_text()
    assert "CPUs" in facts
    assert "GiB" in facts
    assert "4 GPUs · 4 idle" in facts
    assert "lo 127.0.0.1" in section.expand(a, "Interfaces").inner_text()

    # A peer's link opens its own JupyterLab in a new tab, with no token in the URL.
    members = {m["node_id"]: m for m in cluster.nodes["a"].get("cluster").json()["members"]}
    assert section.open_link(a).count() == 0
    link = section.open_link(b)
    href = link.get_attribute("href") or ""
    assert href == members[b]["url"].rstrip("/") + "/lab"
    assert "token" not in href
    assert link.get_attribute("target") == "_blank"

    # The GPUs section groups by node; a peer's card toggles its policy on that peer.
    gpus = ClusterGpus(panel)
    assert gpus.this_node.inner_text() == "This node · " + members[a]["hostname"]
    assert gpus.root.locator("li[data-gpu-index]").count() == 4  # this node's own cards
    assert gpus.group(a).count() == 0
    assert gpus.group(b).locator("li").count() == 4
    gpus.toggle(b, 1)
    gpus.card(b, 1).and_(page.locator('[data-disabled="true"]')).wait_for()
    assert cluster.nodes["b"].get("gpus").json()["gpus"][1]["disabled"] is True
    assert cluster.nodes["a"].get("gpus").json()["gpus"][1]["disabled"] is False
    # The member table's counts follow on the next pull of that peer.
    section.node(b).locator(".jp-forgather-cluster-facts", has_text="4 GPUs · 3 idle").wait_for()
    gpus.root.screenshot(path=str(ARTIFACTS / "cluster-gpus-light.png"))

    # The network probe's figures for the peer (none for this node itself).
    section.measure_network()
    row = section.network_row(b)
    row.wait_for(timeout=30_000)
    latency = row.locator('[data-column="latency"]')
    assert latency.inner_text().endswith(" ms")
    assert "min " in (latency.get_attribute("title") or "")
    assert row.locator('[data-column="bandwidth"]').inner_text().endswith("Mbit/s")
    assert section.network_row(a).count() == 0
    section.root.get_by_text("Measured").wait_for()
    shot = section.screenshot("cluster-light")
    assert shot.stat().st_size > 5_000
    lab.screenshot("cluster-page-light")

    # A killed node turns red, stays listed, and says when it was last seen.
    cluster.nodes["b"].kill9()
    section.wait_for_health(b, "unreachable", timeout=20_000)
    assert section.dot(b).get_attribute("aria-label") == "Unreachable"
    assert "last seen" in section.node(b).inner_text()
    gpus.group(b).get_by_text("Unreachable, last seen").wait_for()
    assert gpus.group(b).locator("li").count() == 0
    section.wait_for_nodes(2)
    section.wait_for_health(a, "ok")

    lab.run_command("Use Theme: JupyterLab Dark")
    page.wait_for_selector('body[data-jp-theme-light="false"]', state="attached")
    section.screenshot("cluster-dark")


def test_standalone_has_no_cluster_section(page: Any, lab_server: LabServer) -> None:
    """Standalone: one GET /cluster when the panel opens, nothing more, no section."""
    calls: list[str] = []
    page.on(
        "request",
        lambda r: (
            calls.append(f"{r.method} {r.url}") if "/forgather/api/cluster" in r.url else None
        ),
    )
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    panel.health_status.get_by_text("healthy").wait_for()
    page.wait_for_function("() => true")
    page.wait_for_timeout(2_000)
    assert [c.split("?")[0] for c in calls] == [f"GET {lab_server.url}/forgather/api/cluster"]
    assert panel.root.get_by_role("region", name="Cluster", exact=True).count() == 0
    assert panel.root.locator(".jp-forgather-cluster-node").count() == 0
