"""A Hub user in a real browser: log in, open JupyterLab, see the shared pool and alice's job.

Chromium through Playwright, as tests/ui/ runs it; the screenshot lands in
``test-artifacts/ui/hub-shared-pool.png``.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from .hub_process import Hub
from .pages_hub import HubLab, HubLoginPage, PoolPanel
from .servers import start_servers

pytestmark = pytest.mark.timeout(150)

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="module")
def hub(users_hub: Hub) -> Hub:
    """The Hub this module shares with the other users'-servers module (conftest.py)."""
    return users_hub


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        yield b
        b.close()


# Playwright's sync API drives its own event loop; pytest-jupyter's autouse loop
# fixtures (for in-process servers, unused here) would close it under it.
@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> None:
    return None


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    return None


def test_bob_logs_in_and_sees_the_shared_pool_and_alices_job(
    hub: Hub, alice: str, browser: Any
) -> None:
    body = {
        "job_type": "command",
        "name": "alice-trains",
        "job_params": {"argv": [sys.executable, "-c", "import time; time.sleep(90)"]},
        "requested_gpus": 1,
    }
    r = hub.api("POST", "queue", alice, json=body)
    assert r.status_code == 201, r.text
    job_id = str(r.json()["id"])
    try:
        start_servers(hub, ["bob"])
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(30_000)
        lab = HubLab(page, hub, "bob")
        try:
            HubLoginPage(page, hub).log_in("bob", lab.path)
            lab.wait_ready()
            panel = PoolPanel(lab)
            panel.open()
            panel.shared_pool.wait_for(state="visible")
            assert panel.shared_pool.inner_text() == "Shared pool"
            assert "you are bob" in panel.pool_user.inner_text()
            assert "2 GPUs" in panel.gpu_backend.inner_text()  # the Hub's, not bob's own 4
            panel.job(job_id).wait_for(state="visible")
            assert panel.owner_of(job_id).inner_text().strip() == "· alice"
            # bob is no admin: the pool's policy is not his to change, so no buttons for it.
            assert panel.gpu_toggle(1).is_disabled()
            assert "Only the pool's admins" in (panel.gpu_toggle(1).get_attribute("title") or "")
            assert panel.scheduler_toggles.count() == 0
            shot = lab.screenshot("hub-shared-pool")
            assert shot.stat().st_size > 10_000
        except Exception:
            lab.screenshot("FAILED-hub-shared-pool")
            raise
        finally:
            context.close()
    finally:
        hub.api("DELETE", f"queue/{job_id}", alice)
