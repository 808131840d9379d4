"""Page objects for a Hub in a browser: its login form, a user's Lab, the Forgather panel."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from .hub_process import PASSWORD, Hub

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"


class HubLoginPage:
    """``/hub/login``: the form a user signs in with."""

    def __init__(self, page: Any, hub: Hub) -> None:
        self.page = page
        self.hub = hub

    def log_in(self, user: str, next_path: str) -> None:
        """Sign in as ``user`` and follow the Hub to ``next_path`` (e.g. their Lab)."""
        self.page.goto(f"{self.hub.url}/hub/login?next={next_path}")
        self.page.get_by_label("Username").fill(user)
        self.page.get_by_label("Password").fill(PASSWORD)
        self.page.get_by_role("button", name="Sign in").click()


class HubLab:
    """A user's JupyterLab, served by their single-user server behind the Hub."""

    def __init__(self, page: Any, hub: Hub, user: str) -> None:
        self.page = page
        self.hub = hub
        self.user = user

    @property
    def path(self) -> str:
        return f"/user/{self.user}/lab"

    def wait_ready(self) -> None:
        self.page.wait_for_url(f"**{self.path}**", timeout=60_000)
        self.page.wait_for_selector("#jp-main-dock-panel", state="visible", timeout=60_000)

    def screenshot(self, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path))
        return path


class PoolPanel:
    """The Forgather sidebar panel of a user's server on the Hub's shared pool."""

    def __init__(self, lab: HubLab) -> None:
        self.page = lab.page
        self.root = self.page.locator("#forgather-panel")

    def open(self) -> None:
        self.page.locator('.jp-SideBar [data-id="forgather-panel"]').click()
        self.root.wait_for(state="visible")

    @property
    def shared_pool(self) -> Any:
        """The "Shared pool" pill beside the server's status."""
        return self.root.get_by_test_id("forgather-shared-pool")

    @property
    def pool_user(self) -> Any:
        """ "Shared pool of the Hub · you are <user>"."""
        return self.root.get_by_test_id("forgather-pool-user")

    @property
    def gpu_backend(self) -> Any:
        return self.root.get_by_test_id("forgather-gpu-backend")

    def job(self, job_id: str) -> Any:
        """A job's row in the Jobs section."""
        return self.root.locator(f'li.jp-forgather-job[data-job-id="{job_id}"]')

    def owner_of(self, job_id: str) -> Any:
        return self.job(job_id).locator(".jp-forgather-job-owner")

    def gpu_toggle(self, index: int) -> Any:
        """A GPU card's enable/disable button."""
        return self.root.locator(f'li.jp-forgather-gpu[data-gpu-index="{index}"] button').first

    @property
    def scheduler_toggles(self) -> Any:
        """ "Pause scheduler" / "Resume scheduler" (an admin's)."""
        return self.root.get_by_role("button", name=re.compile(r"^(Pause|Resume) scheduler$"))
