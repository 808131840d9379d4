"""Page objects for the scheduling surfaces: the queue's places and reasons, inline
priority, Move to top, the Run dialog's sweep switch and Advanced part, job history."""

from __future__ import annotations

import re
import sys
import time
from typing import Any

from .pages_jobs import CommandJobDialog, ForgatherApi, JobsPanel, JobView


class SchedulingApi(ForgatherApi):
    """The REST API with the scheduling fields, for setting the scene and cleaning up."""

    def sleeper(self, name: str, seconds: int = 120, gpus: int = 1, **fields: Any) -> dict:
        body = {
            "job_type": "command",
            "job_params": {"argv": [sys.executable, "-c", f"import time; time.sleep({seconds})"]},
            "requested_gpus": gpus,
            "name": name,
            **fields,
        }
        return self.call("POST", "queue", body)

    def job(self, job_id: str) -> dict:
        return self.call("GET", f"jobs/{job_id}")

    def queue(self) -> list[dict]:
        return self.call("GET", "queue")["jobs"]

    def end(self, job_ids: list[str]) -> None:
        """Cancel what is queued, kill what runs (best effort: the test's own jobs only)."""
        for job_id in job_ids:
            try:
                status = self.job(job_id)["status"]
                if status == "queued":
                    self.call("DELETE", f"queue/{job_id}")
                elif status in {"starting", "running"}:
                    self.call("POST", f"jobs/{job_id}/control/force-kill")
            except Exception:  # cleanup must reach every job, whatever one of them answers
                pass
        # Until they have ended: a job of this test ending during the next one (a kill
        # takes a while on a loaded machine) raises its toast there and takes the focus.
        deadline = time.monotonic() + 60
        for job_id in job_ids:
            while time.monotonic() < deadline:
                try:
                    if self.job(job_id)["status"] not in {"queued", "starting", "running"}:
                        break
                except Exception:  # gone, or the server is going: nothing to wait for
                    break
                time.sleep(0.2)


class QueuePanel(JobsPanel):
    """The Queue section as a user reads it: names in order, places, reasons."""

    def names_in_order(self) -> list[str]:
        items = self.queue.get_by_role("list", name="Queued jobs").get_by_role("listitem")
        return [n for n in items.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))")]

    def wait_for_order(self, names: list[str], timeout: float = 15_000) -> None:
        """Until the queue lists ``names`` in this order (other jobs may be around them)."""
        self.page.wait_for_function(
            """(names) => {
                const items = [...document.querySelectorAll(
                    '#forgather-panel [aria-label="Queued jobs"] > li')];
                const order = items.map(e => e.getAttribute('aria-label'))
                    .filter(n => names.includes(n));
                return JSON.stringify(order) === JSON.stringify(names);
            }""",
            arg=names,
            timeout=timeout,
        )

    def reason(self, name: str) -> Any:
        return self.queued_item(name).locator(".jp-forgather-pending-reason")

    def position(self, name: str) -> str:
        return self.queued_item(name).locator(".jp-forgather-position").inner_text()

    def priority_button(self, name: str) -> Any:
        return self.queued_item(name).get_by_role(
            "button", name=re.compile(rf"^Priority of {re.escape(name)}: -?\d+$")
        )

    def priority_input(self, name: str) -> Any:
        return self.queued_item(name).get_by_role("textbox", name=f"New priority of {name}")

    def type_priority(self, name: str, text: str, key: str) -> None:
        """Open the job's priority for editing, type ``text`` and press ``key``.

        On a loaded machine the field sometimes closes on its own right after it
        opened (not understood yet: issue 19's closing note); the whole gesture is
        then made again, at most three times.
        """
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        field = self.priority_input(name)
        for attempt in range(3):
            try:
                if not field.count():
                    self.priority_button(name).click(timeout=5_000)
                field.fill(text, timeout=5_000)
                field.press(key, timeout=5_000)
                return
            except PlaywrightTimeout:
                if attempt == 2:
                    raise

    def move_to_top(self, name: str) -> Any:
        return self.queued_item(name).get_by_role("button", name=f"Move {name} to top")

    def gpu_jobs(self, index: int) -> Any:
        return self.gpus.get_by_role("list", name=f"Jobs on GPU {index}")


class RunDialog(CommandJobDialog):
    """The Run… dialog of a config: dynamic args, each with a sweep switch, and Advanced."""

    def sweep(self, arg: str, values: str) -> None:
        self.root.get_by_role("checkbox", name=f"Sweep {arg}").check()
        self.root.get_by_label(arg, exact=True).fill(values)

    def advanced(self) -> Any:
        self.root.locator("summary", has_text="Advanced").click()
        return self.root.locator(".jp-forgather-advanced")


class HistoryView(JobView):
    """A job's view with its scheduling details and history table."""

    @property
    def history(self) -> Any:
        return self.root.get_by_role("table", name="Job history")

    def history_statuses(self) -> list[str]:
        rows = self.history.locator("tbody tr")
        return rows.evaluate_all("els => els.map(e => e.dataset.status)")

    @property
    def details(self) -> Any:
        return self.root.get_by_label("Scheduling")
