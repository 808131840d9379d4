"""The Lab shows where an engine runs a job: a Lab server on a real one-node Slurm.

A job Slurm holds (another job has all four GPUs) is ``starting``: its view
says Slurm's reason and the Slurm job id; once Slurm runs it the view says
"Slurm job N on <node>" and its card in the Jobs list names the node. A
local job shows none of it (its PID instead).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from engines.slurm_cluster import SlurmCluster, missing_binaries
from server_process import ServerProcess

from .conftest import TOKEN, LabServer
from .pages import JupyterLabPage
from .pages_executors import open_engine_job
from .pages_jobs import ForgatherApi, JobsPanel

pytestmark = [pytest.mark.ui, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def slurm_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LabServer, SlurmCluster]]:
    """A Slurm (4 fake GPUs) and a JupyterLab whose jobs run on it."""
    missing = missing_binaries()
    if missing:
        message = f"Slurm ({', '.join(missing)}) is not installed: run scripts/setup-engines.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    cluster = SlurmCluster(tmp_path_factory.mktemp("slurm"))
    cluster.start()
    srv: ServerProcess | None = None
    try:
        srv = ServerProcess(
            tmp_path_factory.mktemp("slurm-lab"),
            "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--ForgatherLab.executor=slurm",
            "--ForgatherLab.engine_poll_interval=0.3",
            app="lab",
            token=TOKEN,
            env={"SLURM_CONF": str(cluster.conf)},
        ).start()
        yield LabServer(srv.url, TOKEN, srv.root, srv.state), cluster
    finally:
        if srv is not None:
            srv.stop()
        cluster.stop()


def _blocker(slurm: SlurmCluster) -> str:
    """Another user's Slurm job holding all four GPUs, running."""
    out = "--output=/dev/null"
    slurm_id = slurm.run("sbatch", "--parsable", out, "--gres=gpu:4", "--wrap", "sleep 60").strip()
    deadline = time.monotonic() + 20
    while not _slurm_running(slurm, slurm_id):
        assert time.monotonic() < deadline, "the blocking job never started"
        time.sleep(0.1)
    return slurm_id


def _slurm_running(slurm: SlurmCluster, slurm_id: str) -> bool:
    jobs = json.loads(slurm.run("squeue", "--json"))["jobs"]
    return any(str(j["job_id"]) == slurm_id and j["job_state"] == "RUNNING" for j in jobs)


def _job_until(api: ForgatherApi, job_id: str, check: Any, timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while True:
        job: dict[str, Any] = api.call("GET", f"jobs/{job_id}")
        if check(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def _open(page: Any, server: LabServer) -> JobsPanel:
    ForgatherApi(server).set_theme("JupyterLab Light")
    lab = JupyterLabPage(page, server)
    lab.open()
    panel = JobsPanel(lab)
    panel.open_from_sidebar()
    return panel


def test_a_slurm_job_shows_slurms_reason_its_id_and_then_its_node(
    page: Any, slurm_lab: tuple[LabServer, SlurmCluster]
) -> None:
    server, slurm = slurm_lab
    api = ForgatherApi(server)
    held = _blocker(slurm)
    try:
        job = api.enqueue(["bash", "-c", "echo on-slurm; sleep 60"], "slurm-job", gpus=1)
        waiting = _job_until(
            api, job["id"], lambda j: "Resources" in (j.get("pending_reason") or "")
        )
        assert waiting["status"] == "starting"
        slurm_id = waiting["external_id"]
        assert slurm_id

        panel = _open(page, server)
        panel.wait_for_status("slurm-job", "starting")
        view = open_engine_job(panel, "slurm-job")
        view.waiting_banner.get_by_text("Slurm: Resources").wait_for()
        assert view.runs_on.inner_text() == f"Slurm job {slurm_id}"
        assert f"Slurm job {slurm_id}" in view.subtitle.inner_text()
        assert "pid" not in view.subtitle.inner_text()  # the PID is only a stand-in here
        panel.lab.screenshot("executor-slurm-pending")

        slurm.run("scancel", held)  # the node frees: Slurm runs the job
        view.status("running").wait_for(timeout=30_000)
        where = f"Slurm job {slurm_id} on {slurm.host}"
        view.runs_on.get_by_text(where, exact=True).wait_for()
        assert view.waiting_banner.count() == 0
        subtitle = view.subtitle.inner_text()
        assert f"GPU 0 on {slurm.host}" in subtitle
        assert subtitle.endswith(f"Slurm job {slurm_id}")  # the node said once, with the GPUs
        card = panel.wait_for_status("slurm-job", "running")
        assert f"on {slurm.host}" in card.inner_text()
        view.wait_for_log_text("on-slurm")
        panel.lab.screenshot("executor-slurm-running")
    finally:
        slurm.run("scancel", held)
        with_kill = f"{server.url}/forgather/api/jobs/{job['id']}/control/kill"
        httpx.post(with_kill, headers={"Authorization": f"token {TOKEN}"}, timeout=30)


def test_a_local_job_shows_its_pid_and_no_engine(page: Any, lab_server: LabServer) -> None:
    api = ForgatherApi(lab_server)
    job = api.enqueue([sys.executable, "-c", "import time; time.sleep(30)"], "local-job")
    try:
        running = _job_until(api, job["id"], lambda j: j["status"] == "running")
        panel = _open(page, lab_server)
        panel.wait_for_status("local-job", "running")
        view = open_engine_job(panel, "local-job")
        view.subtitle.get_by_text(f"pid {running['pid']}").wait_for()
        assert view.runs_on.count() == 0
        assert view.waiting_banner.count() == 0
        assert " on " not in panel.job_card("local-job").inner_text()
    finally:
        api.call("POST", f"jobs/{job['id']}/control/kill")
