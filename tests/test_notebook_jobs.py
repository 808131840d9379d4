"""Notebook jobs: real server, real kernels (ipykernel via nbclient), real job processes.

Each notebook here is tiny; a kernel starts in about a second, so a test
costs a few. The running-notebook test holds its middle cell on a file the
test creates, not on a sleep, so it is as fast as the machine and never flaky.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from conftest_server import LiveServer, wait_for
from IPython.core.interactiveshell import InteractiveShell
from jobs_helpers import command, wait_until
from jobs_helpers import wait_for as wait_job
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from forgather_lab.client import Client
from forgather_lab.notebook_jobs.parameters import INJECTED_TAG, PARAMETERS_TAG, inject

pytestmark = pytest.mark.timeout(120)
KERNEL_START = 60.0  # generous: two kernels may start at once on a loaded 2-core machine

PARAMS_CELL = "lr = 0.1\nepochs = 1\nlabel = 'default'\ntags = []"
RECORD_CELL = (
    "import json, os\n"
    "json.dump({'lr': lr, 'epochs': epochs, 'label': label, 'tags': tags,\n"
    "           'gpus': os.environ.get('CUDA_VISIBLE_DEVICES'), 'cwd': os.getcwd()},\n"
    "          open('seen.json', 'w'))\n"
    "print('lr is', lr)"
)


def as_notebook(data: Any) -> Any:
    """The API's nbformat JSON as nbformat reads it (multi-line strings joined), validated."""
    nb = nbformat.reads(json.dumps(data), as_version=4)
    nbformat.validate(nb)
    return nb


def write_notebook(path: Path, *cells: Any) -> Path:
    nb = new_notebook(cells=list(cells))
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))
    return path


def parametrized(path: Path) -> Path:
    return write_notebook(
        path,
        new_markdown_cell("# A parametrized notebook"),
        new_code_cell(PARAMS_CELL, metadata={"tags": [PARAMETERS_TAG]}),
        new_code_cell(RECORD_CELL),
    )


def notebook_job(notebook: str, **params: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"job_type": "notebook", "job_params": {"notebook": notebook}}
    gpus = params.pop("requested_gpus", None)
    if gpus is not None:
        body["requested_gpus"] = gpus
    body["job_params"].update(params)
    return body


@pytest.fixture
def root(jp_root_dir: Path) -> Path:
    return Path(jp_root_dir).resolve()


# -- the pure part ------------------------------------------------------------------------


def test_injection_follows_papermill() -> None:
    tagged = {"cell_type": "code", "metadata": {"tags": ["parameters"]}, "source": "a = 1"}
    other = {"cell_type": "code", "metadata": {}, "source": "print(a)"}
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [other, tagged, other]}
    out = inject(nb, {"a": 2, "s": "x'y", "xs": [1, None, True]})
    assert [c["source"] for c in out["cells"]][1:3] == [
        "a = 1",
        '# Parameters\na = 2\ns = "x\'y"\nxs = [1, None, True]\n',
    ]
    assert out["cells"][2]["metadata"]["tags"] == [INJECTED_TAG]
    assert out["cells"][2]["id"]
    # Run again on the executed copy: the old injected cell is replaced, not kept.
    again = inject(out, {"a": 3})
    assert [c["source"] for c in again["cells"]].count("# Parameters\na = 3\n") == 1
    assert len(again["cells"]) == 4
    # No tagged cell: at the top. The input is never changed.
    top = inject({"nbformat": 4, "nbformat_minor": 4, "cells": [other]}, {"b": 1})
    assert top["cells"][0]["source"] == "# Parameters\nb = 1\n"
    assert "id" not in top["cells"][0]
    assert nb["cells"] == [other, tagged, other]


# -- over REST ----------------------------------------------------------------------------


async def test_parameters_injected_and_executed_notebook_saved(api: Any, root: Path) -> None:
    nb_path = parametrized(root / "nbs" / "train.ipynb")
    params = {"lr": 3e-4, "epochs": 2, "label": "it's me", "tags": ["a", 1]}
    status, job = await api(
        "queue",
        method="POST",
        json_body=notebook_job(
            "nbs/train.ipynb", parameters=params, output="nbs/out-{job_id}.ipynb"
        ),
    )
    assert status == 201, job
    assert job["job_type"] == "notebook"
    assert job["requested_gpus"] == 0
    assert job["params"]["notebook"] == str(nb_path)
    job = await wait_job(api, job["id"], {"done", "failed"}, timeout=KERNEL_START)
    assert job["status"] == "done", job

    seen = json.loads((nb_path.parent / "seen.json").read_text())
    assert {k: seen[k] for k in params} == params
    assert seen["cwd"] == str(nb_path.parent)  # the kernel runs where the notebook lives
    assert seen["gpus"] == ""  # no GPUs given: CUDA sees none

    status, data = await api("jobs", job["id"], "notebook")
    assert status == 200, data
    executed = as_notebook(data)
    tags = [c["metadata"].get("tags", []) for c in executed["cells"]]
    assert tags[1] == [PARAMETERS_TAG]
    assert tags[2] == [INJECTED_TAG]
    assert "lr = 0.0003" in executed["cells"][2]["source"]
    assert executed["cells"][3]["outputs"][0]["text"] == "lr is 0.0003\n"
    meta = executed["metadata"]["forgather_lab"]
    assert meta["status"] == "done"
    assert (meta["executed_cells"], meta["total_cells"]) == (3, 3)

    out = nb_path.parent / f"out-{job['id']}.ipynb"
    on_disk = nbformat.read(str(out), as_version=4)
    nbformat.validate(on_disk)
    assert on_disk.cells[2].metadata.tags == [INJECTED_TAG]
    assert nbformat.read(str(nb_path), as_version=4).cells[1].source == PARAMS_CELL  # untouched


async def test_failing_cell_fails_the_job_with_its_error(api: Any, root: Path) -> None:
    write_notebook(
        root / "fails.ipynb",
        new_code_cell("x = 1"),
        new_code_cell("# the culprit\nraise ValueError('boom in cell two')"),
        new_code_cell("print('never')"),
    )
    status, job = await api("queue", method="POST", json_body=notebook_job("fails.ipynb"))
    assert status == 201, job
    job = await wait_job(api, job["id"], {"done", "failed"}, timeout=KERNEL_START)
    assert job["status"] == "failed", job
    assert job["exit_code"] == 1, job

    status, log = await api("jobs", job["id"], "tty")
    assert status == 200
    assert "ValueError" in log
    assert "boom in cell two" in log
    last = [ln for ln in log.splitlines() if ln.startswith("forgather-lab: notebook failed")][-1]
    assert last == (
        "forgather-lab: notebook failed at cell 1 (code cell 2 of 3: '# the culprit'): "
        "ValueError: boom in cell two"
    )

    status, data = await api("jobs", job["id"], "notebook")
    assert status == 200
    executed = as_notebook(data)
    meta = executed["metadata"]["forgather_lab"]
    assert meta["status"] == "failed"
    assert meta["executed_cells"] == 2
    assert meta["error"]["cell_index"] == 1
    assert meta["error"]["ename"] == "ValueError"
    assert executed["cells"][1]["outputs"][0]["ename"] == "ValueError"
    assert executed["cells"][2]["outputs"] == []  # never ran


async def test_progress_and_notebook_while_it_runs(api: Any, root: Path) -> None:
    gate = root / "go"
    write_notebook(
        root / "slow.ipynb",
        new_code_cell("print('first')"),
        new_code_cell(
            f"import os, time\nwhile not os.path.exists({str(gate)!r}):\n    time.sleep(0.05)"
        ),
        new_code_cell("print('last')"),
    )
    status, job = await api("queue", method="POST", json_body=notebook_job("slow.ipynb"))
    assert status == 201
    job_id = job["id"]

    async def first_cell_reported() -> bool:
        status, trainer = await api("jobs", job_id, "status")
        return status == 200 and trainer["step"] == 1

    await wait_until(first_cell_reported, timeout=KERNEL_START)
    status, trainer = await api("jobs", job_id, "status")
    assert trainer["has_reporter"]
    assert trainer["job_status"] == "running"
    assert (trainer["max_steps"], trainer["progress"]) == (3, 33.33)
    assert trainer["stage"].startswith("cell 2/3: import os, time")
    status, data = await api("jobs", job_id, "notebook")
    assert status == 200
    running = as_notebook(data)
    assert running["metadata"]["forgather_lab"]["status"] == "running"
    assert running["cells"][0]["outputs"][0]["text"] == "first\n"
    assert running["cells"][2]["outputs"] == []

    gate.touch()
    job = await wait_job(api, job_id, {"done", "failed"}, timeout=30)
    assert job["status"] == "done", job
    status, trainer = await api("jobs", job_id, "status")
    assert (trainer["step"], trainer["progress"], trainer["stage"]) == (3, 100.0, "done")
    status, data = await api("jobs", job_id, "notebook")
    done = as_notebook(data)
    assert done["cells"][2]["outputs"][0]["text"] == "last\n"


async def test_bad_requests_are_400_and_queue_nothing(
    api: Any, root: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    parametrized(root / "ok.ipynb")
    (root / "script.py").write_text("print(1)\n")
    (root / "broken.ipynb").write_text("{not json")
    outside = parametrized(tmp_path_factory.mktemp("elsewhere") / "outside.ipynb")
    (root / "link.ipynb").symlink_to(outside)
    (root / "linkdir").symlink_to(outside.parent)
    _, before = await api("jobs")
    bad: list[tuple[dict[str, Any], str]] = [
        ({}, "notebook"),
        ({"notebook": "missing.ipynb"}, "does not exist"),
        ({"notebook": str(outside)}, "outside"),
        ({"notebook": "../x.ipynb"}, "'..'"),
        ({"notebook": "link.ipynb"}, "outside"),  # a symlink leading out of the root
        ({"notebook": "script.py"}, "not a notebook"),
        ({"notebook": "broken.ipynb"}, "not notebook JSON"),
        ({"notebook": "ok.ipynb", "parameters": [1, 2]}, "parameters"),
        ({"notebook": "ok.ipynb", "parameters": "lr=1"}, "parameters"),
        ({"notebook": "ok.ipynb", "parameters": {"1x": 1}}, "not a Python variable name"),
        ({"notebook": "ok.ipynb", "parameters": {"class": 1}}, "not a Python variable name"),
        ({"notebook": "ok.ipynb", "output": str(outside.parent / "o.ipynb")}, "outside"),
        ({"notebook": "ok.ipynb", "output": "linkdir/o.ipynb"}, "outside"),
        ({"notebook": "ok.ipynb", "output": "nope/o.ipynb"}, "does not exist"),
        ({"notebook": "ok.ipynb", "output": "o.txt"}, ".ipynb"),
        ({"notebook": "ok.ipynb", "output": "ok.ipynb"}, "the notebook itself"),
        ({"notebook": "ok.ipynb", "kernel_name": "a b"}, "kernel_name"),
        ({"notebook": "ok.ipynb", "cell_timeout": 0}, "cell_timeout"),
        ({"notebook": "ok.ipynb", "surprise": 1}, "surprise"),
    ]
    for params, words in bad:
        status, reply = await api(
            "queue", method="POST", json_body={"job_type": "notebook", "job_params": params}
        )
        assert status == 400, (params, reply)
        assert words in reply["message"], (params, reply["message"])
    _, after = await api("jobs")
    assert after["total"] == before["total"]


async def test_notebook_endpoint_refuses_other_jobs(api: Any, root: Path) -> None:
    status, job = await api("queue", method="POST", json_body=command("print('hi')"))
    assert status == 201
    await wait_job(api, job["id"], {"done"})
    status, reply = await api("jobs", job["id"], "notebook")
    assert status == 404
    assert "not a notebook job" in reply["message"]
    status, reply = await api("jobs", "nosuchjob", "notebook")
    assert status == 404

    parametrized(root / "later.ipynb")
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    try:
        status, job = await api("queue", method="POST", json_body=notebook_job("later.ipynb"))
        assert status == 201
        status, reply = await api("jobs", job["id"], "notebook")
        assert status == 409
        assert "has not started" in reply["message"]
    finally:
        await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    await wait_job(api, job["id"], {"done"}, timeout=KERNEL_START)


async def test_a_killed_notebook_job_leaves_no_kernel(api: Any, root: Path) -> None:
    write_notebook(root / "forever.ipynb", new_code_cell("import time\ntime.sleep(600)"))
    status, job = await api("queue", method="POST", json_body=notebook_job("forever.ipynb"))
    assert status == 201

    async def executing() -> bool:
        _, trainer = await api("jobs", job["id"], "status")
        return str(trainer.get("stage")).startswith("cell 1/1")

    await wait_until(executing, timeout=KERNEL_START)
    status, _ = await api("jobs", job["id"], "control", "kill", method="POST")
    assert status == 200
    job = await wait_job(api, job["id"], {"aborted", "failed"}, timeout=30)
    await asyncio.sleep(0.2)
    # Every process that carried the job's marks is gone: the kernel (its own session) too.
    import psutil

    mark = f"FORGATHER_LAB_JOB_ID={job['id']}"
    left = []
    for proc in psutil.process_iter(["pid"]):
        try:
            if mark in "\0".join(f"{k}={v}" for k, v in proc.environ().items()).split("\0"):
                left.append(proc.pid)
        except (psutil.Error, OSError):
            continue
    assert left == []


# -- the magic and the CLI, against a server subprocess -----------------------------------


def test_magic_enqueues_a_notebook_with_parameters(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    nb = parametrized(live_server.root_dir / "magic" / "nb.ipynb")
    for k, v in live_server.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.chdir(nb.parent)  # where a notebook's kernel would be
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "forgather_lab")
    shell.magics_manager.registry["ForgatherMagics"]._client = None
    line = "enqueue nb.ipynb -p lr 3e-4 -p epochs 2 -p label None -r tags 7 --priority 3"
    job_id = shell.run_line_magic("forgather", line)
    assert "queued" in repr(job_id)
    client = Client()
    job = client.job(str(job_id))
    assert (job.job_type, job.priority, job.requested_gpus, job.name) == (
        "notebook",
        3,
        0,
        "nb.ipynb",
    )
    assert job.params["parameters"] == {"lr": 3e-4, "epochs": 2, "label": None, "tags": "7"}
    done = wait_for(lambda: (j := client.job(str(job_id))).status in {"done", "failed"} and j)
    assert done.status == "done", client.tty(str(job_id))
    seen = json.loads((nb.parent / "seen.json").read_text())
    assert (seen["lr"], seen["epochs"], seen["label"], seen["tags"]) == (3e-4, 2, None, "7")
    executed = as_notebook(client.executed_notebook(str(job_id)).model_dump())
    assert executed.cells[2].metadata.tags == [INJECTED_TAG]


def test_cli_enqueues_a_notebook(live_server: LiveServer) -> None:
    nb = parametrized(live_server.root_dir / "cli" / "nb.ipynb")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORGATHER_LAB", "JUPYTERHUB"))}
    env |= live_server.env | {"JUPYTER_RUNTIME_DIR": str(live_server.runtime_dir)}
    exe = str(Path(sys.executable).parent / "forgather-lab")

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [exe, *args], env=env, cwd=nb.parent, capture_output=True, text=True, timeout=60
        )

    r = cli("--json", "enqueue", "--gpus", "1", "nb.ipynb", "-p", "epochs", "5", "-o", "o.ipynb")
    assert r.returncode == 0, r.stderr
    job = json.loads(r.stdout)
    assert job["requested_gpus"] == 1
    assert job["params"]["output"] == str(nb.parent / "o.ipynb")
    client = Client(live_server.url, live_server.token)
    done = wait_for(lambda: (j := client.job(job["id"])).status in {"done", "failed"} and j)
    assert done.status == "done", client.tty(job["id"])
    seen = json.loads((nb.parent / "seen.json").read_text())
    assert seen["epochs"] == 5
    assert seen["gpus"] == str(done.gpus[0])
    nbformat.validate(nbformat.read(str(nb.parent / "o.ipynb"), as_version=4))

    r = cli("enqueue", "nb.ipynb", "-p", "lr")  # a parameter without its value
    assert r.returncode == 2
    assert "expected 2 arguments" in r.stderr
    r = cli("enqueue", "missing.ipynb")
    assert r.returncode == 1
    assert "does not exist" in r.stderr
