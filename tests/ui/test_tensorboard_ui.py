"""TensorBoard through the proxy in a real Chromium: it renders, and it is fenced off.

The page is served with a sandboxing policy (an opaque origin): TensorBoard's
script runs and loads its data through the view link, and cannot read
Jupyter's cookies or storage, nor call Jupyter's API with the user's session.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from test_tensorboard import write_scalars

from .conftest import ARTIFACTS, LabServer
from .pages import JupyterLabPage

pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]

RUN = "run-alpha"


class TensorBoardPage:
    """TensorBoard as the user sees it, opened the way the Lab's command opens it."""

    def __init__(self, page: Any, server: LabServer, job_id: str) -> None:
        self.page = page
        self.server = server
        self.job_id = job_id

    def open(self) -> None:
        self.page.goto(f"{self.server.url}/forgather/api/tb/{self.job_id}/#timeseries")
        self.page.locator("tb-webapp").wait_for(state="attached")

    @property
    def run(self) -> Any:
        return self.page.get_by_text(RUN, exact=True).first

    @property
    def scalar_card(self) -> Any:
        return self.page.locator("card-view, scalar-card").filter(has_text="loss").first

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


@pytest.fixture
def tensorboard_job(lab_server: LabServer) -> Iterator[str]:
    """A running TensorBoard job over one run with a scalar series."""
    logdir = lab_server.root_dir / "tb-ui-logs"
    write_scalars(logdir / RUN)
    api = f"{lab_server.url}/forgather/api"
    headers = {"Authorization": f"token {lab_server.token}"}
    body = {"job_type": "tensorboard", "job_params": {"logdir": str(logdir)}, "name": "tb-ui"}
    job = httpx.post(f"{api}/queue", json=body, headers=headers, timeout=30).json()
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            rows = httpx.get(f"{api}/inference/servers", headers=headers, timeout=30).json()
            if any(r["job_id"] == job["id"] and r["state"] == "ready" for r in rows["servers"]):
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"TensorBoard job {job['id']} never became ready")
        yield job["id"]
    finally:
        httpx.post(f"{api}/jobs/{job['id']}/control/kill", headers=headers, timeout=30)


def test_tensorboard_renders_its_data_and_cannot_touch_jupyter(
    page: Any, lab_server: LabServer, tensorboard_job: str
) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open()  # logged in: the browser holds Jupyter's cookies now
    assert "_xsrf=" in page.evaluate("document.cookie")
    page.evaluate("localStorage.setItem('forgather-probe', 'lab-secret')")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    board = TensorBoardPage(page, lab_server, tensorboard_job)
    board.open()
    assert f"/forgather/api/tb-view/{tensorboard_job}/" in page.url  # sent to its view link
    board.run.wait_for(timeout=60_000)  # the runs list came from TensorBoard's own XHRs
    board.scalar_card.wait_for(timeout=60_000)
    board.scalar_card.locator("canvas, svg").first.wait_for(timeout=60_000)
    page.wait_for_timeout(1_500)  # let the chart draw before the picture
    shot = board.screenshot("tensorboard-through-proxy")
    assert shot.stat().st_size > 20_000
    assert problems == [], problems  # the sandbox shim left TensorBoard nothing to trip on

    # What a script inside the page can reach: nothing of Jupyter's.
    fenced = page.evaluate(
        """async (base) => {
            const out = {origin: window.origin, cookie: document.cookie};
            try {
                Object.getOwnPropertyDescriptor(Document.prototype, 'cookie').get.call(document);
                out.nativeCookie = 'readable';
            } catch (e) { out.nativeCookie = e.name; }
            out.probe = localStorage.getItem('forgather-probe');
            for (const [name, path] of [['contents', 'api/contents'],
                                        ['jobs', 'forgather/api/jobs']]) {
                try {
                    const r = await fetch(base + path, {credentials: 'include'});
                    out[name] = 'status ' + r.status + ': ' + (await r.text()).slice(0, 80);
                } catch (e) { out[name] = 'blocked: ' + e.name; }
            }
            try {
                const r = await fetch(base + 'api/contents', {mode: 'no-cors',
                                                              credentials: 'include'});
                out.noCors = r.type + ' ' + r.status;
            } catch (e) { out.noCors = 'blocked: ' + e.name; }
            try { out.parentCookie = window.top.document.cookie; }
            catch (e) { out.parentCookie = e.name; }
            return out;
        }""",
        f"{lab_server.url}/",
    )
    assert fenced["origin"] == "null", fenced  # an opaque origin, not Jupyter's
    assert fenced["cookie"] == "", fenced
    assert fenced["nativeCookie"] == "SecurityError", fenced
    assert fenced["probe"] is None, fenced  # not the Lab's localStorage
    assert fenced["contents"].startswith("blocked"), fenced
    assert fenced["jobs"].startswith("blocked"), fenced
    assert fenced["noCors"] == "opaque 0", fenced  # sent maybe, never readable
    assert fenced["parentCookie"] in ("", "SecurityError"), fenced
