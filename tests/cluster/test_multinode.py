"""Multi-node training across network namespaces: one torchrun per node, met at a rendezvous.

Two real Jupyter servers of cluster ``multi`` (each in its namespace, joined by
a bridge; the namespaces share the machine's hostname, so both /etc/hosts
pitfalls are live: c10d cannot tell which node hosts the store by its name,
and Gloo would publish an address peers cannot reach). A tiny project in a
directory both nodes search holds a DDP script: gloo on CPU, a Linear model,
a few steps. Every call goes to n1; rank 1 runs on n2.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import cluster_args
from .lan import Lan
from .nodes import Node, joined

pytestmark = pytest.mark.timeout(150)

META = """\
name: DDP
description: two ranks, gloo
config_prefix: configs
default_config: ddp.yaml
template_paths: []
"""

CONFIG = """\
meta:
  config_name: DDP
  config_class: type.training_script
dynamic_args:
  steps: {type: int, default: 3, help: "steps"}
  hold: {type: int, default: 0, help: "1: keep running after training"}
job:
  script: ddp.py
  args: {steps: "{{ steps }}", hold: "{{ hold }}"}
  nproc_per_node: 1
  gpus: 0
"""

SCRIPT = """\
import argparse, os, sys, time
import torch
import torch.distributed as dist

p = argparse.ArgumentParser()
p.add_argument("--steps", type=int)
p.add_argument("--hold", type=int)
a = p.parse_args()
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
print(f"joined rank={rank} world_size={world} iface={os.environ['GLOO_SOCKET_IFNAME']}", flush=True)
torch.manual_seed(0)
model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(4, 1))
opt = torch.optim.SGD(model.parameters(), lr=0.1)
torch.manual_seed(1 + rank)  # different data per rank: only the all-reduce keeps them equal
for step in range(a.steps):
    loss = model(torch.randn(8, 4)).pow(2).mean()
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"rank {rank} step {step} loss {loss.item():.4f}", flush=True)
w = model.module.weight.detach().clone()
seen = [torch.zeros_like(w) for _ in range(world)]
dist.all_gather(seen, w)
assert all(torch.equal(seen[0], s) for s in seen), seen
print(f"rank {rank} in sync", flush=True)
while a.hold:
    time.sleep(0.2)
# Every rank done with the group, then out without tearing gloo down: its teardown
# can abort the process at exit on a busy machine ("terminate called without an
# active exception", exit -6) after the work is done.
dist.barrier()
sys.stdout.flush()
os._exit(0)
"""


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project, at one path both nodes see (as a shared filesystem would give)."""
    root = tmp_path_factory.mktemp("shared")
    proj = root / "ddp"
    (proj / "configs").mkdir(parents=True)
    (proj / "meta.yaml").write_text(META)
    (proj / "configs" / "ddp.yaml").write_text(CONFIG)
    (proj / "ddp.py").write_text(SCRIPT)
    # A copy only n1 searches: a run of it fails on n2 after n1 queued its rank.
    mine = tmp_path_factory.mktemp("n1-only", numbered=False) / "ddp"
    shutil.copytree(proj, mine)
    return proj


@pytest.fixture(scope="module")
def pair(
    lan: Lan, pki: Path, project: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[list[Node]]:
    out = []
    roots = [
        f"--ForgatherLab.search_roots={project.parent}",
        "--ForgatherLab.allow_search_roots_outside_root_dir=True",
    ]
    for i, name in enumerate(("n1", "n2")):
        host = lan.add_host(f"m{name}", 30 + i)
        base = tmp_path_factory.mktemp(f"multi-{name}")
        own = [f"--ForgatherLab.search_roots={n1_only(project)}"] if name == "n1" else []
        out.append(Node(lan, host, base, *cluster_args(pki, name, "multi"), *roots, *own))
    with joined(out):
        yield out


def n1_only(project: Path) -> Path:
    return project.parent.parent / "n1-only"


def submit(n1: Node, project: Path, ids: list[str], **dynamic: Any) -> dict[str, Any]:
    body = {
        "project_dir": str(project),
        "config": "ddp.yaml",
        "dynamic_args": dynamic,
        "participants": [{"node_id": i, "gpus": 0} for i in ids],
        "rdzv_node": ids[0],
    }
    r = n1.post("cluster/jobs", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def wait_bundle(
    node: Node, bundle_id: str, statuses: set[str], timeout: float = 60
) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    seen: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = node.get("cluster/jobs", bundle_id)
        assert r.status_code == 200, r.text
        seen = r.json()
        if seen["status"] in statuses:
            return seen
        time.sleep(0.3)
    logs = "".join(
        f"\n--- rank {r['rank']}\n{node.get('jobs', r['job_id'], 'tty').text[-3000:]}"
        for r in seen.get("ranks", [])
    )
    raise AssertionError(f"bundle stayed {seen.get('status')}: {seen}{logs}")


def test_two_nodes_train_through_one_rendezvous(pair: list[Node], project: Path) -> None:
    n1, n2 = pair
    ids = [n1.cluster()["self"], n2.cluster()["self"]]
    bundle = submit(n1, project, ids)
    assert bundle["nnodes"] == 2
    assert bundle["rdzv"] == {"node_id": ids[0], "host": n1.host.address, "port": 29400}
    assert [(r["rank"], r["node_id"], r["iface"]) for r in bundle["ranks"]] == [
        (0, ids[0], "eth0"),
        (1, ids[1], "eth0"),
    ]
    rank0, rank1 = (r["job_id"] for r in bundle["ranks"])
    # Each rank is an ordinary job on its node, its argv torchrun in rendezvous mode.
    job1 = n2.get("jobs", rank1).json()
    argv = job1["params"]["distributed"]
    assert argv["is_host"] is False
    assert argv["node_rank"] == 1
    assert n1.get("jobs", rank0).json()["params"]["distributed"]["is_host"] is True

    done = wait_bundle(n1, bundle["id"], {"done", "failed", "cancelled"})
    logs = [n1.get("jobs", j, "tty").text for j in (rank0, rank1)]  # rank 1's over mTLS
    assert done["status"] == "done", f"{done}\n--- rank 0\n{logs[0]}\n--- rank 1\n{logs[1]}"
    assert [r["status"] for r in done["ranks"]] == ["done", "done"]
    for rank, text in enumerate(logs):
        assert f"joined rank={rank} world_size=2 iface=eth0" in text, text
        assert f"rank {rank} step 2" in text, text
        assert f"rank {rank} in sync" in text, text
    # Both nodes keep the bundle: n2 shows it (done) by itself.
    on_n2 = n2.get("cluster/jobs").json()["jobs"]
    assert [b["status"] for b in on_n2 if b["id"] == bundle["id"]] == ["done"]


def test_a_cancel_reaches_every_rank(pair: list[Node], project: Path) -> None:
    n1, n2 = pair
    ids = [n1.cluster()["self"], n2.cluster()["self"]]
    bundle = submit(n1, project, ids, steps=1, hold=1)
    rank1 = bundle["ranks"][1]["job_id"]
    # The previous bundle is over: its port is free again.
    assert bundle["rdzv"]["port"] == 29400
    deadline = time.monotonic() + 60
    seen = bundle
    while [r["status"] for r in seen["ranks"]] != ["running", "running"]:
        assert time.monotonic() < deadline, seen
        time.sleep(0.2)
        seen = n1.get("cluster/jobs", bundle["id"]).json()
    assert seen["status"] == "running"
    # Cancelled mid-run: both ranks have joined the process group and hold it.
    while "joined rank=1 world_size=2" not in n1.get("jobs", rank1, "tty").text:
        assert time.monotonic() < deadline, n1.get("jobs", rank1, "tty").text
        time.sleep(0.3)
    r = n1.post("cluster/jobs", bundle["id"], "cancel")
    assert r.status_code == 200, r.text
    over = wait_bundle(n1, bundle["id"], {"cancelled", "failed", "done"}, timeout=30)
    assert over["status"] == "cancelled", over
    assert [r["status"] for r in over["ranks"]] == ["cancelled", "cancelled"]
    assert n2.get("jobs", rank1).json()["status"] == "aborted"  # killed while running
    assert {b["id"] for b in n1.get("cluster/jobs").json()["jobs"]} >= {bundle["id"]}


def test_bad_submissions_create_nothing(pair: list[Node], project: Path) -> None:
    n1, n2 = pair
    ids = [n1.cluster()["self"], n2.cluster()["self"]]
    before = len(n1.get("cluster/jobs").json()["jobs"])
    base = {"project_dir": str(project), "config": "ddp.yaml", "rdzv_node": ids[0]}
    cases = [
        ({"participants": [{"node_id": "nope", "gpus": 0}], "rdzv_node": "nope"}, 404),
        ({"participants": [{"node_id": ids[0], "gpus": 0}] * 2}, 400),
        ({"participants": [{"node_id": ids[1], "gpus": 0}]}, 400),  # rdzv not a participant
        ({"participants": [{"node_id": ids[0], "gpus": 0, "iface": "ib7"}]}, 422),
        ({"participants": [{"node_id": ids[0], "gpus": 0}], "config": "none.yaml"}, 404),
    ]
    for over, status in cases:
        r = n1.post("cluster/jobs", json={**base, **over})
        assert r.status_code == status, (over, r.text)
        assert r.json()["message"]
    # A project n2 does not search: rank 0 was queued on n1, then cancelled when n2 refused.
    r = n1.post(
        "cluster/jobs",
        json={
            **base,
            "project_dir": str(n1_only(project) / "ddp"),
            "participants": [{"node_id": ids[0], "gpus": 0}, {"node_id": ids[1], "gpus": 0}],
        },
    )
    assert r.status_code == 403, r.text  # n2's own refusal, passed on
    assert "search roots" in r.json()["message"]
    assert len(n1.get("cluster/jobs").json()["jobs"]) == before
    latest = n1.get("jobs").json()["jobs"][0]
    assert latest["params"]["project_dir"] == str(n1_only(project) / "ddp")
    # Cancelled while queued, or killed if n1 had started it already (no GPUs to wait for).
    deadline = time.monotonic() + 20
    while latest["status"] not in {"cancelled", "aborted"}:
        assert time.monotonic() < deadline, latest
        time.sleep(0.2)
        latest = n1.get("jobs", latest["id"]).json()
