"""Page object: the Cluster section of the Forgather sidebar (cluster mode only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .conftest import ARTIFACTS
from .pages import ForgatherPanel


class ClusterSection:
    """The nodes of this server's cluster, their health, versions, GPUs and network."""

    def __init__(self, panel: ForgatherPanel) -> None:
        self.panel = panel
        self.page = panel.page
        self.root = panel.root.get_by_role("region", name="Cluster", exact=True)

    @property
    def nodes(self) -> Any:
        return self.root.locator(".jp-forgather-cluster-node")

    def node(self, node_id: str) -> Any:
        return self.root.locator(f'.jp-forgather-cluster-node[data-node-id="{node_id}"]')

    def wait_for_nodes(self, count: int) -> None:
        self.page.wait_for_function(
            """n => document.querySelectorAll(
                '#forgather-panel .jp-forgather-cluster-node').length === n""",
            arg=count,
        )

    def wait_for_health(self, node_id: str, level: str, timeout: float = 30_000) -> None:
        self.node(node_id).and_(self.page.locator(f'[data-health="{level}"]')).wait_for(
            timeout=timeout
        )

    def dot(self, node_id: str) -> Any:
        return self.node(node_id).locator(".jp-forgather-cluster-dot")

    def chip(self, node_id: str, key: str) -> Any:
        return self.node(node_id).locator(f'.jp-forgather-cluster-chip[data-version="{key}"]')

    def markers(self, node_id: str) -> list[str]:
        return [
            m.get_attribute("data-marker") or ""
            for m in self.node(node_id).locator("[data-marker]").all()
        ]

    def open_link(self, node_id: str) -> Any:
        return self.node(node_id).get_by_role("link", name="Open Lab ↗")

    def expand(self, node_id: str, summary: str) -> Any:
        """Open a node's collapsible list (Interfaces, GPUs) by its summary's start."""
        details = self.node(node_id).locator("details", has_text=summary)
        details.locator("summary").click()
        return details

    def measure_network(self) -> None:
        self.root.get_by_role("button", name="Measure network").click()

    def network_row(self, node_id: str) -> Any:
        return self.root.locator(
            f'.jp-forgather-cluster-network-table tr[data-node-id="{node_id}"]'
        )

    def refresh(self) -> None:
        self.root.get_by_role("button", name="Refresh", exact=True).click()

    def screenshot(self, name: str) -> Path:
        """The section alone (scrolled into view), for a person to look at."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.root.scroll_into_view_if_needed()
        self.root.screenshot(path=str(path))
        return path


class ClusterGpus:
    """The GPUs section in cluster mode: this node's cards, then every peer's, by node."""

    def __init__(self, panel: ForgatherPanel) -> None:
        self.page = panel.page
        self.root = panel.root.get_by_role("region", name="GPUs", exact=True)

    @property
    def this_node(self) -> Any:
        return self.root.locator("h4.jp-forgather-cluster-group").first

    def group(self, node_id: str) -> Any:
        return self.root.locator(f'[role="group"][data-node-id="{node_id}"]')

    def card(self, node_id: str, index: int) -> Any:
        return self.group(node_id).locator(f'li[data-peer-gpu-index="{index}"]')

    def toggle(self, node_id: str, index: int) -> None:
        self.card(node_id, index).locator("button").click()


class ClusterJobs:
    """The Jobs section in cluster mode: a node chip per job, the node filter, multi-node jobs."""

    def __init__(self, panel: ForgatherPanel) -> None:
        self.page = panel.page
        self.root = panel.root.get_by_role("region", name="Jobs", exact=True)

    def card(self, job_id: str) -> Any:
        return self.root.locator(f'li.jp-forgather-job[data-job-id="{job_id}"]')

    def chip(self, job_id: str) -> Any:
        return self.card(job_id).locator(".jp-forgather-node-chip")

    @property
    def node_filter(self) -> Any:
        return self.root.get_by_role("combobox", name="Node", exact=True)

    def filter_to(self, node_id: str) -> None:
        """Show one node's jobs ("" for all nodes)."""
        self.node_filter.select_option(node_id)

    def open_job(self, job_id: str) -> None:
        self.card(job_id).locator(".jp-forgather-job-name").click()

    def menu_items(self, job_id: str, name: str) -> list[str]:
        """The labels its actions button's menu offers (closed again)."""
        self.card(job_id).get_by_role("button", name=f"Actions for {name}").click()
        menu = self.page.locator(".lm-Menu")
        menu.get_by_role("menuitem").first.wait_for()
        labels = [t.strip() for t in menu.locator(".lm-Menu-itemLabel").all_inner_texts()]
        # To the menu itself: a key sent to the page before the menu has taken the
        # focus (a busy machine) goes elsewhere and the menu stays open.
        menu.press("Escape")
        menu.wait_for(state="detached")
        return [label for label in labels if label]

    @property
    def unreachable(self) -> Any:
        return self.root.locator(".jp-forgather-jobs-unreachable")

    def bundle(self, bundle_id: str) -> Any:
        """A multi-node job's card in the "Multi-node jobs" group."""
        return self.root.get_by_role("group", name="Multi-node jobs").locator(
            f'[data-cluster-job-id="{bundle_id}"]'
        )

    def rank(self, bundle_id: str, rank: int) -> Any:
        return self.bundle(bundle_id).locator(f'tr[data-rank="{rank}"]')

    def cancel(self, bundle_id: str) -> None:
        self.bundle(bundle_id).get_by_role("button", name="Cancel", exact=True).click()


class RunPlacement:
    """The Run dialog's cluster fields: "Run on" and the multi-node panel."""

    def __init__(self, dialog_root: Any) -> None:
        self.root = dialog_root
        self.form = dialog_root.locator("form.jp-forgather-form")

    @property
    def run_on(self) -> Any:
        return self.form.get_by_label("Run on", exact=True)

    def options(self) -> list[str]:
        return [o.strip() for o in self.run_on.locator("option").all_inner_texts()]

    @property
    def panel(self) -> Any:
        return self.form.get_by_role("group", name="Multi-node")

    def participant(self, node_id: str) -> Any:
        return self.panel.locator(f'.jp-forgather-participant[data-node-id="{node_id}"]')

    def use(self, node_id: str, gpus: int) -> None:
        row = self.participant(node_id)
        row.locator('input[type="checkbox"]').check()
        row.locator('input[type="number"]').fill(str(gpus))

    @property
    def rendezvous(self) -> Any:
        return self.panel.get_by_label("Rendezvous host", exact=True)

    @property
    def error(self) -> Any:
        return self.panel.get_by_role("alert")

    def submit(self) -> None:
        self.root.get_by_role("button", name="Queue", exact=True).click()
