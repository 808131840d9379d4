"""The Cluster section against real servers in cluster mode, on loopback.

Two Jupyter servers join cluster ``uitest`` over mDNS on 127.0.0.1 with
certificates from one CA. Their node ids are written into their state
directories first, so ``a`` (the Lab the browser opens) is the master. Node
``b`` runs with a directory on its PYTHONPATH that holds another
``transformers`` distribution's metadata, as a node with a different install
would: its probe reports that version and, the tie going to the master's
value, its dot turns yellow. Then ``b`` is killed and its dot turns red.

Before that (the tests run in file order; the last one kills ``b``): the Jobs
section lists both nodes' jobs with a chip naming each job's node and a node
filter, a peer's job opens in this Lab with its log (forwarded from ``b``),
and the Run dialog's "Run on" queues a config run onto ``b``: ``b`` searches
``a``'s root for projects, as nodes sharing a file system would.
"""

from __future__ import annotations

import json
import sys
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
from .pages_cluster import ClusterGpus, ClusterJobs, ClusterSection, RunPlacement
from .pages_jobs import JobView
from .pages_quickstart import dismiss_news
from .pages_run_dialog import RunActions, RunDialogProject, wait_until

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
    base_a = tmp_path_factory.mktemp("a")
    base_b = tmp_path_factory.mktemp("b")
    nodes = {
        "a": _node(
            base_a,
            pki,
            "a",
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            app="lab",
            token=TOKEN,
        ),
        "b": _node(
            base_b,
            pki,
            "b",
            # a's projects are b's too (the Run dialog queues a's config onto b).
            f"--ForgatherLab.search_roots={base_a / 'root' / 'forgather-examples'}",
            "--ForgatherLab.allow_search_roots_outside_root_dir=True",
            env={"PYTHONPATH": str(_other_install(base_b))},
        ),
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


def _command(name: str, text: str) -> dict[str, Any]:
    argv = [sys.executable, "-c", f"print({text!r})"]
    return {"job_type": "command", "job_params": {"argv": argv}, "name": name, "priority": 0}


def _run_dialog(page: Any, cluster: Cluster) -> tuple[JupyterLabPage, Any]:
    """The Lab on node a, with train.yaml's Run dialog open."""
    lab = JupyterLabPage(page, cluster.lab)
    actions = RunActions(lab)
    lab.open()
    actions.open()
    dismiss_news(lab, wait_ms=3_000)
    return lab, actions.run("train.yaml")


def test_jobs_of_every_node_and_a_peer_jobs_log(page: Any, cluster: Cluster) -> None:
    a, b = IDS["a"], IDS["b"]
    here, peer = cluster.nodes["a"], cluster.nodes["b"]
    theirs = peer.post("queue", json=_command("peer-hello", "hello from node b")).json()
    mine = here.post("queue", json=_command("local-hello", "hello from node a")).json()
    peer.wait_job(theirs["id"], {"done"})
    here.wait_job(mine["id"], {"done"})

    lab = JupyterLabPage(page, cluster.lab)
    lab.open()
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    jobs = ClusterJobs(panel)
    # Both nodes' jobs, each with a chip naming its node (one host name: the id tells them apart).
    jobs.chip(theirs["id"]).wait_for()
    assert jobs.chip(theirs["id"]).get_attribute("data-node-id") == b
    assert jobs.chip(mine["id"]).get_attribute("data-node-id") == a
    assert jobs.chip(theirs["id"]).inner_text().endswith(" · …00000b")
    assert jobs.chip(mine["id"]).inner_text().endswith(" · …00000a")
    assert jobs.unreachable.count() == 0
    options = jobs.node_filter.locator("option").all_inner_texts()
    assert options[0] == "All nodes"
    assert len(options) == 3
    assert options[1].endswith("(this node)")

    # The filter narrows the list to one node, and back.
    jobs.filter_to(b)
    jobs.card(mine["id"]).wait_for(state="detached")
    assert jobs.card(theirs["id"]).is_visible()
    jobs.root.screenshot(path=str(ARTIFACTS / "cluster-jobs-filtered.png"))
    jobs.filter_to(a)
    jobs.card(theirs["id"]).wait_for(state="detached")
    assert jobs.card(mine["id"]).is_visible()
    jobs.filter_to("")
    jobs.card(theirs["id"]).wait_for()
    jobs.root.screenshot(path=str(ARTIFACTS / "cluster-jobs-by-node.png"))

    # What is not forwarded (delete, rerun) is not offered for the peer's job.
    assert "Delete Job" in jobs.menu_items(mine["id"], "local-hello")
    assert jobs.menu_items(theirs["id"], "peer-hello") == ["Open Job View"]

    # The peer's job opens here; its log comes from b through this server.
    jobs.open_job(theirs["id"])
    view = JobView(lab, "peer-hello")
    view.wait_for_log_text("hello from node b")
    view.status("done").wait_for()
    assert view.root.get_by_role("button", name="Delete", exact=True).count() == 0
    view.root.get_by_text("The history of this job is kept on its node.").wait_for()
    lab.screenshot("cluster-peer-job-log")


def test_run_dialog_queues_onto_a_peer(page: Any, cluster: Cluster) -> None:
    b = IDS["b"]
    here, peer = cluster.nodes["a"], cluster.nodes["b"]
    project = RunDialogProject(cluster.lab)
    project.write()
    # Nothing runs on b: the queued run stays there to be looked at, then goes.
    assert peer.post("queue/scheduler", json={"enabled": False}).status_code == 200
    queued: list[str] = []
    try:
        lab, dialog = _run_dialog(page, cluster)
        nodes = RunPlacement(dialog.root)
        options = nodes.options()
        assert options[0].startswith("This node (")
        assert options[1] == "Any node (where it starts soonest)"
        assert options[2].endswith("…00000b (versions differ)")  # b has another transformers
        assert options[3] == "Several nodes (multi-node torchrun)"
        assert not nodes.panel.is_visible()
        dialog.gpus.fill("0")
        dialog.arg("steps").fill("5")
        nodes.run_on.select_option(b)
        nodes.run_on.scroll_into_view_if_needed()
        lab.screenshot("cluster-run-dialog-node")
        dialog.submit()

        job = wait_until("the run queued on b", lambda: peer.get("queue").json()["jobs"])[0]
        queued.append(job["id"])
        assert job["node"] == b
        assert job["params"]["dynamic_args"] == {"steps": 5, "lr": 0.1}
        assert all(j["id"] != job["id"] for j in here.get("queue").json()["jobs"])
        # This Lab lists b's queued run (its own Queue section lists this node's queue).
        panel = ForgatherPanel(lab)  # open already: the Projects section is in it
        card = ClusterJobs(panel).card(job["id"])
        card.and_(page.locator('[data-status="queued"]')).wait_for()
        assert ClusterJobs(panel).chip(job["id"]).get_attribute("data-node-id") == b
    finally:
        for job_id in queued:
            here.request("DELETE", "queue", job_id)
        peer.post("queue/scheduler", json={"enabled": True})
        project.remove()


SLEEPER = "import time\nprint('rank up', flush=True)\ntime.sleep(120)\n"


def test_multi_node_job_from_the_run_dialog(page: Any, cluster: Cluster) -> None:
    """Several nodes from the Run dialog: a refusal shown in it, then two ranks, then Cancel."""
    a, b = IDS["a"], IDS["b"]
    here = cluster.nodes["a"]
    _set_poll(cluster.lab, 1)
    project = RunDialogProject(cluster.lab)
    project.write()
    (project.root / "run.py").write_text(SLEEPER)  # the ranks run until cancelled
    bundles: list[str] = []
    try:
        lab, dialog = _run_dialog(page, cluster)
        nodes = RunPlacement(dialog.root)
        nodes.run_on.select_option("multi")
        nodes.panel.wait_for()
        assert not dialog.gpus.is_visible()  # each node says its own
        # Too many GPUs for the server (it allows 64 a node): its message, in the dialog.
        nodes.use(a, 65)
        nodes.use(b, 0)
        assert nodes.rendezvous.input_value() == a
        nodes.submit()
        nodes.error.wait_for()
        assert "64" in nodes.error.inner_text()
        assert dialog.root.is_visible()
        nodes.panel.scroll_into_view_if_needed()
        lab.screenshot("cluster-run-dialog-multinode-error")
        nodes.use(a, 0)
        nodes.submit()
        dialog.root.wait_for(state="detached")

        listed = wait_until("the bundle listed", lambda: here.get("cluster/jobs").json()["jobs"])
        bundle = listed[0]
        bundles.append(bundle["id"])
        assert [(r["rank"], r["node_id"]) for r in bundle["ranks"]] == [(0, a), (1, b)]
        panel = ForgatherPanel(lab)
        jobs = ClusterJobs(panel)
        jobs.bundle(bundle["id"]).wait_for()
        assert jobs.bundle(bundle["id"]).locator("tbody tr").count() == 2
        for rank, node in ((0, a), (1, b)):
            assert jobs.rank(bundle["id"], rank).get_attribute("data-node-id") == node
        jobs.bundle(bundle["id"]).and_(page.locator('[data-status="running"]')).wait_for(
            timeout=60_000
        )
        jobs.bundle(bundle["id"]).scroll_into_view_if_needed()
        jobs.bundle(bundle["id"]).screenshot(path=str(ARTIFACTS / "cluster-multinode-job.png"))

        # Rank 1's job is b's: its log opens here.
        peer_job = bundle["ranks"][1]["job_id"]
        jobs.rank(bundle["id"], 1).get_by_role("button", name=peer_job).click()
        view = page.locator(f"#forgather-job-{peer_job}")
        view.get_by_role("log").locator(".xterm-rows").get_by_text("rank up").first.wait_for(
            timeout=60_000
        )
        lab.screenshot("cluster-multinode-rank-log")

        jobs.cancel(bundle["id"])
        jobs.bundle(bundle["id"]).and_(page.locator('[data-status="cancelled"]')).wait_for(
            timeout=30_000
        )
        after = here.get("cluster/jobs", bundle["id"]).json()
        assert {r["status"] for r in after["ranks"]} == {"cancelled"}
    finally:
        for bundle_id in bundles:
            here.post("cluster/jobs", bundle_id, "cancel")
        project.remove()


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
    # The Jobs section names the node whose jobs it cannot list.
    notice = ClusterJobs(panel).unreachable
    notice.wait_for()
    assert "…00000b (unreachable)" in notice.inner_text()
    section.wait_for_nodes(2)
    section.wait_for_health(a, "ok")

    lab.run_command("Use Theme: JupyterLab Dark")
    page.wait_for_selector('body[data-jp-theme-light="false"]', state="attached")
    section.screenshot("cluster-dark")
    jobs = ClusterJobs(panel)
    jobs.root.scroll_into_view_if_needed()
    jobs.root.screenshot(path=str(ARTIFACTS / "cluster-jobs-dark.png"))


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
