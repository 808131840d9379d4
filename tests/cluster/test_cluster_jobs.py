"""One pool across network namespaces: any node's jobs from any node, over mutual TLS.

Two real Jupyter servers of cluster ``pool``, each in its own namespace on one
bridge, 4 simulated GPUs each. Every call a test makes goes to n1; what it
asks about lives on n2 (queued there through n1, followed, killed, cancelled
there through n1). The tests run in file order and share the nodes; the one
that stops n2 comes last. The last test needs no LAN: the peer side's checks of
the forwarded caller, over one in-process server's real services.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tornado.httpclient import HTTPRequest
from tornado.websocket import websocket_connect

from forgather_lab.cluster.peer_api import Node as PeerNode
from forgather_lab.cluster.peer_api import PeerApi
from forgather_lab.cluster.peer_jobs import PeerJobs
from forgather_lab.cluster.service import id_tag

from .conftest import cluster_args
from .lan import Lan
from .nodes import Node, joined

pytestmark = pytest.mark.timeout(120)

TERMINAL = {"done", "failed", "aborted", "cancelled"}


@pytest.fixture(scope="module")
def pool(lan: Lan, pki: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Node]]:
    """n1 and n2 of cluster ``pool``, each knowing the other (reachable) when yielded."""
    out = []
    for i, name in enumerate(("n1", "n2")):
        host = lan.add_host(f"p{name}", 20 + i)
        base = tmp_path_factory.mktemp(f"pool-{name}")
        out.append(Node(lan, host, base, *cluster_args(pki, name, "pool")))
    with joined(out):
        yield out


def command(code: str, **extra: Any) -> dict[str, Any]:
    return {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", code]}, **extra}


def wait_status(node: Node, job_id: str, statuses: set[str], timeout: float = 20) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    job: dict[str, Any] = {}
    while time.monotonic() < deadline:
        r = node.get("jobs", job_id)
        assert r.status_code == 200, r.text
        job = r.json()
        if job["status"] in statuses:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} stayed {job.get('status')}: {job}\n{node.log_tail()}")


def follow(node: Node, job_id: str) -> str:
    """Everything the follow socket of ``job_id`` on ``node`` sends until it closes."""

    async def read() -> str:
        url = node.url.replace("http://", "ws://", 1)
        request = HTTPRequest(
            f"{url}/forgather/api/jobs/{job_id}/tty?follow=1",
            headers={"Authorization": f"token {node.token}"},
        )
        ws = await websocket_connect(request)
        received = []
        while True:
            msg = await asyncio.wait_for(ws.read_message(), 20)
            if msg is None:
                break
            received.append(msg if isinstance(msg, str) else msg.decode())
        return "".join(received)

    return node.lan.in_client(lambda: asyncio.run(read()))


def test_a_job_queued_on_a_peer_is_followed_from_this_node(pool: list[Node]) -> None:
    n1, n2 = pool
    id1, id2 = n1.cluster()["self"], n2.cluster()["self"]
    code = "import time\nfor i in range(15):\n    print(f'tick {i}', flush=True); time.sleep(0.1)"
    r = n1.post("queue", json=command(code, node=id2))
    assert r.status_code == 201, r.text
    job = r.json()
    assert job["node"] == id2
    assert r.headers["X-Forgather-Placement"] == "asked for that node"
    # Created on n2 (its id carries n2's tag), not on n1, and owned by who asked on n1.
    assert job["id"].startswith(id_tag(id2))
    on_n2 = n2.get("jobs", job["id"])
    assert on_n2.status_code == 200
    assert on_n2.json()["owner"] == job["owner"] is not None
    assert n2.get("jobs").json()["jobs"][0]["id"] == job["id"]
    assert job["id"] not in {j["id"] for j in n1.get("jobs").json()["jobs"]}
    # n1 follows n2's job live: every line, and the socket closes when the job ends.
    text = follow(n1, job["id"])
    assert all(f"tick {i}\n" in text for i in range(15)), text
    assert wait_status(n1, job["id"], TERMINAL)["status"] == "done"
    tail = n1.get("jobs", job["id"], "tty")
    assert tail.status_code == 200
    assert "tick 14" in tail.text
    assert int(tail.headers["X-Log-Size"]) == len(n2.get("jobs", job["id"], "tty").content)
    metrics = n1.get("jobs", job["id"], "metrics")
    assert metrics.status_code == 200, metrics.text
    assert metrics.json() == {"series": {}}
    assert id_tag(id1) != id_tag(id2)


def test_a_peers_job_is_killed_and_cancelled_from_this_node(pool: list[Node]) -> None:
    n1, n2 = pool
    id2 = n2.cluster()["self"]
    sleeper = command("import time; time.sleep(60)", node=id2)
    killed, cancelled = (n1.post("queue", json=sleeper).json() for _ in range(2))
    for job in (killed, cancelled):
        wait_status(n1, job["id"], {"running"})
    r = n1.post("jobs", killed["id"], "control", "kill")
    assert r.status_code == 200, r.text
    assert r.json()["job"]["id"] == killed["id"]
    assert wait_status(n2, killed["id"], TERMINAL)["status"] in {"aborted", "failed"}
    r = n1.request("DELETE", "queue", cancelled["id"])
    assert r.status_code == 200, r.text
    assert wait_status(n2, cancelled["id"], TERMINAL)["status"] in {"aborted", "cancelled"}
    # An id no node has is a 404 here, quickly.
    t0 = time.monotonic()
    assert n1.get("jobs", "nosuchjob").status_code == 404
    assert n1.post("jobs", "nosuchjob", "control", "kill").status_code == 404
    assert time.monotonic() - t0 < 2.5


def test_any_queues_where_gpus_are_free(pool: list[Node]) -> None:
    n1, n2 = pool
    id1, id2 = n1.cluster()["self"], n2.cluster()["self"]
    # With n1's 4 GPUs taken, a 2-GPU job asked for "any" goes to n2.
    hog = n1.post("queue", json=command("import time; time.sleep(60)", requested_gpus=4))
    assert hog.status_code == 201, hog.text
    assert hog.json()["node"] == id1  # this node's own records carry its node_id too
    assert hog.json()["id"].startswith(id_tag(id1))
    wait_status(n1, hog.json()["id"], {"running"})
    r = n1.post("queue", json=command("print('placed')", requested_gpus=2, node="any"))
    assert r.status_code == 201, r.text
    assert r.json()["node"] == id2
    assert "idle GPUs fit" in r.headers["X-Forgather-Placement"]
    assert wait_status(n1, r.json()["id"], TERMINAL)["status"] == "done"
    # With n1 free again, "any" prefers this node (no forwarding) on a tie.
    n1.request("DELETE", "queue", hog.json()["id"])
    wait_status(n1, hog.json()["id"], TERMINAL)
    deadline = time.monotonic() + 10
    while n1.get("gpus").json()["gpus"][0]["reserved_by"] is not None:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    r = n1.post("queue", json=command("print('here')", requested_gpus=1, node="any"))
    assert r.status_code == 201, r.text
    assert r.json()["node"] == id1
    r = n1.post("queue", json=command("print('x')", node="not-a-node"))
    assert r.status_code == 404
    assert r.json()["reason"] == "no_such_node"


def test_cluster_scope_lists_every_node_and_says_which_is_unreachable(pool: list[Node]) -> None:
    n1, n2 = pool
    id1, id2 = n1.cluster()["self"], n2.cluster()["self"]
    listed = n1.get("jobs", params={"scope": "cluster"}).json()
    by_node = {j["node"] for j in listed["jobs"]}
    assert by_node == {id1, id2}
    assert {n["node_id"]: n["reachable"] for n in listed["nodes"]} == {id1: True, id2: True}
    assert listed["unreachable"] == []
    assert listed["total"] == sum(n["total"] for n in listed["nodes"])
    ids = [j["id"] for j in listed["jobs"]]
    assert len(ids) == len(set(ids))  # unique across the cluster
    created = [j["created_at"] for j in listed["jobs"]]
    assert created == sorted(created, reverse=True)
    theirs = next(j["id"] for j in listed["jobs"] if j["node"] == id2)
    # n2 hangs (SIGSTOP: connections open, nothing answers): no wait past the deadline.
    assert n2.proc is not None
    os.kill(n2.proc.pid, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        listed = n1.get("jobs", params={"scope": "cluster"}).json()
        assert time.monotonic() - t0 < 2.6
        assert {j["node"] for j in listed["jobs"]} == {id1}
        assert listed["unreachable"] == [id2]
        row = next(n for n in listed["nodes"] if n["node_id"] == id2)
        assert row["reachable"] is False
        assert row["message"]
        t0 = time.monotonic()
        r = n1.get("jobs", theirs)
        assert time.monotonic() - t0 < 2.6
        assert r.status_code == 503, r.text
        assert r.json()["reason"] == "peer_unreachable"
    finally:
        os.kill(n2.proc.pid, signal.SIGCONT)
    # Killed: refused at once, and then past the threshold not even asked.
    n2.kill9()
    t0 = time.monotonic()
    listed = n1.get("jobs", params={"scope": "cluster"}).json()
    assert time.monotonic() - t0 < 2.6
    assert listed["unreachable"] == [id2]
    assert listed["jobs"]
    n1.wait_member(id2, reachable=False, timeout=10)
    listed = n1.get("jobs", params={"scope": "cluster"}).json()
    assert listed["unreachable"] == [id2]
    assert next(n for n in listed["nodes"] if n["node_id"] == id2)["message"] == "unreachable"


async def test_the_peer_side_acts_only_for_the_jobs_owner_or_an_admin(
    api: Any, jp_serverapp: Any
) -> None:
    """The inter-node job operations over this server's real services (no LAN needed)."""
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    peer = PeerApi(PeerNode(_no_exchange, runtime.gpus.describe_pool, runtime.gpus.set_policy))
    peer.routes.extend(
        PeerJobs("me", runtime.cluster.local.jobs, runtime.gpus.describe_pool).routes()
    )

    async def call(method: str, path: str, body: Any = None) -> tuple[int, Any]:
        raw = json.dumps(body).encode() if body is not None else b""
        reply = await peer.handle(method, f"/peer/v1{path}", raw)
        return reply.status, json.loads(reply.body)

    alice = {"name": "alice", "admin": False, "node_id": "n-a"}
    sleeper = command("import time; time.sleep(30)")
    code, job = await call("POST", "/jobs", {"request": sleeper, "caller": alice})
    assert code == 200, job
    assert job["owner"] == "alice"
    assert job["node"] == "me"
    as_bob, as_alice = "as=bob&admin=0&from=n-b", "as=alice&admin=0&from=n-a"
    for method, path in [
        ("DELETE", f"/jobs/{job['id']}"),
        ("GET", f"/jobs/{job['id']}/tty"),
        ("GET", f"/jobs/{job['id']}/log"),
        ("GET", f"/jobs/{job['id']}/metrics"),
        ("POST", f"/jobs/{job['id']}/control/kill"),
    ]:
        code, body = await call(method, f"{path}?{as_bob}")
        assert (code, body["reason"]) == (403, "not_owner"), (path, body)
        code, body = await call(method, path)  # nobody named: refused, not assumed
        assert code == 400, (path, body)
    code, body = await call("GET", f"/jobs/{job['id']}/log?offset=0&{as_alice}")
    assert code == 200, body
    assert body["offset"] == 0
    code, body = await call("GET", f"/jobs/{job['id']}/metrics?max_points=1&{as_alice}")
    assert code == 400  # the query is validated as GET /jobs/{id}/metrics's
    code, body = await call("GET", "/load")
    assert code == 200
    assert body["usable_gpus"] == 4
    code, body = await call("DELETE", f"/jobs/{job['id']}?as=root&admin=1&from=n-c")  # an admin
    assert code == 200, body
    code, listed = await api("jobs", params={"scope": "cluster"})  # standalone: this node
    assert code == 200
    assert listed["unreachable"] == []
    assert [n["is_self"] for n in listed["nodes"]] == [True]
    code, body = await api("queue", method="POST", json_body={**sleeper, "node": "elsewhere"})
    assert (code, body["reason"]) == (404, "no_such_node")


async def _no_exchange(table: Any) -> Any:
    raise AssertionError("not a membership test")
