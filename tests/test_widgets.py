"""The widgets' Python side: traits, front-end files, the enqueue form against a real server."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import conftest_server
import ipywidgets as w
import pytest
import traitlets
from conftest_server import LiveServer

from forgather_lab.client import Client
from forgather_lab.models.jobs import DescribeJob
from forgather_lab.widgets import EnqueueForm, GpuDashboard, JobsTable, JobView
from forgather_lab.widgets._live import STATIC

# The TypeScript the bundle is built from (npm run build in labextension/).
SOURCES = Path(__file__).resolve().parents[1] / "labextension" / "src" / "widgets"
DEFAULT_EXPORT = re.compile(r"export\s*(default\b|\{[^}]*\bas default\s*\})")


def test_live_widgets_share_one_front_end() -> None:
    views = {
        GpuDashboard().get_state()["_view"],
        JobsTable().get_state()["_view"],
        JobView("abc").get_state()["_view"],
    }
    assert views == {"gpus", "jobs", "job"}
    entry = (SOURCES / "index.ts").read_text()
    for view in views:
        assert f"{view}: render" in entry  # the renderer of each `_view`
    state = JobView("abc", metric="eval_loss").get_state()
    assert state["job_id"] == "abc"
    assert state["metric"] == "eval_loss"
    assert DEFAULT_EXPORT.search(GpuDashboard().get_state()["_esm"])
    assert ".forgather-widget" in GpuDashboard().get_state()["_css"]


def test_front_end_is_one_bundle_with_the_labs_log_and_chart() -> None:
    js = (STATIC / "forgather.js").read_text()
    css = (STATIC / "forgather.css").read_text()
    # anywidget loads the module from a string: it can import nothing, and
    # it runs in any anywidget host, so nothing of JupyterLab is in it.
    assert not re.search(r"^\s*import\b|\bimport\s*\(", js, re.M)
    assert "@jupyterlab/" not in js
    # xterm.js (the log) and uPlot (the chart), as in the Lab's job view.
    assert ".xterm" in css
    assert ".uplot" in css
    job = (SOURCES / "job.ts").read_text()
    assert "LogTerminal" in job
    assert "MetricsChart" in job


def test_front_end_is_valid_javascript() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    subprocess.run(
        [node, "--experimental-default-type=module", "--check", str(STATIC / "forgather.js")],
        check=True,
    )


def test_front_end_cleans_up_and_uses_page_credentials() -> None:
    js = (STATIC / "forgather.js").read_text()
    assert "X-XSRFToken" in js
    assert "jupyter-config-data" in js
    entry = (SOURCES / "index.ts").read_text()
    assert "return () => life.stop()" in entry  # anywidget calls it when the view goes away
    # Each view hands its sockets, streams and models to the lifetime that stops them.
    for view in ("gpus", "jobs", "job"):
        assert "life.own(" in (SOURCES / f"{view}.ts").read_text()
    shared = (SOURCES.parent / "jobs" / "logStream.ts").read_text()
    assert "socket?.close()" in shared
    events = (SOURCES.parent / "client" / "events.ts").read_text()
    assert "this._abort?.abort()" in events


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="needs a job id"):
        JobView("  ")
    with pytest.raises(traitlets.TraitError, match="between 1 and 1000"):
        JobsTable(limit=0)
    table = JobsTable(limit=5, status="running,queued")
    assert table.get_state()["status"] == "running,queued"


def test_enqueue_form_is_generated_from_dynamic_args(live_server: LiveServer) -> None:
    client = Client(live_server.url, live_server.token)
    form = EnqueueForm("forgather-examples/hello_script", "count_words.yaml", client=client)
    assert set(form.fields) == {"steps", "delay"}
    assert isinstance(form.fields["steps"], w.IntText)
    assert isinstance(form.fields["delay"], w.FloatText)
    assert form.values() == {"steps": 20, "delay": 0.1}
    form.fields["steps"].value = 2
    form.fields["delay"].value = 0.0
    form.name.value = "from the form"
    job_id = form.submit()
    if job_id is None:  # config jobs not wired on this server yet: the message is shown
        assert "400" in form.result.value
    else:
        job = client.job(job_id)
        assert job.name == "from the form"
        assert job.params["dynamic_args"] == {"steps": 2, "delay": 0.0}


def test_enqueue_form_choices_and_errors(live_server: LiveServer) -> None:
    client = Client(live_server.url, live_server.token)
    form = EnqueueForm("forgather-examples/tiny_char_lm", "train.yaml", client=client)
    assert isinstance(form.fields["device"], w.Dropdown)
    assert form.fields["device"].value == "cpu"
    from forgather_lab.client import ForgatherClientError

    with pytest.raises(ForgatherClientError) as e:
        EnqueueForm("no/such/project", "x.yaml", client=client)
    assert e.value.status in {403, 404}


def _planned(client: Client, ids: list[str]) -> dict[str, DescribeJob] | None:
    queued = {j.id: j for j in client.jobs("queued", limit=1000).jobs}
    return queued if all(queued[i].position is not None for i in ids) else None


def test_jobs_table_reads_place_and_reason_of_queued_jobs(live_server: LiveServer) -> None:
    """What ``JobsTable`` lists (``GET /jobs?status=queued``) carries each queued job's
    place and pending reason, which the table shows as ``queued #N`` and under the name."""
    client = Client(live_server.url, live_server.token)
    client.pause()
    ids: list[str] = []
    try:
        ids = [client.enqueue(["sleep", "30"], gpus=1, name=f"table-{i}").id for i in (1, 2)]
        # Places come from the scheduler's pass after each submission, which a
        # loaded machine may run a moment after the second POST returns.
        queued = conftest_server.wait_for(lambda: _planned(client, ids))
        places = [queued[i].position for i in ids]
        assert places[0] is not None
        assert places[1] == places[0] + 1
        assert {queued[i].pending_reason for i in ids} == {"scheduler paused"}
        source = (SOURCES / "jobs.ts").read_text()
        assert "job.pending_reason" in source
        assert "job.position" in source
    finally:
        for job_id in ids:
            client.cancel(job_id)
        client.resume()
