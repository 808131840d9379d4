"""Page objects for the Datasets view: servers, datasets, splits, a paged preview."""

from __future__ import annotations

import time
from typing import Any

import httpx

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage


class DatasetsApi:
    """The REST API, to set the scene: a dataset_server job over a folder under the root."""

    def __init__(self, server: LabServer) -> None:
        self.api = f"{server.url}/forgather/api"
        self.headers = {"Authorization": f"token {server.token}"}

    def start_server(self, path: str, label: str) -> str:
        body = {"job_type": "dataset_server", "job_params": {"paths": [path], "label": label}}
        job = httpx.post(f"{self.api}/queue", json=body, headers=self.headers, timeout=30)
        assert job.status_code == 201, job.text
        job_id = str(job.json()["id"])
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            servers = httpx.get(f"{self.api}/dataset-servers", headers=self.headers, timeout=30)
            if any(s["id"] == job_id and s["status"] == "ready" for s in servers.json()["servers"]):
                return job_id
            time.sleep(0.3)
        raise AssertionError(f"dataset server {job_id} never became ready")

    def kill(self, job_id: str) -> None:
        httpx.post(f"{self.api}/jobs/{job_id}/control/kill", headers=self.headers, timeout=30)


class DatasetsView:
    """The Datasets tab as a user works it."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = self.page.get_by_test_id("forgather-datasets")

    def open_from_panel(self) -> None:
        panel = ForgatherPanel(self.lab)
        panel.open_from_sidebar()
        section = panel.root.get_by_role("region", name="Datasets")
        section.get_by_role("button", name="Open Datasets").click()
        self.root.wait_for(state="visible")

    def open_from_palette(self) -> None:
        self.lab.run_command("Open Datasets")
        self.root.wait_for(state="visible")

    def server(self, label: str) -> Any:
        servers = self.root.get_by_role("list", name="Dataset servers")
        return servers.locator("li").filter(has_text=label)

    def pick_server(self, label: str) -> None:
        self.server(label).get_by_role("button").first.click()

    def dataset(self, name: str) -> Any:
        datasets = self.root.get_by_role("list", name="Datasets")
        return datasets.get_by_role("button", name=name)

    def pick_dataset(self, name: str) -> None:
        self.dataset(name).click()
        self.page.get_by_role("tab").first.wait_for()

    def split(self, label: str) -> Any:
        return self.root.get_by_role("tablist", name="Splits").get_by_role("tab", name=label)

    @property
    def range(self) -> Any:
        return self.root.get_by_test_id("forgather-datasets-range")

    @property
    def table(self) -> Any:
        return self.root.get_by_role("table", name="Rows")

    def next_page(self) -> None:
        self.root.get_by_role("toolbar", name="Pages").get_by_role("button", name="Next").click()
