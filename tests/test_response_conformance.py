"""Every documented operation, called for real, answers what docs/openapi.json says.

One real server (simulated GPUs, the example workspace seeded into its
root_dir) is given real state first: a finished command job, a running one
that has reported through its callback, a finished run of the example
``hello_script`` project, a ready inference endpoint (an OpenAI-compatible
stand-in run as an ``inference`` job), a running TensorBoard job, a
generation preset and a scratch workspace. Then each operation of the
document is called with parameters naming those real things, must answer
2xx, and its response is validated against the documented schema with
schemathesis' conformance checks (body schema, status code, content type).

The test fails if an operation is neither validated with a 2xx nor in
``EXCLUDED``, with its reason; it prints which were validated. ``conform``
is shared with the fuzz (tests/reliability/test_fuzz_openapi.py), which runs
the same checks on every generated request. The module is longer than most
because ``CALLS`` is one table naming every operation, read top to bottom.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import jsonschema_rs
import pytest
import schemathesis
from schemathesis.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.core.errors import InvalidSchema
from schemathesis.core.result import Err
from server_process import TOKEN, ServerProcess

pytestmark = pytest.mark.timeout(300)

DOCUMENT = Path(__file__).parents[1] / "docs" / "openapi.json"
PREFIX = "/forgather/api"
DOC = json.loads(DOCUMENT.read_text())
SCHEMA = schemathesis.openapi.from_dict(DOC)
CHECKS = [response_schema_conformance, status_code_conformance, content_type_conformance]
HEADERS = {"Authorization": f"token {TOKEN}"}
PY = sys.executable

# Operations that cannot have one meaningful response to validate.
EXCLUDED = {
    # A Server-Sent Events stream that never ends by design (tests/test_events.py).
    "GET /forgather/api/events": "endless SSE stream",
    # A WebSocket only: a plain GET is refused with 400 (tests/test_gpus.py).
    "GET /forgather/api/gpus/stream": "WebSocket only",
    # These write the user's real jupyter_server_config.py: ServerProcess leaves
    # JUPYTER_CONFIG_DIR alone (tests/test_housekeeping.py checks them on a scratch one).
    "POST /forgather/api/server-config": "writes the user's Jupyter config file",
    "GET /forgather/api/server-config/content": "reads the user's Jupyter config file",
    "PUT /forgather/api/server-config/content": "writes the user's Jupyter config file",
    # An MkDocs site's pages (HTML, CSS, JS: no JSON to check), proxied exactly as
    # TensorBoard's are (checked here); tests/test_docsite.py serves a real site through both.
    "GET /forgather/api/docsite/{job_id}/{path}": "a proxied MkDocs site (test_docsite.py)",
    "GET /forgather/api/docsite-view/{job_id}/{grant}/{path}": "its view link (test_docsite.py)",
    # A multi-node bundle needs a cluster: standalone they answer 409 / 404 only.
    # tests/cluster/test_multinode.py calls them on two real nodes.
    "POST /forgather/api/cluster/jobs": "cluster mode only (tests/cluster/test_multinode.py)",
    "GET /forgather/api/cluster/jobs/{bundle_id}": "cluster mode only (test_multinode.py)",
    "POST /forgather/api/cluster/jobs/{bundle_id}/cancel": "cluster mode only (test_multinode.py)",
}

# A stand-in OpenAI-compatible server, run as an inference job (stdlib only).
FAKE_UPSTREAM = """\
import http.server, json, sys
token = open(sys.argv[2]).read().strip()
class H(http.server.BaseHTTPRequestHandler):
    def reply(self, body):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        if self.path == "/health":
            return self.reply({"status": "ok"})
        self.reply({"object": "list", "data": [{"id": "fake", "object": "model"}]})
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        choice = {"index": 0, "text": "hi", "message": {"role": "assistant", "content": "hi"}}
        self.reply({"id": "x", "object": "completion", "choices": [choice]})
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"""


@dataclass
class World:
    """The real things the calls name, set up once."""

    srv: ServerProcess
    project: str = "forgather-examples/tiny_char_lm"
    config: str = "train.yaml"
    finished: str = ""  # a done command job
    running: str = ""  # a running command job that has called back
    running_gpus: list[int] = field(default_factory=list)
    token: str = ""  # the running job's callback token
    output_dir: str = ""  # of the finished hello_script run
    run_dir: str = ""
    endpoint: str = ""  # base URL of a ready inference endpoint
    tensorboard: str = ""  # a running TensorBoard job
    workspace: str = ""  # a scratch workspace (absolute)
    scratch_project: str = ""  # a project in it (absolute)
    preset: str = "conformance"
    dataset_server: str = ""  # a running dataset_server job (its id is its server id)
    dataset_url: str = ""  # where it listens

    def api(self, method: str, *parts: str, **kwargs: Any) -> httpx.Response:
        """A setup call (not validated here)."""
        response = self.srv.request(method, *parts, **kwargs)
        assert response.status_code < 300, f"{method} {parts}: {response.text[:500]}"
        return response

    def enqueue(self, body: dict[str, Any]) -> str:
        return str(self.api("POST", "queue", json=body).json()["id"])

    def wait(self, job_id: str, statuses: set[str], timeout: float = 60) -> dict[str, Any]:
        return self.srv.wait_job(job_id, statuses, timeout=timeout)

    def wait_endpoint(self, job_id: str, timeout: float = 180) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        row: dict[str, Any] = {}
        while time.monotonic() < deadline:
            rows = self.api("GET", "inference", "servers").json()["servers"]
            row = next((r for r in rows if r["job_id"] == job_id), {})
            if row.get("state") == "ready":
                return row
            if row.get("state") == "failed":
                break
            time.sleep(0.2)
        raise AssertionError(f"endpoint of {job_id} not ready: {row}")

    def sleeper(self, gpus: int = 0) -> str:
        """A running command job (killed with the server's jobs at teardown)."""
        code = "import time\nprint('step 1/10', flush=True)\ntime.sleep(600)"
        job_id = self.enqueue(
            {
                "job_type": "command",
                "job_params": {"argv": [PY, "-c", code]},
                "requested_gpus": gpus,
            }
        )
        self.wait(job_id, {"running"})
        return job_id

    def finished_job(self) -> str:
        job_id = self.enqueue(
            {"job_type": "command", "job_params": {"argv": [PY, "-c", "print('hello')"]}}
        )
        self.wait(job_id, {"done"})
        return job_id

    def scratch_file(self, name: str, text: str = "x: 1\n") -> str:
        path = Path(self.scratch_project) / "configs" / name
        path.write_text(text)
        return str(path)


def free_port() -> int:
    """A port for the stand-in to bind (an external command must be told its port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def build_world(srv: ServerProcess, tmp: Path) -> World:
    w = World(srv)
    # Start the slow ones first: TensorBoard, the inference stand-in, the example run.
    logdir = tmp / "tb-logs"
    logdir.mkdir()
    w.tensorboard = w.enqueue({"job_type": "tensorboard", "job_params": {"logdir": str(logdir)}})
    data = srv.root / "conformance-data"
    data.mkdir()
    (data / "rows.jsonl").write_text('{"a": 1}\n{"a": 2}\n')
    w.dataset_server = w.enqueue(
        {"job_type": "dataset_server", "job_params": {"paths": [str(data)]}}
    )
    script = tmp / "fake_upstream.py"
    script.write_text(FAKE_UPSTREAM)
    inference = w.enqueue(
        {
            "job_type": "inference",
            "job_params": {
                "command": [PY, str(script), "{port}", "{token_file}"],
                "port": free_port(),
            },
        }
    )
    hello = "forgather-examples/hello_script"
    run = w.enqueue(
        {
            "job_type": "training",
            "project_dir": hello,
            "config": "count_words.yaml",
            "dynamic_args": {"steps": 3, "delay": 0},
        }
    )
    w.finished = w.finished_job()
    w.running = w.sleeper(gpus=1)
    w.running_gpus = w.api("GET", "jobs", w.running).json()["gpus"]
    w.token = srv.job_token(w.running)
    # The running job reports as forgather_lab.reporter would: hello, progress, a metric.
    report = {
        "hello": {"pid": 1},
        "records": [
            {"kind": "stage", "name": "train"},
            {"kind": "progress", "step": 1, "max_steps": 10, "metrics": {"loss": 2.5}},
        ],
    }
    auth = {"Authorization": f"Bearer {w.token}"}
    reply = httpx.post(
        f"{srv.url}{PREFIX}/jobs/{w.running}/callback", json=report, headers=auth, timeout=30
    )
    assert reply.status_code == 200, reply.text
    w.wait(run, {"done"})
    w.output_dir = w.api(
        "GET", "config", "output-dir", params={"project_dir": hello, "config": "count_words.yaml"}
    ).json()["output_dir"]
    runs = w.api("GET", "model", "runs", params={"output_dir": w.output_dir}).json()["runs"]
    w.run_dir = runs[0]["path"]
    w.api("PUT", "generation-configs", w.preset, json={"temperature": 0.5, "top_p": 0.9})
    w.api("POST", "search-roots", json={"path": "scratch", "create": True})
    w.workspace = w.api(
        "POST",
        "workspace",
        "new",
        json={"parent_dir": str(srv.root / "scratch"), "name": "Scratch"},
    ).json()["workspace_dir"]
    w.scratch_project = w.api(
        "POST", "workspace", "new-project", json={"workspace_dir": w.workspace, "name": "Proj"}
    ).json()["project_dir"]
    w.endpoint = w.wait_endpoint(inference)["base_url"]
    w.wait_endpoint(w.tensorboard)
    w.dataset_url = wait_dataset_server(w)
    return w


def wait_dataset_server(w: World, timeout: float = 60) -> str:
    """The URL of the world's dataset server, once it answers."""
    deadline = time.monotonic() + timeout
    row: dict[str, Any] = {}
    while time.monotonic() < deadline:
        rows = w.api("GET", "dataset-servers").json()["servers"]
        row = next((r for r in rows if r["id"] == w.dataset_server), {})
        if row.get("status") == "ready":
            return str(row["url"])
        time.sleep(0.2)
    raise AssertionError(f"dataset server {w.dataset_server} not ready: {row}")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("conformance")
    # ServerProcess starts it with --ForgatherLab.gpu_backend=simulated (4 cards).
    srv = ServerProcess(tmp).start()
    try:
        yield build_world(srv, tmp)
    finally:
        srv.stop()
        srv.kill_jobs()


Make = Callable[[World], dict[str, Any]]


@dataclass(frozen=True)
class Call:
    """One documented operation and how to call it with real parameters."""

    method: str
    path: str  # as documented, below /forgather/api
    make: Make = lambda w: {}  # the Case arguments: path_parameters, query, body (, headers)
    form: Make | None = None  # a form body the document does not model (TensorBoard's)
    after: Callable[[World], Any] | None = None  # undo what ``make`` set up
    note: str = ""  # tells apart two calls of one operation (another kind of answer)

    @property
    def label(self) -> str:
        return f"{self.method} {PREFIX}{self.path}"

    @property
    def title(self) -> str:
        return f"{self.label} ({self.note})" if self.note else self.label


def on_config(w: World) -> dict[str, Any]:
    return {"query": {"project_dir": w.project, "config": w.config}}


def on_output(w: World) -> dict[str, Any]:
    return {"query": {"output_dir": w.output_dir}}


def on_project(w: World) -> dict[str, Any]:
    return {"query": {"project_dir": w.project}}


def job(attr: str) -> Make:
    return lambda w: {"path_parameters": {"job_id": getattr(w, attr)}}


def queued(w: World) -> dict[str, Any]:
    # Paused, the scheduler leaves a new job queued for the cancel (``resume`` after).
    w.api("POST", "queue", "scheduler", json={"enabled": False})
    job_id = w.enqueue({"job_type": "command", "job_params": {"argv": [PY, "-c", "pass"]}})
    return {"path_parameters": {"job_id": job_id}}


def resume(w: World) -> None:
    w.api("POST", "queue", "scheduler", json={"enabled": True})


def notebook_job(w: World) -> dict[str, Any]:
    """A finished notebook job (one cell), for its executed notebook."""
    cell = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
            "source": "print('hi')"}  # fmt: skip
    nb = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [cell]}
    (w.srv.root / "conformance.ipynb").write_text(json.dumps(nb))
    job_id = w.enqueue({"job_type": "notebook", "job_params": {"notebook": "conformance.ipynb"}})
    w.wait(job_id, {"done"}, timeout=120)
    return {"path_parameters": {"job_id": job_id}}


def free_gpu(w: World) -> dict[str, Any]:
    gpus = [g["index"] for g in w.api("GET", "gpus").json()["gpus"]]
    index = next(i for i in gpus if i not in w.running_gpus)
    return {"path_parameters": {"index": index}, "body": {"confirmed": True}}


def dataset_proxy(path: str) -> Make:
    return lambda w: {"path_parameters": {"server_id": w.dataset_server, "path": path}}


def disposable_dataset_server(w: World) -> dict[str, Any]:
    added = w.api(
        "POST", "dataset-servers", json={"label": "disposable", "url": "http://127.0.0.1:9/gone"}
    ).json()
    return {"path_parameters": {"server_id": added["id"]}}


def external_pid(w: World) -> int:
    """A live process of this user to register as an external trainer (the running job's)."""
    return int(w.api("GET", "jobs", w.running).json()["pid"])


def external_end(w: World) -> dict[str, Any]:
    reg = w.api("POST", "jobs", "external", json={"pid": external_pid(w)}).json()
    return {
        "path_parameters": {"job_id": reg["job"]["id"]},
        "headers": {"Authorization": f"Bearer {reg['token']}"},
        "body": {"outcome": "done"},
    }


def service(w: World) -> dict[str, Any]:
    return {"path_parameters": {"type": "command", "name": "conformance"}}


def disposable_service(w: World) -> dict[str, Any]:
    w.api(
        "POST",
        "services",
        json={
            "type": "command",
            "name": "disposable",
            "enabled": False,
            "args": {"argv": ["true"]},
        },
    )
    return {"path_parameters": {"type": "command", "name": "disposable"}}


def disposable_preset(w: World) -> dict[str, Any]:
    w.api("PUT", "generation-configs", "disposable", json={"temperature": 0.1})
    return {"path_parameters": {"name": "disposable"}}


def disposable_dir(w: World) -> dict[str, Any]:
    made = w.api(
        "POST",
        "workspace",
        "new",
        json={"parent_dir": str(w.srv.root / "scratch"), "name": "Disposable"},
    ).json()
    return {"body": {"path": made["workspace_dir"], "confirmed": True}}


def loose_dir(w: World) -> dict[str, Any]:
    loose = w.srv.root / "scratch" / "loose"
    loose.mkdir(exist_ok=True)
    return {"body": {"workspace_dir": str(loose), "name": "Loose"}}


def template_source(w: World) -> dict[str, Any]:
    path = w.scratch_file("edited.yaml")
    mtime = w.api("GET", "template", "source", params={"path": path}).json()["mtime"]
    return {"body": {"path": path, "content": "x: 2\n", "expected_mtime": mtime}}


def tb(path: str) -> Make:
    return lambda w: {"path_parameters": {"job_id": w.tensorboard, "path": path}}


def tb_view(path: str) -> Make:
    """A TensorBoard view-link call: the grant comes from the redirect a page load gets."""

    def make(w: World) -> dict[str, Any]:
        nav = httpx.get(
            f"{w.srv.url}/forgather/api/tb/{w.tensorboard}/",
            headers={"Authorization": f"token {w.srv.token}", "Sec-Fetch-Mode": "navigate"},
            follow_redirects=False,
            timeout=30,
        )
        assert nav.status_code == 302, nav.text
        grant = nav.headers["location"].split("/tb-view/", 1)[1].split("/")[1]
        return {"path_parameters": {"job_id": w.tensorboard, "grant": grant, "path": path}}

    return make


def inference(body: dict[str, Any] | None = None) -> Make:
    def make(w: World) -> dict[str, Any]:
        out: dict[str, Any] = {"query": {"base": w.endpoint}}
        if body is not None:
            out["body"] = body
        return out

    return make


CHAT = {"model": "fake", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 4}

# In order: reads first, then writes, destructive ones last on throwaway objects.
CALLS = [
    Call("GET", "/health"),
    Call("GET", "/openapi.json"),
    Call("GET", "/gpus"),
    Call("GET", "/gpus/policy"),
    Call("GET", "/projects"),
    Call("GET", "/search-roots"),
    Call("GET", "/project", on_project),
    Call("GET", "/project/readme", on_project),
    Call("GET", "/project/templates", on_project),
    Call("GET", "/project/template-paths", on_project),
    Call(
        "GET",
        "/project/models",
        lambda w: {"query": {"project_dir": str(Path(w.output_dir).parents[1])}},
    ),
    Call(
        "GET",
        "/project/asset",
        lambda w: {"query": {"project_dir": w.project, "asset": "README.md"}},
    ),
    Call("GET", "/config/meta", on_config),
    Call("GET", "/config/pp", on_config),
    Call("GET", "/config/raw", on_config),
    Call("GET", "/config/templates", on_config),
    Call("GET", "/config/trefs", on_config),
    Call("GET", "/config/dynamic-args", on_config),
    Call("GET", "/config/output-dir", on_config),
    Call("GET", "/config/overrides", on_config),
    Call("GET", "/model/runs", on_output),
    Call("GET", "/model/checkpoints", on_output),
    Call("GET", "/model/evaluations", on_output),
    Call("GET", "/run/summary", lambda w: {"query": {"run_dir": w.run_dir}}),
    Call("GET", "/run/tty", lambda w: {"query": {"run_dir": w.run_dir}}),
    Call(
        "GET",
        "/template/source",
        lambda w: {"query": {"path": str(Path(w.scratch_project) / "configs" / "default.yaml")}},
    ),
    Call("GET", "/jobs"),
    Call(
        "GET",
        "/jobs",
        lambda w: {"query": {"scope": "cluster"}},
        note="every node's (standalone: this one, in nodes)",
    ),
    Call("GET", "/jobs/{job_id}", job("running")),
    Call("GET", "/jobs/{job_id}/status", job("running")),
    Call("GET", "/jobs/{job_id}/inline-progress", job("running")),
    Call("GET", "/jobs/{job_id}/metrics", job("running")),
    Call("GET", "/jobs/{job_id}/tty", job("finished")),
    Call("GET", "/jobs/{job_id}/notebook", notebook_job),
    Call("GET", "/jobs/{job_id}/history", job("running")),
    Call("GET", "/jobs/{job_id}/provenance", job("finished")),
    Call("GET", "/jobs/{job_id}/provenance/diff", job("finished")),
    Call("GET", "/jobs/{job_id}/metrics.csv", job("running")),
    Call("GET", "/metrics/compare", lambda w: {"query": {"jobs": w.running, "keys": "loss"}}),
    Call(
        "GET",
        "/metrics/compare",
        lambda w: {"query": {"jobs": w.running, "keys": "loss", "axis": "time"}},
        note="the wall-time axis",
    ),
    Call("GET", "/runs", lambda w: {"query": {"project_dir": "forgather-examples/hello_script"}}),
    Call("POST", "/jobs/{job_id}/rerun", lambda w: {**job("finished")(w), "body": {}}),
    Call("GET", "/queue"),
    Call("GET", "/queue/scheduler"),
    Call("GET", "/generation-configs"),
    Call("GET", "/generation-configs/{name}", lambda w: {"path_parameters": {"name": w.preset}}),
    Call("GET", "/services"),
    Call("GET", "/services/kinds"),
    Call("GET", "/inference/servers"),
    Call("GET", "/inference/health", inference()),
    Call("GET", "/inference/models", inference()),
    Call("POST", "/inference/completions", inference({"model": "fake", "prompt": "hi"})),
    Call("POST", "/inference/chat/completions", inference(CHAT)),
    Call("GET", "/tb/{job_id}/{path}", tb("index.html"), note="a page"),
    Call("GET", "/tb/{job_id}/{path}", tb("data/environment"), note="a data query"),
    Call(
        "POST",
        "/tb/{job_id}/{path}",
        tb("data/plugin/scalars/scalars_multirun"),
        form=lambda w: {"tag": "loss", "runs": "."},
    ),
    Call("GET", "/tb-view/{job_id}/{grant}/{path}", tb_view("index.html"), note="a page"),
    Call("GET", "/dataset-servers"),
    Call("GET", "/cluster"),  # standalone: this node alone (tests/cluster: a real cluster)
    Call("GET", "/cluster/gpus"),
    Call("GET", "/cluster/network"),
    Call("GET", "/cluster/jobs"),  # standalone: none
    Call("GET", "/dataset-servers/{server_id}/proxy/{path}", dataset_proxy("datasets")),
    Call(
        "GET",
        "/dataset-servers/proxy",
        lambda w: {"query": {"url": f"{w.dataset_url}/length?dataset=rows.jsonl"}},
    ),
    Call(
        "POST",
        "/tb-view/{job_id}/{grant}/{path}",
        tb_view("data/plugin/scalars/scalars_multirun"),
        form=lambda w: {"tag": "loss", "runs": "."},
    ),
    # Writes.
    Call(
        "POST",
        "/config/overrides",
        lambda w: {"body": {"project_dir": w.project, "config": w.config, "values": {}}},
    ),
    Call("DELETE", "/config/overrides", on_config),
    Call(
        "PUT",
        "/generation-configs/{name}",
        lambda w: {"path_parameters": {"name": w.preset}, "body": {"temperature": 0.7}},
    ),
    Call(
        "POST",
        "/gpus/{index}/policy",
        lambda w: {"path_parameters": {"index": 0}, "body": {"min_priority": 0}},
    ),
    Call("POST", "/gpus/{index}/kill", free_gpu),
    Call(
        "POST",
        "/cluster/nodes/{node_id}/gpus/{index}/policy",
        lambda w: {
            "path_parameters": {"node_id": w.api("GET", "cluster").json()["self"], "index": 0},
            "body": {"min_priority": 0},
        },
    ),
    Call("POST", "/cluster/network/refresh"),
    Call("POST", "/queue/scheduler", lambda w: {"body": {"enabled": True}}),
    Call(
        "POST",
        "/queue",
        lambda w: {"body": {"job_type": "command", "job_params": {"argv": [PY, "-c", "print(1)"]}}},
    ),
    Call(
        "POST",
        "/queue",
        lambda w: {
            "body": {"job_type": "command", "job_params": {"argv": ["true"]}, "node": "any"}
        },
        note="on the node where it starts soonest (standalone: this one)",
    ),
    Call(
        "PATCH", "/queue/{job_id}", lambda w: {**queued(w), "body": {"priority": 3}}, after=resume
    ),
    Call(
        "POST",
        "/queue/batch",
        lambda w: {"body": {"jobs": [{"job_type": "command", "job_params": {"argv": ["true"]}}]}},
    ),
    Call(
        "POST",
        "/queue/sweep",
        lambda w: {
            "body": {
                "base": {
                    "job_type": "training",
                    "project_dir": "forgather-examples/hello_script",
                    "config": "count_words.yaml",
                    "dynamic_args": {"delay": 0},
                },
                "grid": {"steps": [1, 2]},
            }
        },
    ),
    Call("DELETE", "/queue/{job_id}", queued, after=resume),
    Call(
        "POST",
        "/jobs/{job_id}/control/{action}",
        lambda w: {"path_parameters": {"job_id": w.running, "action": "save"}},
    ),
    # The reporter's callback: takes the job's own token, answers the pending save.
    Call(
        "POST",
        "/jobs/{job_id}/callback",
        lambda w: {
            "path_parameters": {"job_id": w.running},
            "headers": {"Authorization": f"Bearer {w.token}"},
            "body": {"records": [{"kind": "progress", "step": 2, "metrics": {"loss": 2.0}}]},
        },
    ),
    # A trainer started elsewhere registers (Jupyter auth), ends (its own token).
    Call("POST", "/jobs/external", lambda w: {"body": {"pid": external_pid(w), "name": "ext"}}),
    Call("POST", "/jobs/external/{job_id}/end", external_end),
    Call("POST", "/jobs/external/cleanup"),
    Call(
        "POST",
        "/services",
        lambda w: {
            "body": {
                "type": "command",
                "name": "conformance",
                "enabled": False,
                "args": {"argv": ["true"]},
            }
        },
    ),
    Call("GET", "/services/{type}/{name}", service),
    Call(
        "POST",
        "/dataset-servers",
        lambda w: {"body": {"label": "conformance", "url": w.dataset_url + "/conformance"}},
    ),
    Call(
        "POST",
        "/services/{type}/{name}/enabled",
        lambda w: {**service(w), "body": {"enabled": False}},
    ),
    Call("POST", "/search-roots", lambda w: {"body": {"path": "scratch/more", "create": True}}),
    Call("DELETE", "/search-roots", lambda w: {"query": {"path": "scratch/more"}}),
    Call(
        "POST",
        "/workspace/new",
        lambda w: {"body": {"parent_dir": str(w.srv.root / "scratch"), "name": "Second"}},
    ),
    Call(
        "POST",
        "/workspace/new-project",
        lambda w: {"body": {"workspace_dir": w.workspace, "name": "Another"}},
    ),
    Call("POST", "/workspace/init-here", loose_dir),
    Call(
        "POST",
        "/project/new-template",
        lambda w: {"body": {"project_dir": w.scratch_project, "kind": "config", "name": "made"}},
    ),
    Call("PUT", "/template/source", template_source),
    # Destructive, on throwaway objects.
    Call(
        "POST",
        "/fs/delete-file",
        lambda w: {"body": {"path": w.scratch_file("doomed.yaml"), "confirmed": True}},
    ),
    Call("POST", "/fs/delete-dir", disposable_dir),
    Call("DELETE", "/generation-configs/{name}", disposable_preset),
    Call("DELETE", "/services/{type}/{name}", disposable_service),
    Call("DELETE", "/dataset-servers/{server_id}", disposable_dataset_server),
    Call(
        "DELETE",
        "/jobs/{job_id}",
        lambda w: {"path_parameters": {"job_id": w.finished_job()}},
    ),
    Call("POST", "/jobs/gc"),
    Call("POST", "/jobs/cleanup"),
]


def operations() -> dict[str, Any]:
    """Every operation of the document, by label."""
    out: dict[str, Any] = {}
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):  # an operation the document cannot describe
            raise result.err()
        out[result.ok().label] = result.ok()
    return out


def test_every_operation_is_called_or_excluded() -> None:
    documented = set(operations())
    titles = [c.title for c in CALLS]
    assert len(titles) == len(set(titles)), "a call is listed twice"
    called = {c.label for c in CALLS}
    assert called.isdisjoint(EXCLUDED)
    assert called | set(EXCLUDED) == documented, {
        "undocumented calls": sorted(called - documented),
        "neither called nor excluded": sorted(documented - called - set(EXCLUDED)),
    }


def documented_reply(case: Any, status: int) -> dict[str, Any]:
    """What the document says of this operation's ``status`` reply (empty if nothing)."""
    op = DOC["paths"][case.operation.path][case.operation.method.lower()]
    return dict(op["responses"].get(str(status), {}))


def documented_schema(case: Any, status: int) -> dict[str, Any] | None:
    """The JSON schema the document gives this operation's ``status`` reply, if any."""
    content = documented_reply(case, status).get("content", {})
    schema = content.get("application/json", {}).get("schema")
    return dict(schema) if schema is not None else None


def check_body_is_documented(case: Any, response: Any) -> None:
    """A reply with a body names it in the document (schemathesis skips a reply with no
    ``content``: a client generated from the document would not know what comes)."""
    reply = documented_reply(case, response.status_code)
    if not reply or response.status_code == 204 or not response.content:
        return  # an undocumented status is status_code_conformance's to report
    # schemathesis' Response keeps every header as a list of values.
    media_type = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    assert reply.get("content"), (
        f"{response.status_code} replies {media_type or 'a body'}, but the document "
        "gives this reply no content"
    )


def conform(case: Any, response: Any) -> None:
    """Run schemathesis' conformance checks on a response; raise on any mismatch.

    schemathesis 4.32 cannot validate a tuple (``prefixItems``, what pydantic
    makes of ``tuple[int, float]``) in an OpenAPI 3.1 response: it rewrites it
    to draft-7 ``items: [...]`` and then validates with a Draft 2020-12
    validator, which rejects the schema itself (``InvalidSchema``). For those
    documents only, the body is validated here against the document's schema
    with a Draft 2020-12 validator (jsonschema_rs), and the other checks still run.
    """
    check_body_is_documented(case, response)
    try:
        case.validate_response(response, checks=CHECKS)
        return
    except InvalidSchema:
        schema = documented_schema(case, response.status_code)
        if schema is None or "prefixItems" not in json.dumps(resolve(schema)):
            raise
    case.validate_response(response, checks=[status_code_conformance, content_type_conformance])
    validator = jsonschema_rs.Draft202012Validator({**schema, "components": DOC["components"]})
    validator.validate(response.json())


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """A component schema by its ``$ref`` (one level: the models' own refs stay)."""
    ref = schema.get("$ref", "")
    if ref.startswith("#/components/schemas/"):
        return dict(DOC["components"]["schemas"][ref.rsplit("/", 1)[1]])
    return schema


def call_and_validate(w: World, call: Call, operation: Any) -> int:
    """Call one operation for real; raise unless it answers a 2xx that conforms."""
    args = call.make(w)
    headers = {**HEADERS, **args.pop("headers", {})}
    case = operation.Case(**args)
    extra: dict[str, Any] = {}
    if call.form is not None:
        extra["data"] = call.form(w)
    try:
        response = case.call(base_url=w.srv.url, headers=headers, timeout=30, **extra)
    finally:
        if call.after is not None:
            call.after(w)
    if not 200 <= response.status_code < 300:
        raise AssertionError(f"answered {response.status_code}: {response.text[:800]}")
    conform(case, response)
    return int(response.status_code)


def test_every_operation_answers_as_documented(world: World) -> None:
    ops = operations()
    validated: dict[str, int] = {}
    failures: dict[str, str] = {}
    for call in CALLS:
        try:
            validated[call.title] = call_and_validate(world, call, ops[call.label])
        # schemathesis reports check failures as a FailureGroup (a BaseExceptionGroup).
        except (Exception, BaseExceptionGroup) as e:  # every call is tried; all reported
            failures[call.title] = f"{type(e).__name__}: {e}"[:3000]
    print(f"\nvalidated with a 2xx ({len(validated)}):")
    for title, status in validated.items():
        print(f"  {status} {title}")
    print(f"excluded ({len(EXCLUDED)}): {json.dumps(EXCLUDED, indent=2)}")
    assert failures == {}, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    labels = {c.label for c in CALLS if c.title in validated}
    assert labels | set(EXCLUDED) == set(ops)
