"""A path-escape sweep against a real server: every path-taking endpoint, every trick.

The endpoint list is derived from ``docs/openapi.json``: every operation with
a query, URL or body field named like a path (``path``, ``*_dir``,
``*_dir_name``, ``project``, ``config``, ``config_prefix``, ``default_config``,
``asset``, ``name``). Each such field is sent, one at a time and with valid
values elsewhere, a series of probes: ``..`` (three spellings), absolute
paths outside the roots (a file, a directory, ``/etc/passwd``,
``/proc/self/environ``, ``/``, a new path in the sentinel directory), ``~``
and an unknown ``~user``, a NUL byte, a newline, a very long path and a very
long name, and symlinks planted inside a project that lead outside (to a
directory, to a file, to the sentinel directory for writes, relative and
absolute). A path field must answer 4xx with a message.

Then files *inside* projects and runs that lead outside (``README.md``,
``meta.yaml``, ``workspace.yaml``, ``tty.log`` to ``/proc/self/environ``,
``metrics.jsonl``, ``meta.json``, ``results.json``, a symlinked ``runs/``,
templates, ``template_paths`` of ``/``, ``..`` and an absolute outside path,
a ``config_prefix`` that is a link) are read through every endpoint that
reads them. And the server's state directory is named through a symlink
and lies inside the search root: deleting it, a parent or a child is refused
and the server keeps its database.

Throughout: no reply may be a 5xx, no reply may hold anything planted
outside (file contents, the name of an outside directory, the server's
environment), the outside directory stays byte-for-byte the same and the
sentinel directory stays empty.

One module of some 540 lines: the planted tree, the probes and the checks
name each other throughout and read best together.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from projects_tree import make_tree, write
from server_process import ServerProcess

DOC = json.loads((Path(__file__).parents[2] / "docs" / "openapi.json").read_text())
SCHEMAS: dict[str, Any] = DOC["components"]["schemas"]
PATHISH = re.compile(r"(^|_)(path|dir|project|config|prefix|asset|name)(_|$)")

SECRET = "PLANTED-OUTSIDE-9f3c1d"
ENV_SECRET = "SERVER-ENV-SECRET-4b7e2a"
METRIC_STEP, METRIC_LOSS = "987654321", "0.123456789"
LEAKS = (SECRET, ENV_SECRET, METRIC_STEP, METRIC_LOSS)

# Fields named like paths that are not paths: display text (slugified into a
# directory name, or written into YAML) and the names of records in the state
# database. They are still probed (any 2xx or 4xx, never a 5xx, nothing outside
# touched), except a job's name: with valid other fields a job would run.
NOT_PATHS = {
    ("NewWorkspace_post", "name"),
    ("NewProject_post", "name"),
    ("InitWorkspace_post", "name"),
    *((op_id, "name") for op_id in ("Preset_get", "Preset_put", "Preset_delete")),
    *((op_id, "name") for op_id in ("Service_get", "Service_delete", "ServiceEnabled_post")),
    ("Services_post", "name"),
}
# Display names, not paths: an external trainer names itself as it likes.
NOT_PROBED = {("Queue_post", "name"), ("RegisterExternal_post", "name")}

# Valid values for the fields a probe does not replace.
EXTRA_BODY = {
    "SearchRoots_post": {"create": True},  # a refused root must not be created either
    "DeleteDir_post": {"confirmed": True},
    "DeleteFile_post": {"confirmed": True},
}


@dataclass
class Field:
    where: str  # query | path | body
    name: str
    not_path: bool


@dataclass
class Op:
    op_id: str
    method: str
    path: str
    fields: list[Field]
    required: dict[str, str] = field(default_factory=dict)  # name -> where


def _operations() -> list[Op]:
    ops = []
    for url, item in DOC["paths"].items():
        for method, op in item.items():
            fields, required = [], {}
            op_id = op["operationId"]
            for p in op.get("parameters", []):
                if p.get("required"):
                    required[p["name"]] = p["in"]
                if PATHISH.search(p["name"]):
                    fields.append(Field(p["in"], p["name"], (op_id, p["name"]) in NOT_PATHS))
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            ref = body.get("schema", {}).get("$ref", "")
            if ref:
                schema_name = ref.rsplit("/", 1)[-1]
                schema = SCHEMAS[schema_name]
                required |= {n: "body" for n in schema.get("required", [])}
                for n in schema.get("properties", {}):
                    if PATHISH.search(n) and (op_id, n) not in NOT_PROBED:
                        fields.append(Field("body", n, (op_id, n) in NOT_PATHS))
            if fields:
                ops.append(Op(op_id, method.upper(), url, fields, required))
    return ops


OPERATIONS = _operations()


def _tree_digest(path: Path) -> dict[str, str]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        for n in dirnames + filenames:
            p = Path(dirpath) / n
            rel = str(p.relative_to(path))
            if p.is_symlink():
                out[rel] = "link:" + os.readlink(p)
            elif p.is_dir():
                out[rel] = "dir"
            else:
                out[rel] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


@dataclass
class Lab:
    srv: ServerProcess
    client: httpx.Client
    base: Path
    root: Path
    outside: Path
    sentinel: Path
    state: Path
    t: dict[str, Path]
    outside_digest: dict[str, str]
    replies: int = 0

    def call(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        start = time.monotonic()
        r = self.client.request(method, url, **kwargs)
        took = time.monotonic() - start
        self.replies += 1
        where = f"{method} {url} {kwargs}"[:400]
        assert r.status_code < 500, (where, r.status_code, r.text[:400])
        for leak in LEAKS:
            assert leak not in r.text, (where, "leaked", leak, r.text[:400])
        assert took < 10, (where, f"took {took:.1f} s")  # never a walk of the filesystem
        return r

    def untouched(self) -> None:
        assert _tree_digest(self.outside) == self.outside_digest, "something changed outside"
        assert list(self.sentinel.iterdir()) == [], "something was written to the sentinel"
        assert (self.state / "forgather.db").is_file()


def _plant(root: Path, outside: Path, sentinel: Path) -> dict[str, Path]:
    t = make_tree(root)
    ws, alpha = t["ws"], t["alpha"]
    write(outside / "secret.txt", f"{SECRET}\n")
    write(outside / "secret.md", f"# {SECRET}\n\n{SECRET} paragraph\n")
    write(outside / "secret.yaml", f"name: {SECRET}\ndescription: {SECRET}\ntemplate_paths: []\n")
    write(outside / "meta.json", json.dumps({"step": 7, "saved_at": SECRET, "world_size": 2}))
    write(outside / "results.json", json.dumps({"accuracy": SECRET}))
    write(outside / "metrics.jsonl", json.dumps({"step": int(METRIC_STEP), "loss": 0.123456789}))
    write(outside / "run" / "tty.log", f"{SECRET}\n")
    (outside / "runs" / f"{SECRET}-run").mkdir(parents=True)
    links: dict[Path, Path] = {
        alpha / "link_file.txt": outside / "secret.txt",
        alpha / "img" / "leak.png": outside / "secret.txt",
        ws / "forgather_workspace" / "templates" / "evil.yaml": outside / "secret.yaml",
    }
    # The relative probes name these links: plant them in every directory a
    # relative name is taken from (root_dir, the workspace, the project, its
    # templates/ and configs/, and the directory a new project would go to).
    fresh = ws / "fresh-name"
    for base in (root, ws, alpha, alpha / "templates", alpha / "configs", fresh, fresh / "configs"):
        links |= {
            base / "link_dir": outside,
            base / "link_w": sentinel,
            base / "out": sentinel,
            base / "leak.yaml": outside / "secret.yaml",
        }
    out = alpha / "output_models" / "main"
    write(out / "runs" / "r_ok" / "tty.log", "fine\n")
    write(out / "runs" / "r_ok" / "metrics.jsonl", '{"step": 1, "loss": 2.5}\n')
    for run in ("r_secret", "r_env", "r_metrics"):
        (out / "runs" / run).mkdir(parents=True)
    (out / "checkpoints" / "step-3").mkdir(parents=True)
    (out / "evaluations" / "e1").mkdir(parents=True)
    (alpha / "output_models" / "linked").mkdir(parents=True)
    links |= {
        out / "runs" / "r_secret" / "tty.log": outside / "secret.txt",
        out / "runs" / "r_env" / "tty.log": Path("/proc/self/environ"),
        out / "runs" / "r_metrics" / "metrics.jsonl": outside / "metrics.jsonl",
        out / "runs" / "r_link": outside / "run",
        out / "checkpoints" / "step-3" / "meta.json": outside / "meta.json",
        out / "evaluations" / "e1" / "results.json": outside / "results.json",
        alpha / "output_models" / "linked" / "runs": outside / "runs",
    }
    write(alpha / "configs" / "evil_inc.yaml", '-- include "evil.yaml"\n')
    # Hostile projects and workspaces.
    ok_meta = "name: {n}\ndefault_config: c.yaml\n"
    for name, extra in [
        ("tp_root", 'template_paths: ["/"]\n'),
        ("tp_out", f"template_paths: [{json.dumps(str(outside))}]\n"),
        ("tp_up", 'template_paths: ["../../../../.."]\n'),
        ("prefix_link", "config_prefix: cfg\n"),
        ("readme_link", ""),
        ("meta_link", ""),
    ]:
        p = ws / name
        write(p / "meta.yaml", ok_meta.format(n=name) + extra)
        write(p / "configs" / "c.yaml", "meta: {config_name: C}\n")
    links |= {
        ws / "prefix_link" / "cfg": outside,
        ws / "readme_link" / "README.md": outside / "secret.md",
    }
    (ws / "meta_link" / "meta.yaml").unlink()
    links[ws / "meta_link" / "meta.yaml"] = outside / "secret.yaml"
    write(root / "ws_link" / "p" / "meta.yaml", "name: P\n")
    (root / "ws_link" / "forgather_workspace").mkdir(parents=True)
    links[root / "ws_link" / "forgather_workspace" / "workspace.yaml"] = outside / "secret.yaml"
    (root / "ws_readme" / "forgather_workspace").mkdir(parents=True)
    links[root / "ws_readme" / "README.md"] = outside / "secret.md"
    (root / "plain").mkdir()
    # The state directory lives in a project inside the search root.
    keeper = ws / "keeper"
    write(keeper / "meta.yaml", "name: Keeper\ndefault_config: k.yaml\n")
    write(keeper / "configs" / "k.yaml", "job: {script: run.py}\n")
    (keeper / "output_models" / "k" / "runs" / "old").mkdir(parents=True)
    (keeper / "state").mkdir()
    links[ws / "state_here"] = keeper / "state"
    for at, target in links.items():
        at.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, at)
    return {**t, "out": out, "keeper": keeper}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    base = tmp_path_factory.mktemp("escapes").resolve()
    root, outside, sentinel = base / "root", base / "outside", base / "sentinel"
    sentinel.mkdir()
    t = _plant(root, outside, sentinel)
    state = t["keeper"] / "state"
    os.symlink(state, base / "state")  # the server is told <base>/state: a link
    srv = ServerProcess(
        base,
        "--ForgatherLab.search_roots=.",
        "--ForgatherLab.seed_examples=False",
        env={"FORGATHER_PROBE_SECRET": ENV_SECRET},
    ).start()
    client = httpx.Client(
        base_url=srv.url, headers={"Authorization": f"token {srv.token}"}, timeout=30
    )
    lab = Lab(srv, client, base, root, outside, sentinel, state, t, _tree_digest(outside))
    try:
        yield lab
    finally:
        client.close()
        srv.stop()
        srv.kill_jobs()


def _valid(lab: Lab) -> dict[str, Any]:
    alpha = lab.t["alpha"]
    return {
        "project_dir": str(alpha),
        "config": "main.yaml",
        "asset": "img/pic.png",
        "output_dir": str(lab.t["out"]),
        "run_dir": str(lab.t["out"] / "runs" / "r_ok"),
        "path": str(alpha / "configs" / "main.yaml"),
        "workspace_dir": str(lab.t["ws"]),
        "parent_dir": str(lab.root),
        "name": "fresh-name",
        "kind": "template",
        "content": "x: 1\n",
        "values": {},
        "job_type": "training",
        "type": "inference",
        "enabled": True,
        "job_id": "no-such-job",
        "grant": "no-such-grant",
        "server_id": "no-such-server",
        "pid": os.getpid(),
        # A multi-node job (standalone here: refused as such, its paths never read).
        "participants": [{"node_id": "n1", "gpus": 0}],
        "rdzv_node": "n1",
    }


def _probes(lab: Lab) -> list[tuple[str, str]]:
    alpha, outside, sentinel = lab.t["alpha"], lab.outside, lab.sentinel
    return [
        ("dotdot", "../../../outside/secret.txt"),
        ("dotdot-inner", "ws/alpha/../../../outside"),
        ("dotdot-backslash", "..\\..\\..\\outside"),
        ("abs-outside-dir", str(outside)),
        ("abs-outside-file", str(outside / "secret.txt")),
        ("abs-sentinel-new", str(sentinel / "made" / "x.yaml")),
        ("etc-passwd", "/etc/passwd"),
        ("proc-environ", "/proc/self/environ"),
        ("fs-root", "/"),
        ("home", "~"),
        ("home-unknown-user", "~nobody-0x9f/x"),
        ("nul", "ws/alpha\x00/configs"),
        ("newline", "ws/alpha\n/x"),
        ("long-path", "x/" * 3000),
        ("long-name", "y" * 5000),
        ("link-dir", str(alpha / "link_dir")),
        ("link-dir-child", str(alpha / "link_dir" / "secret.txt")),
        ("link-file", str(alpha / "link_file.txt")),
        ("link-dir-rel", "link_dir/secret.txt"),
        ("link-sentinel-rel", "link_w/made/x"),
        ("link-sentinel-abs", str(alpha / "link_w" / "made")),
        ("link-out-rel", "out/new/x"),
        ("link-leak-rel", "leak.yaml"),
        ("link-state-dir", str(lab.t["ws"] / "state_here")),
    ]


def _request(lab: Lab, op: Op, probed: Field, value: str) -> tuple[str, dict[str, Any]]:
    valid = _valid(lab)
    query: dict[str, Any] = {}
    body: dict[str, Any] = dict(EXTRA_BODY.get(op.op_id, {}))
    url = op.path
    fill = dict(op.required)
    # Optional path fields get valid values too, so a probe of one meets a valid other.
    fill |= {f.name: f.where for f in op.fields if not f.not_path and f.name in valid}
    for name, where in fill.items():
        if name == probed.name and where == probed.where:
            continue
        if name not in valid:
            pytest.fail(f"{op.op_id}: add a valid value for the required field {name!r}")
        if where == "query":
            query[name] = valid[name]
        elif where == "body":
            body[name] = valid[name]
        else:
            url = url.replace("{" + name + "}", quote(str(valid[name]), safe=""))
    if probed.where == "query":
        query[probed.name] = value
    elif probed.where == "body":
        body[probed.name] = value
    else:
        url = url.replace("{" + probed.name + "}", quote(value, safe=""))
    kwargs: dict[str, Any] = {"params": query}
    if op.method in {"POST", "PUT"} or body:
        kwargs["json"] = body
    return url, kwargs


def test_the_sweep_covers_every_project_endpoint() -> None:
    ids = {op.op_id for op in OPERATIONS}
    # A sanity floor: the projects API alone has these path-taking operations.
    for op_id in [
        "ProjectDetail_get",
        "Readme_get",
        "Asset_get",
        "RunTty_get",
        "RunSummary_get",
        "TemplateSource_put",
        "NewTemplate_post",
        "NewProject_post",
        "DeleteDir_post",
        "DeleteFile_post",
        "SearchRoots_post",
    ]:
        assert op_id in ids, op_id
    assert len(OPERATIONS) >= 35


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.op_id)
def test_every_path_field_refuses_every_probe(lab: Lab, op: Op) -> None:
    if op.method == "GET" and op.path.startswith(
        ("/forgather/api/project", "/forgather/api/config", "/forgather/api/model")
    ):
        url, kwargs = _request(lab, op, Field("none", "", False), "")
        assert lab.call(op.method, url, **kwargs).status_code == 200  # the probes mean something
    for probed in op.fields:
        for label, value in _probes(lab):
            url, kwargs = _request(lab, op, probed, value)
            r = lab.call(op.method, url, **kwargs)
            if probed.not_path:
                continue  # not a path: any 2xx or 4xx; the outside checks below still hold
            where = (op.op_id, probed.name, label, r.status_code, r.text[:300])
            assert 400 <= r.status_code < 500, where
            if r.headers.get("Content-Type", "").startswith("application/json"):
                assert r.json().get("message"), where
    lab.untouched()


def _get(lab: Lab, endpoint: str, **params: Any) -> httpx.Response:
    return lab.call("GET", f"/forgather/api/{endpoint}", params=params)


PROJECT_GETS = [
    op.path.removeprefix("/forgather/api/")
    for op in OPERATIONS
    if op.method == "GET" and [f.name for f in op.fields][:1] == ["project_dir"]
]


README_ONLY = {"project/readme", "project/asset"}


@pytest.mark.parametrize(
    ("project", "answering"),
    [
        # meta.yaml refused: its template_paths or config_prefix lead out, or it is a link.
        ("ws/tp_root", set()),
        ("ws/tp_out", set()),
        ("ws/tp_up", set()),
        ("ws/prefix_link", set()),
        ("ws/meta_link", set()),
        # workspace.yaml is a link: everything that needs the workspace is refused
        # (the README does not: this project has none, so that answers ""; the
        # models list skips each config that cannot render, so it answers []; the
        # runs table reads the state database only, so it answers its rows).
        ("ws_link/p", {"project/readme", "project/models", "runs"}),
        # README.md is a link: only the README and it as an asset are refused.
        ("ws/readme_link", {"*"}),
    ],
)
def test_files_inside_projects_never_lead_reads_outside(
    lab: Lab, project: str, answering: set[str]
) -> None:
    assert len(PROJECT_GETS) >= 14
    path = str(lab.root / project)
    for endpoint in PROJECT_GETS:
        params = {"project_dir": path}
        if endpoint == "project/asset":
            params["asset"] = "README.md"
        r = _get(lab, endpoint, **params)
        ok = endpoint in answering or ("*" in answering and endpoint not in README_ONLY)
        if ok:
            assert r.status_code == 200, (project, endpoint, r.text[:300])
        else:
            assert 400 <= r.status_code < 500, (project, endpoint, r.text[:300])
            assert r.json()["message"]
    r = _get(lab, "projects")
    assert r.status_code == 200
    lab.untouched()


@pytest.mark.parametrize(
    ("endpoint", "params", "status"),
    [
        ("run/tty", {"run_dir": "runs/r_secret"}, 403),
        ("run/tty", {"run_dir": "runs/r_env"}, 403),  # /proc/self/environ
        ("run/summary", {"run_dir": "runs/r_metrics"}, 403),
        ("run/tty", {"run_dir": "runs/r_link"}, 403),
        ("run/summary", {"run_dir": "runs/r_link"}, 403),
        ("run/tty", {"run_dir": "runs/r_ok"}, 200),
        ("model/runs", {"output_dir": "."}, 200),
        ("model/checkpoints", {"output_dir": "."}, 200),
        ("model/evaluations", {"output_dir": "."}, 200),
        ("model/runs", {"output_dir": "../linked"}, 200),
        ("config/pp", {"config": "evil_inc.yaml"}, 400),
        ("config/raw", {"config": "leak.yaml"}, 403),
        ("project/asset", {"asset": "img/leak.png"}, 403),
        ("template/source", {"path": "../../forgather_workspace/templates/evil.yaml"}, 403),
        ("project/templates", {}, 200),
        ("projects", {}, 200),
    ],
)
def test_files_inside_runs_and_templates_never_lead_reads_outside(
    lab: Lab, endpoint: str, params: dict[str, str], status: int
) -> None:
    out, alpha = lab.t["out"], lab.t["alpha"]
    query: dict[str, str] = {}
    for key, value in params.items():
        if key in {"run_dir", "output_dir"}:
            query[key] = os.path.normpath(out / value)
        elif key == "path":
            query[key] = os.path.normpath(alpha / "configs" / value)
        else:
            query[key] = value
    if endpoint.startswith(("config/", "project/")):
        query["project_dir"] = str(alpha)
    r = _get(lab, endpoint, **query)
    assert r.status_code == status, (endpoint, query, r.text[:300])
    if endpoint == "model/checkpoints":
        assert r.json()["checkpoints"][0]["world_size"] is None  # the planted meta.json unread
    if endpoint == "model/evaluations":
        assert r.json()["evaluations"][0]["results"] is None
    lab.untouched()


def test_the_state_directory_named_through_a_link_is_never_deleted(lab: Lab) -> None:
    state, keeper, ws = lab.state, lab.t["keeper"], lab.t["ws"]
    (state / "jobs").mkdir(exist_ok=True)
    for path in (state, state / "jobs", keeper, ws, lab.base / "state"):
        r = lab.call(
            "POST", "/forgather/api/fs/delete-dir", json={"path": str(path), "confirmed": True}
        )
        assert 400 <= r.status_code < 500, (path, r.text)
        if path != lab.base / "state":
            assert r.json()["reason"] == "state_dir", r.text
    r = lab.call(
        "POST",
        "/forgather/api/fs/delete-file",
        json={"path": str(state / "forgather.db"), "confirmed": True},
    )
    assert r.status_code == 403
    r = lab.call(
        "POST",
        "/forgather/api/fs/delete-dir",
        json={"path": str(ws / "state_here"), "confirmed": True},
    )
    assert r.status_code == 400  # a link: never deleted through
    r = lab.call("POST", "/forgather/api/search-roots", json={"path": str(ws / "state_here")})
    assert r.status_code == 403
    # The database is the live one: a job goes through it end to end.
    r = lab.call(
        "POST",
        "/forgather/api/queue",
        json={"job_type": "command", "job_params": {"argv": [sys.executable, "-c", "pass"]}},
    )
    assert r.status_code == 201, r.text
    job = lab.srv.wait_job(r.json()["id"], {"done", "failed", "aborted"})
    assert job["status"] == "done", job
    assert Path(job["log_path"]).resolve().is_relative_to(state)
    # Clean Output still works beside it.
    target = keeper / "output_models" / "k"
    r = lab.call(
        "POST", "/forgather/api/fs/delete-dir", json={"path": str(target), "confirmed": True}
    )
    assert r.status_code == 200, r.text
    assert not target.exists()
    lab.untouched()
