"""Notebook jobs in a real JupyterLab: right-click an .ipynb → Queue on GPU… → open the result."""

from __future__ import annotations

import json
from typing import Any

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi
from .pages_notebook_jobs import FileBrowser, Notifications, QueueNotebookDialog

pytestmark = pytest.mark.ui


def _notebook(lab_server: LabServer, name: str) -> None:
    nb = new_notebook(
        cells=[
            new_markdown_cell("# Sweep me"),
            new_code_cell(
                "lr = 0.1  # learning rate\nepochs = 1\nlabel = 'base'",
                metadata={"tags": ["parameters"]},
            ),
            new_code_cell("print(f'ran with lr={lr} epochs={epochs} label={label}')"),
        ]
    )
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, str(lab_server.root_dir / name))


def test_queue_a_notebook_from_the_file_browser_and_open_the_result(
    page: Any, lab_server: LabServer
) -> None:
    _notebook(lab_server, "sweep_me.ipynb")
    ForgatherApi(lab_server).set_theme("JupyterLab Light")
    lab = JupyterLabPage(page, lab_server)
    lab.open()
    files = FileBrowser(lab)
    files.show()
    files.context_menu("sweep_me.ipynb", "Queue on GPU…")

    dialog = QueueNotebookDialog(lab)
    # Prefilled from the parameters cell.
    assert dialog.parameter("lr").input_value() == "0.1"
    assert dialog.parameter("epochs").input_value() == "1"
    assert dialog.parameter("label").input_value() == "base"
    dialog.set_parameter("lr", "3e-4")
    dialog.set_parameter("label", "from the lab")
    dialog.set_placement(gpus=1, priority=2)
    lab.screenshot("notebook-jobs-dialog")
    dialog.submit()

    toasts = Notifications(lab)
    toasts.toast("queued as job").wait_for()
    toasts.open_from("ran (job")
    # The executed copy opens in the notebook editor, with the injected cell and its output.
    output = page.locator(".jp-NotebookPanel .jp-OutputArea-output", has_text="ran with lr=0.0003")
    output.wait_for(timeout=60_000)
    # Waited for, not read once: the notebook may render the output again meanwhile (CI saw
    # an empty inner_text right after the wait found it).
    output.filter(has_text="label=from the lab").wait_for(timeout=10_000)
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current .lm-TabBar-tabLabel")
    assert tab.inner_text().startswith("sweep_me-")
    lab.screenshot("notebook-jobs-executed")

    jobs = ForgatherApi(lab_server).call("GET", "jobs")["jobs"]
    job = next(j for j in jobs if j["job_type"] == "notebook")
    assert (job["requested_gpus"], job["priority"], job["status"]) == (1, 2, "done")
    assert job["params"]["parameters"] == {"lr": 0.0003, "label": "from the lab"}
    saved = lab_server.root_dir / f"sweep_me-{job['id']}.ipynb"
    executed = json.loads(saved.read_text())
    nbformat.validate(nbformat.from_dict(executed))
    assert "injected-parameters" in executed["cells"][2]["metadata"]["tags"]
