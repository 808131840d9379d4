"""The launch dialogs in Chromium: one per service kind, generated from its parameter model.

Each opens from "New service", shows its fields with their defaults,
remembers the last values, puts the defaults back on "Reset to defaults";
a TensorBoard and a Docs service submitted from them start, and the Docs
site opens in a Lab tab.

Every wait is on a condition (a value shown, a record answered, a tab open),
with room for a loaded machine: TensorBoard and MkDocs take a while to
start when the two cores are shared. The services are removed even when an
assertion fails, so later tests on the session's Lab start clean.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_run_dialog import LabApi, wait_until
from .pages_services import DocsTab, ServicesSection

pytestmark = [pytest.mark.ui, pytest.mark.timeout(540)]

START_WITHIN = 240  # seconds for a service's process to come up on a loaded machine
SERVICES = ("tensorboard/ui-board", "docs/ui-docs")


def _site(root: Path) -> Path:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Hello from the docs\n\nA tiny site.\n")
    config = root / "mkdocs.yml"
    config.write_text("site_name: UI Docs\n")
    return config


def _running(services: ServicesSection, api: LabApi, type_: str, name: str) -> dict[str, Any]:
    """The service's record once the server says it runs and its row shows it."""

    def probe() -> dict[str, Any] | None:
        r = api.response("GET", f"services/{type_}/{name}")
        if r.status_code == 404:  # the dialog closed; its upsert may not have landed yet
            return None
        r.raise_for_status()
        record: dict[str, Any] = r.json()
        # The row appears on the section's next refresh: look, never block on it.
        row = services.row(type_, name)
        shown = row.count() == 1 and row.get_attribute("data-running") == "true"
        return record if record["running"] and shown else None

    return wait_until(f"{type_}/{name} running", probe, within=START_WITHIN)


def test_launch_dialogs(page: Any, lab_server: LabServer) -> None:
    api = LabApi(lab_server)
    try:
        _walk_the_dialogs(page, lab_server, api)
    except BaseException:
        for name in SERVICES:  # best effort: the failure is what the report shows
            api.response("DELETE", f"services/{name}")
        raise
    for name in SERVICES:
        api.call("DELETE", f"services/{name}")


def _walk_the_dialogs(page: Any, lab_server: LabServer, api: LabApi) -> None:
    logdir = lab_server.root_dir / "ui-launch-logs"
    logdir.mkdir(exist_ok=True)
    config = _site(lab_server.root_dir / "ui-docs-site")
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    services = ServicesSection(lab)
    services.open()
    assert services.menu_items() == ["Inference…", "TensorBoard…", "Docs…", "Dataset server…"]

    # TensorBoard…: generated fields with their defaults.
    tb = services.launch("TensorBoard")
    assert tb.labels()[:3] == ["Logdir *", "Reload Interval", "Bind All"]
    assert tb.field("logdir").input_value() == ""
    assert tb.field("reload_interval").input_value() == "5"
    assert not tb.field("bind_all").is_checked()
    assert tb.meta("Service name").input_value() == "tensorboard"
    assert tb.meta("GPUs").input_value() == "0"
    lab.screenshot("launch-tensorboard-dialog")
    tb.field("logdir").fill(str(logdir))
    tb.field("reload_interval").fill("7")
    tb.meta("Service name").fill("ui-board")
    tb.start()
    record = _running(services, api, "tensorboard", "ui-board")
    assert record["args"] == {"logdir": str(logdir), "reload_interval": 7, "bind_all": False}

    # Reopened: the last values; Reset to defaults puts the schema's back.
    again = services.launch("TensorBoard")
    expect(again.field("logdir")).to_have_value(str(logdir))
    expect(again.field("reload_interval")).to_have_value("7")
    expect(again.meta("Service name")).to_have_value("ui-board")
    again.reset()
    expect(again.field("logdir")).to_have_value("")
    expect(again.field("reload_interval")).to_have_value("5")
    expect(again.meta("Service name")).to_have_value("tensorboard")
    again.cancel()

    # The other kinds' dialogs, from the same schema machinery.
    inference = services.launch("Inference")
    assert inference.field("host").input_value() == "127.0.0.1"  # an enum: a choice
    assert inference.field("port").input_value() == "0"
    assert inference.field("model_path").get_attribute("data-format") == "path"
    assert inference.meta("GPUs").input_value() == "1"  # inference takes a GPU when there is one
    lab.screenshot("launch-inference-dialog")
    inference.cancel()
    datasets = services.launch("Dataset server")
    assert datasets.field("paths").evaluate("e => e.tagName") == "TEXTAREA"  # one path per line
    assert not datasets.field("hf_cache").is_checked()
    datasets.cancel()

    # Docs…: submitted, it starts and its site opens in a Lab tab.
    docs = services.launch("Docs")
    assert docs.field("rebuild").is_checked()  # default true
    assert not docs.field("strict").is_checked()
    docs.field("config_file").fill(str(config))
    docs.meta("Service name").fill("ui-docs")
    lab.screenshot("launch-docs-dialog")
    docs.start()
    record = _running(services, api, "docs", "ui-docs")
    tab = DocsTab(lab, record["job_id"])
    # Opened on its own once the site answers (the Lab polls it; MkDocs builds first).
    tab.root.wait_for(timeout=START_WITHIN * 1000)
    tab.heading("Hello from the docs").wait_for(timeout=120_000)
    lab.screenshot("launch-docs-tab")
    # Remembered too.
    docs_again = services.launch("Docs")
    expect(docs_again.field("config_file")).to_have_value(str(config))
    docs_again.cancel()
