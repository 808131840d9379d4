"""The Datasets view in a real Chromium: a dataset_server job's datasets, splits and rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from datasets_helpers import build_data
from playwright.sync_api import expect

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_datasets import DatasetsApi, DatasetsView

pytestmark = [pytest.mark.ui, pytest.mark.timeout(300)]

LABEL = "UI datasets"
DASH = "\u2013"  # the range's en dash


@pytest.fixture
def dataset_server(lab_server: LabServer) -> Iterator[str]:
    data = build_data(lab_server.root_dir / "ui-datasets")
    api = DatasetsApi(lab_server)
    job_id = api.start_server(str(data), LABEL)
    try:
        yield job_id
    finally:
        api.kill(job_id)


def test_datasets_view_shows_servers_datasets_splits_and_pages(
    page: Any, lab_server: LabServer, dataset_server: str
) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    view = DatasetsView(lab)
    view.open_from_panel()

    # The server (picked, as the only one), its datasets, the first one's splits and rows.
    expect(view.server(LABEL)).to_contain_text("ready")
    expect(view.server(LABEL)).to_contain_text(f"job {dataset_server}")
    view.pick_server(LABEL)
    for name in ("rows.jsonl", "sonnets", "table.csv"):
        expect(view.dataset(name)).to_be_visible()

    view.pick_dataset("sonnets")
    expect(view.split("train (12)")).to_be_visible()
    expect(view.split("test (2)")).to_be_visible()
    expect(view.split("train (12)")).to_have_attribute("aria-selected", "true")
    expect(view.range).to_have_text(f"rows 1{DASH}12 of 12")
    expect(view.table.get_by_role("columnheader", name="text")).to_be_visible()
    expect(view.table.get_by_role("cell", name="sonnet line 11")).to_be_visible()
    lab.screenshot("datasets-view-sonnets")

    view.split("test (2)").click()
    expect(view.range).to_have_text(f"rows 1{DASH}2 of 2")
    expect(view.table.get_by_role("cell", name="held out b")).to_be_visible()

    # A long JSONL: a page of 20, then the next.
    view.pick_dataset("rows.jsonl")
    expect(view.range).to_have_text(f"rows 1{DASH}20 of 600")
    view.next_page()
    expect(view.range).to_have_text(f"rows 21{DASH}40 of 600")
    expect(view.table.get_by_role("cell", name="row 20", exact=True)).to_be_visible()
    expect(view.table.get_by_role("cell", name="row 19", exact=True)).to_have_count(0)
    lab.screenshot("datasets-view-paged")


def test_datasets_view_from_the_palette(page: Any, lab_server: LabServer) -> None:
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    view = DatasetsView(lab)
    view.open_from_palette()
    expect(view.root.get_by_role("region", name="Dataset servers")).to_be_visible()
