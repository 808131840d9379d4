"""Page objects for the Projects section: tree, overrides dialog, detail panels."""

from __future__ import annotations

from typing import Any

import httpx

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage

EXAMPLES = "Forgather examples"


class ProjectsApi:
    """Setup and checks through the REST API (what the UI drives, seen from the server)."""

    def __init__(self, server: LabServer) -> None:
        self.server = server

    def call(self, method: str, endpoint: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(
            method,
            f"{self.server.url}/forgather/api/{endpoint}",
            headers={"Authorization": f"token {self.server.token}"},
            timeout=30,
            **kwargs,
        )

    def project_dir(self, name: str) -> str:
        tree = self.call("GET", "projects").json()
        for ws in tree["workspaces"]:
            for p in ws["projects"]:
                if p["name"] == name:
                    return str(p["path"])
        raise AssertionError(f"no project {name!r}")

    def output_dir(self, project_dir: str, config: str) -> str:
        r = self.call(
            "GET", "config/output-dir", params={"project_dir": project_dir, "config": config}
        )
        return str(r.json()["output_dir"])

    def clear_overrides(self, project: str, config: str) -> dict[str, str]:
        """Forget a config's stored overrides (a Run dialog's submit stores its values)."""
        ref = {"project_dir": self.project_dir(project), "config": config}
        self.call("DELETE", "config/overrides", params=ref).raise_for_status()
        return ref

    def search_roots(self) -> list[str]:
        return [r["path"] for r in self.call("GET", "search-roots").json()["search_roots"]]


class ProjectsSection:
    """The Projects section of the Forgather sidebar, and what it opens."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.panel = ForgatherPanel(lab)

    def open(self) -> None:
        self.lab.open()
        self.panel.open_from_sidebar()

    @property
    def tree(self) -> Any:
        return self.panel.root.get_by_test_id("forgather-projects-tree")

    def expand_project(self, project: str, workspace: str = EXAMPLES) -> None:
        ws = self.tree.get_by_test_id(f"forgather-workspace-{workspace}")
        if ws.get_attribute("aria-expanded") != "true":
            ws.click()
        row = self.tree.get_by_test_id(f"forgather-project-{project}")
        if row.get_attribute("aria-expanded") != "true":
            row.click()

    def config_row(self, config: str) -> Any:
        return self.tree.get_by_test_id(f"forgather-config-{config}")

    def context_menu(self, row: Any, item: str) -> None:
        row.click(button="right")
        self.page.locator(".lm-Menu").get_by_text(item, exact=True).click()

    def header_menu(self, item: str) -> None:
        self.panel.root.get_by_role("button", name="More project actions").click()
        self.page.locator(".lm-Menu").get_by_text(item, exact=True).click()

    @property
    def dialog(self) -> Any:
        return self.page.locator(".jp-Dialog")

    def dismiss(self) -> None:
        """Close an error dialog (its one button), and wait for it to go."""
        self.dialog.locator(".jp-Dialog-footer button").last.click()
        self.dialog.wait_for(state="detached")

    @property
    def config_view(self) -> Any:
        return self.page.get_by_test_id("forgather-config-view")

    def output_row(self, name: str) -> Any:
        return self.tree.locator('[data-kind="output-item"]').filter(has_text=name)

    def output_group(self, label: str) -> Any:
        return self.tree.locator('[data-kind="output-group"]').filter(has_text=label)
