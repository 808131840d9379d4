"""Page objects for the queue, jobs and GPUs sections and the job view."""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage


class ForgatherApi:
    """The REST API, for setting the scene and checking what the UI did."""

    def __init__(self, server: LabServer) -> None:
        self.server = server

    def call(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            f"{self.server.url}/forgather/api/{path}",
            data=data,
            method=method,
            headers={"Authorization": f"token {self.server.token}"},
        )
        with urllib.request.urlopen(req, timeout=10) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def enqueue(self, argv: list[str], name: str, gpus: int = 0, priority: int = 0) -> dict:
        return self.call(
            "POST",
            "queue",
            {
                "job_type": "command",
                "job_params": {"argv": argv},
                "requested_gpus": gpus,
                "priority": priority,
                "name": name,
            },
        )

    def set_theme(self, theme: str) -> None:
        """Choose the Lab theme through the settings API (no palette race at start)."""
        raw = json.dumps({"theme": theme})
        req = urllib.request.Request(
            f"{self.server.url}/lab/api/settings/@jupyterlab/apputils-extension:themes",
            data=json.dumps({"raw": raw}).encode(),
            method="PUT",
            headers={"Authorization": f"token {self.server.token}"},
        )
        urllib.request.urlopen(req, timeout=10).close()

    def gpu(self, index: int) -> dict:
        return next(g for g in self.call("GET", "gpus")["gpus"] if g["index"] == index)

    def set_scheduler(self, enabled: bool) -> None:
        self.call("POST", "queue/scheduler", {"enabled": enabled})


class JobsPanel(ForgatherPanel):
    """The Queue, Jobs and GPUs sections of the Forgather panel."""

    def section(self, name: str) -> Any:
        return self.root.get_by_role("region", name=name, exact=True)

    @property
    def queue(self) -> Any:
        return self.section("Queue")

    @property
    def jobs(self) -> Any:
        return self.section("Jobs")

    @property
    def gpus(self) -> Any:
        return self.section("GPUs")

    def job_card(self, name: str) -> Any:
        return self.jobs.get_by_role("listitem", name=name, exact=True)

    def queued_item(self, name: str) -> Any:
        return self.queue.get_by_role("listitem", name=name, exact=True)

    def wait_for_status(self, name: str, status: str, timeout: float = 60_000) -> Any:
        card = self.job_card(name)
        card.locator(f'[data-status="{status}"]').first.wait_for(timeout=timeout)
        return card

    def open_job(self, name: str) -> JobView:
        self.job_card(name).get_by_role("button", name=name, exact=True).click()
        view = JobView(self.lab, name)
        view.root.wait_for(state="visible")
        return view

    def gpu_toggle(self, index: int) -> Any:
        return self.gpus.get_by_role("button", name=re.compile(rf"^GPU {index}: (disable|enable)$"))

    def scheduler_button(self, label: str) -> Any:
        return self.queue.get_by_role("button", name=label, exact=True)


class CommandJobDialog:
    """The "New command job" / "Queue as Forgather job" dialog."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.page = lab.page
        self.root = self.page.locator(".jp-Dialog")
        self.root.wait_for(state="visible")

    @property
    def command(self) -> Any:
        return self.root.get_by_label("Command", exact=True)

    def fill(self, command: str, gpus: int = 0, name: str = "") -> None:
        self.fill_fields(
            {"Command": command, "GPUs": str(gpus), **({"Name": name} if name else {})}
        )

    def fill_fields(self, values: dict[str, str]) -> None:
        """Fill fields by label, then check that each holds what was typed.

        Under load a Lab widget can take focus just after the dialog opens; the
        dialog's focus trap then hands focus to its first field and the text
        being typed lands there. Each field is filled again once if it does not
        hold its value, as a user seeing the wrong text would.
        """
        fields = {label: self.root.get_by_label(label, exact=True) for label in values}
        for label, value in values.items():
            fields[label].fill(value)
        for label, value in values.items():
            if fields[label].input_value() != value:
                fields[label].fill(value)
        for label, value in values.items():
            assert fields[label].input_value() == value, label

    def submit(self) -> None:
        invalid = self.root.locator("input:invalid")
        bad = [
            f"{invalid.nth(i).get_attribute('id')}={invalid.nth(i).input_value()!r}"
            for i in range(invalid.count())
        ]
        assert not bad, f"fields the dialog finds invalid: {bad}"
        self.root.get_by_role("button", name="Queue", exact=True).click()
        self.root.wait_for(state="detached")


class JobView:
    """A job's view in the main area."""

    def __init__(self, lab: JupyterLabPage, name: str) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = self.page.locator(".jp-forgather-job-view:visible").filter(
            has=self.page.get_by_role("heading", name=name, exact=True)
        )

    @property
    def log(self) -> Any:
        return self.root.get_by_role("log")

    def wait_for_log_text(self, text: Any, timeout: float = 30_000) -> None:
        self.log.locator(".xterm-rows").get_by_text(text).first.wait_for(timeout=timeout)

    def control(self, label: str) -> Any:
        return self.root.get_by_role("toolbar", name="Job controls").get_by_role(
            "button", name=label, exact=True
        )

    def status(self, status: str) -> Any:
        return self.root.locator(f'.jp-forgather-job-title [data-status="{status}"]')
