"""A real JupyterLab (subprocess) and a real Chromium (Playwright) for UI tests.

Screenshots land in ``test-artifacts/ui/`` so a person can look at them.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from server_process import ServerProcess

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "ui"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "forgather-ui-test-token"


@dataclass
class LabServer:
    url: str
    token: str
    root_dir: Path
    state_dir: Path


@pytest.fixture(scope="package")
def lab_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    """JupyterLab with the extension and 4 simulated GPUs, on a free loopback port."""
    srv = ServerProcess(
        tmp_path_factory.mktemp("lab"),
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        app="lab",
        token=TOKEN,
    ).start()
    try:
        yield LabServer(url=srv.url, token=TOKEN, root_dir=srv.root, state_dir=srv.state)
    finally:
        srv.stop()
        srv.kill_jobs()


@pytest.fixture(scope="package")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser: object, request: pytest.FixtureRequest) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})  # type: ignore[attr-defined]
    pg = context.new_page()
    pg.set_default_timeout(30_000)
    yield pg
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    if getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed:
        pg.screenshot(path=str(ARTIFACTS / f"FAILED-{request.node.name}.png"))
    context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# Playwright's sync API drives its own event loop; pytest-jupyter's autouse
# loop fixtures (for in-process servers, unused here) would close it under it.
@pytest.fixture(autouse=True)
def jp_asyncio_loop() -> None:
    return None


@pytest.fixture(autouse=True)
def jp_server_cleanup() -> None:
    return None
