"""The launch dialogs in Chromium: one per service kind, generated from its parameter model.

Each opens from "New service", shows its fields with their defaults,
remembers the last values, puts the defaults back on "Reset to defaults";
a TensorBoard and a Docs service submitted from them start, and the Docs
site opens in a Lab tab.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi
from .pages_services import DocsTab, ServicesSection

pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]


def _site(root: Path) -> Path:
    (root / "docs").mkdir(parents=True, exist_ok=True)
    (root / "docs" / "index.md").write_text("# Hello from the docs\n\nA tiny site.\n")
    config = root / "mkdocs.yml"
    config.write_text("site_name: UI Docs\n")
    return config


def test_launch_dialogs(page: object, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
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
    record = services.wait_running("tensorboard", "ui-board", api)
    assert record["args"] == {"logdir": str(logdir), "reload_interval": 7, "bind_all": False}

    # Reopened: the last values; Reset to defaults puts the schema's back.
    again = services.launch("TensorBoard")
    assert again.field("logdir").input_value() == str(logdir)
    assert again.field("reload_interval").input_value() == "7"
    assert again.meta("Service name").input_value() == "ui-board"
    again.reset()
    assert again.field("logdir").input_value() == ""
    assert again.field("reload_interval").input_value() == "5"
    assert again.meta("Service name").input_value() == "tensorboard"
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
    record = services.wait_running("docs", "ui-docs", api)
    tab = DocsTab(lab, record["job_id"])
    tab.root.wait_for(timeout=60_000)  # opened on its own once it answers
    tab.heading("Hello from the docs").wait_for(timeout=60_000)
    lab.screenshot("launch-docs-tab")
    # Remembered too.
    docs_again = services.launch("Docs")
    assert docs_again.field("config_file").input_value() == str(config)
    docs_again.cancel()

    for name in ("tensorboard/ui-board", "docs/ui-docs"):
        api.call("DELETE", f"services/{name}")
