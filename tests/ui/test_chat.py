"""Chat in the Lab with a running inference job, and the Services section, in Chromium."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from inference_helpers import build_in_subprocess

from .conftest import LabServer
from .pages import ForgatherPanel, JupyterLabPage

pytestmark = [pytest.mark.ui, pytest.mark.timeout(600)]


class ChatPage:
    """The Forgather Chat main-area panel."""

    def __init__(self, lab: JupyterLabPage) -> None:
        self.lab = lab
        self.page = lab.page
        self.root = self.page.locator("#forgather-chat")

    def open(self) -> None:
        self.lab.run_command("Forgather: Open Chat")
        self.root.wait_for(state="visible")

    def wait_for_server(self, job_id: str) -> None:
        picker = self.root.get_by_label("Running inference servers")
        self.root.locator("summary").click()  # the settings disclosure
        picker.locator("option", has_text=job_id).wait_for(state="attached", timeout=120_000)

    def send(self, text: str) -> None:
        self.root.get_by_label("Message").fill(text)
        self.root.get_by_role("button", name="Send").click()

    def turns(self, role: str) -> Any:
        return self.root.locator(f'.jp-forgather-chat-turn[data-role="{role}"]')


def api(server: LabServer, method: str, path: str, **kwargs: Any) -> httpx.Response:
    headers = {"Authorization": f"token {server.token}"}
    return httpx.request(
        method, f"{server.url}/forgather/api/{path}", headers=headers, timeout=30, **kwargs
    )


@pytest.fixture
def inference_job(lab_server: LabServer, tmp_path: Path) -> Iterator[dict[str, Any]]:
    model = build_in_subprocess(tmp_path / "tiny-chat-model")
    body = {"job_type": "inference", "job_params": {"model_path": str(model)}, "name": "tiny chat"}
    response = api(lab_server, "POST", "queue", json=body)
    assert response.status_code == 201, response.text
    job = response.json()
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        rows = api(lab_server, "GET", "inference/servers").json()["servers"]
        if any(r["job_id"] == job["id"] and r["state"] == "ready" for r in rows):
            break
        time.sleep(0.5)
    else:
        raise AssertionError(f"inference job {job['id']} never became ready")
    yield job
    api(lab_server, "POST", f"jobs/{job['id']}/control/kill")


def test_chat_with_a_running_inference_job(
    page: Any, lab_server: LabServer, inference_job: dict[str, Any]
) -> None:
    sleeper = {"argv": [sys.executable, "-c", "import time; time.sleep(300)"]}
    api(
        lab_server, "POST", "services", json={"type": "command", "name": "sleeper", "args": sleeper}
    )
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    chat = ChatPage(lab)
    chat.open()
    chat.wait_for_server(inference_job["id"])
    chat.root.get_by_label("System prompt").fill("You are a tiny random model.")
    chat.send("Hello **there**")
    assert "Hello **there**" in chat.turns("user").first.inner_text()
    reply = chat.turns("assistant").first
    reply.locator(".jp-RenderedMarkdown").wait_for(timeout=60_000)
    page.get_by_role("button", name="Send").wait_for()  # Stop turns back into Send
    assert reply.inner_text().strip() not in ("", "assistant\n…")

    # The Services section shows the running service with a green dot.
    panel = ForgatherPanel(lab)
    panel.open_from_sidebar()
    row = panel.root.locator('[data-service="command/sleeper"][data-running="true"]')
    row.wait_for(timeout=30_000)
    lab.screenshot("chat")

    # History survives a reload (kept in localStorage).
    lab.open()
    panel.open_from_sidebar()
    chat.open()
    chat.turns("assistant").first.wait_for()
    row_stop = panel.root.get_by_label("Stop sleeper")
    if row_stop.count():
        row_stop.click()
    api(lab_server, "DELETE", "services/command/sleeper")
