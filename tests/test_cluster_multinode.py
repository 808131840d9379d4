"""Multi-node training's pure parts: rollup, interface derivation, validation, torchrun argv.

The two-node run itself (rendezvous across network namespaces) is in
tests/cluster/test_multinode.py; these need no cluster.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.cluster.bundles import BundleStore
from forgather_lab.cluster.multinode import (
    NodeView,
    Unprocessable,
    derive_iface,
    free_port,
    plan,
    rank_status,
    rollup,
    version_mismatches,
)
from forgather_lab.errors import BadRequest, Conflict, NotFound
from forgather_lab.jobs.kinds import CommandKind, ConfigKind
from forgather_lab.models.cluster import DescribeProbe, ProbeInterface, ProbeVersions
from forgather_lab.models.cluster_jobs import (
    CreateClusterJob,
    DescribeClusterJob,
    DescribeClusterRank,
    DescribeRendezvous,
)
from forgather_lab.models.jobs import CreateJob, DistributedLaunch
from forgather_lab.projects.job import JobSpec

LO = ProbeInterface(name="lo", address="127.0.0.1", netmask="255.0.0.0")


def probe(*ifaces: tuple[str, str], torch: str = "2.13.0") -> DescribeProbe:
    return DescribeProbe(
        versions=ProbeVersions(forgather_lab="0.1.0", python="3.12.3", torch=torch),
        interfaces=[LO, *(ProbeInterface(name=n, address=a) for n, a in ifaces)],
    )


def views(**over: Any) -> dict[str, NodeView]:
    a = NodeView("a", "alpha", ["10.0.0.1"], probe(("eth0", "10.0.0.1"), ("ib0", "10.9.0.1")), True)
    b = NodeView("b", "beta", ["10.0.0.2"], probe(("enp3s0", "10.0.0.2")), True)
    out = {"a": a, "b": b}
    out.update(over)
    return out


def request(**over: Any) -> CreateClusterJob:
    body: dict[str, Any] = {
        "project_dir": "/p",
        "config": "train.yaml",
        "participants": [{"node_id": "a", "gpus": 2}, {"node_id": "b", "gpus": 0}],
        "rdzv_node": "a",
    }
    body.update(over)
    return CreateClusterJob.model_validate(body)


# -- rollup ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        (["done", "done"], "done"),
        (["done", "queued"], "queued"),
        (["queued", "cancelled"], "cancelled"),
        (["cancelled", "running"], "running"),
        (["running", "failed"], "failed"),
        (["done", "failed", "cancelled"], "failed"),
        (["done", "unknown"], "unknown"),
        (["running", "unknown"], "running"),
        (["failed", "unknown"], "failed"),
        (["cancelled", "unknown", "queued"], "unknown"),
        ([], "unknown"),
    ],
)
def test_rollup_takes_the_first_of_failed_running_cancelled_queued_done(
    statuses: list[Any], expected: str
) -> None:
    assert rollup(statuses) == expected


def test_rank_status_maps_the_job_status() -> None:
    assert [rank_status(s) for s in ("queued", "starting", "running", "done")] == [
        "queued",
        "running",
        "running",
        "done",
    ]
    assert rank_status("failed") == "failed"
    assert rank_status("cancelled") == "cancelled"
    assert rank_status("aborted") == "cancelled"  # killed by a cancel
    assert rank_status("something new") == "unknown"


# -- interfaces, versions, ports --------------------------------------------------------


def test_the_interface_is_the_one_holding_the_advertised_address() -> None:
    ifaces = probe(("eth0", "10.0.0.1"), ("ib0", "10.9.0.1")).interfaces
    assert derive_iface(["10.9.0.1"], ifaces) == "ib0"
    assert derive_iface(["192.168.1.5", "10.0.0.1"], ifaces) == "eth0"
    assert derive_iface(["192.168.1.5"], ifaces) is None
    assert derive_iface([], ifaces) is None


def test_version_mismatches_name_each_node_value() -> None:
    same = {"a": probe(), "b": probe()}
    assert version_mismatches(same) == {}
    differ = version_mismatches({"a": probe(), "b": probe(torch="2.5.1"), "c": None})
    assert differ == {
        "torch": {"a": "2.13.0", "b": "2.5.1", "c": "?"},
        "forgather_lab": {"a": "0.1.0", "b": "0.1.0", "c": "?"},
        "python": {"a": "3.12.3", "b": "3.12.3", "c": "?"},
    }


def test_free_port_skips_the_ports_of_live_bundles() -> None:
    assert free_port([]) == 29400
    assert free_port([29400, 29401, 29403]) == 29402


# -- validation --------------------------------------------------------------------------


def test_a_plan_has_one_rendezvous_job_per_participant_in_order() -> None:
    rdzv, planned = plan(request(), views(), "cj-0123456789ab", 29401)
    assert (rdzv.node_id, rdzv.host, rdzv.port) == ("a", "10.0.0.1", 29401)
    jobs = [j for j, _ in planned]
    assert [j.node for j in jobs] == ["a", "b"]
    assert [j.requested_gpus for j in jobs] == [2, 0]
    d = [j.distributed for j in jobs]
    assert d[0] == DistributedLaunch(
        nnodes=2,
        node_rank=0,
        nproc_per_node=2,
        rdzv_endpoint="10.0.0.1:29401",
        rdzv_id="cj-0123456789ab",
        is_host=True,
        local_addr="10.0.0.1",
        iface="eth0",
    )
    assert d[1] is not None
    assert (d[1].node_rank, d[1].nproc_per_node, d[1].is_host) == (1, 1, False)
    assert (d[1].iface, d[1].local_addr) == ("enp3s0", "10.0.0.2")
    assert [r.rank for _, r in planned] == [0, 1]


def test_a_named_interface_is_used_and_the_rendezvous_host_follows_it() -> None:
    req = request(
        participants=[{"node_id": "a", "gpus": 1, "iface": "ib0"}, {"node_id": "b", "gpus": 1}]
    )
    rdzv, planned = plan(req, views(), "cj-0123456789ab", 29400)
    assert rdzv.host == "10.9.0.1"
    assert planned[0][0].distributed is not None
    assert planned[0][0].distributed.iface == "ib0"


@pytest.mark.parametrize(
    ("over", "views_over", "error", "words"),
    [
        ({"participants": [{"node_id": "a", "gpus": 1}] * 2}, {}, BadRequest, "more than once"),
        ({"participants": [{"node_id": "zz", "gpus": 1}]}, {}, NotFound, "zz"),
        (
            {"rdzv_node": "b", "participants": [{"node_id": "a", "gpus": 1}]},
            {},
            BadRequest,
            "not one of",
        ),
        (
            {},
            {"b": NodeView("b", "beta", ["10.0.0.2"], probe(("enp3s0", "10.0.0.2")), False)},
            Unprocessable,
            "unreachable",
        ),
        (
            {},
            {
                "b": NodeView(
                    "b", "beta", ["10.0.0.2"], probe(("enp3s0", "10.0.0.2"), torch="2.5.1"), True
                )
            },
            Conflict,
            "torch",
        ),
        (
            {"allow_version_mismatch": True},
            {"b": NodeView("b", "beta", ["10.0.0.2"], None, True)},
            Unprocessable,
            "interface",
        ),
        (
            {},
            {"b": NodeView("b", "beta", ["10.0.0.7"], probe(("enp3s0", "10.0.0.2")), True)},
            Unprocessable,
            "10.0.0.7",
        ),
        (
            {"participants": [{"node_id": "a", "gpus": 1, "iface": "wlan9"}]},
            {},
            Unprocessable,
            "no interface wlan9",
        ),
    ],
)
def test_bad_requests_are_refused_with_a_message(
    over: dict[str, Any], views_over: dict[str, NodeView], error: type[Exception], words: str
) -> None:
    with pytest.raises(error, match=words):
        plan(request(**over), views(**views_over), "cj-0123456789ab", 29400)


def test_a_version_mismatch_may_be_allowed() -> None:
    b = NodeView("b", "beta", ["10.0.0.2"], probe(("enp3s0", "10.0.0.2"), torch="2.5.1"), True)
    _, planned = plan(request(allow_version_mismatch=True), views(b=b), "cj-0123456789ab", 29400)
    assert len(planned) == 2


# -- the launch ---------------------------------------------------------------------------


def spec(tmp_path: Path) -> JobSpec:
    return JobSpec(
        script=tmp_path / "train.py",
        module=None,
        args=["--steps", "3"],
        nproc_per_node="gpu",
        gpus=0,
        output_dir=tmp_path / "out",
        cwd=tmp_path,
        env={"A": "1"},
    )


LAUNCH = DistributedLaunch(
    nnodes=2,
    node_rank=1,
    nproc_per_node=4,
    rdzv_endpoint="10.0.0.1:29400",
    rdzv_id="cj-0123456789ab",
    is_host=False,
    local_addr="10.0.0.2",
    iface="eth0",
)


def test_the_argv_is_torchrun_in_rendezvous_mode(tmp_path: Path) -> None:
    argv = spec(tmp_path).argv(distributed=LAUNCH, python="py")
    assert argv == [
        *("py", "-m", "torch.distributed.run"),
        *("--nnodes", "2", "--node-rank", "1", "--rdzv-backend=c10d"),
        *("--rdzv-endpoint", "10.0.0.1:29400", "--rdzv-id", "cj-0123456789ab"),
        *("--nproc-per-node", "4", "--rdzv-conf", "is_host=false"),
        *("--local-addr", "10.0.0.2"),
        str(tmp_path / "train.py"),
        *("--steps", "3"),
    ]
    host = LAUNCH.model_copy(update={"is_host": True})
    assert "is_host=true" in spec(tmp_path).argv(distributed=host)


def test_the_config_kind_launches_it_with_every_socket_pinned(tmp_path: Path) -> None:
    params = {"job": spec(tmp_path).as_dict(), "distributed": LAUNCH.model_dump(mode="json")}
    launch = ConfigKind("training", multi_process=True).launch_spec(params, [])
    assert launch.argv[:3] == [sys.executable, "-m", "torch.distributed.run"]
    assert "--standalone" not in launch.argv
    assert launch.env == {
        "A": "1",
        "NCCL_SOCKET_IFNAME": "eth0",
        "GLOO_SOCKET_IFNAME": "eth0",
        "TP_SOCKET_IFNAME": "eth0",
    }
    # Without it, the standalone launch is as before.
    plain = ConfigKind("training", multi_process=True).launch_spec({"job": params["job"]}, [0, 1])
    assert plain.argv[3:5] == ["--standalone", "--nproc-per-node=2"]
    assert plain.env == {"A": "1"}


def test_distributed_is_refused_for_commands() -> None:
    req = CreateJob.model_validate(
        {
            "job_type": "command",
            "job_params": {"argv": ["true"]},
            "distributed": LAUNCH.model_dump(),
        }
    )
    with pytest.raises(BadRequest, match="training jobs"):
        CommandKind().prepare(req, None)


# -- the bundle store, and standalone ------------------------------------------------------


def bundle(bundle_id: str, created: float) -> DescribeClusterJob:
    return DescribeClusterJob(
        id=bundle_id,
        name="n",
        project_dir="/p",
        config="c.yaml",
        dynamic_args={},
        created=created,
        owner="ann",
        nnodes=1,
        rdzv=DescribeRendezvous(node_id="a", host="10.0.0.1", port=29400),
        status="queued",
        ranks=[
            DescribeClusterRank(
                rank=0, node_id="a", job_id="j1", gpus=0, iface="eth0", status="queued"
            )
        ],
    )


def test_the_store_keeps_one_private_file_per_bundle(tmp_path: Path) -> None:
    store = BundleStore(tmp_path)
    assert store.all() == []
    assert not (tmp_path / "cluster").exists()  # a read creates nothing
    store.put(bundle("cj-00000000000a", 1.0))
    store.put(bundle("cj-00000000000b", 2.0))
    assert [b.id for b in store.all()] == ["cj-00000000000b", "cj-00000000000a"]
    path = tmp_path / "cluster" / "bundles" / "cj-00000000000a.json"
    assert path.stat().st_mode & 0o777 == 0o600
    got = store.get("cj-00000000000a")
    assert got is not None
    assert got.owner == "ann"
    assert store.get("../../etc/passwd") is None
    with pytest.raises(BadRequest):
        store.put(bundle("../evil", 3.0))
    store.delete("cj-00000000000a")
    assert [b.id for b in store.all()] == ["cj-00000000000b"]


async def test_standalone_has_no_multinode_jobs(api: Any) -> None:
    code, body = await api("cluster", "jobs")
    assert code == 200, body
    assert body == {"jobs": []}
    code, body = await api(
        "cluster",
        "jobs",
        method="POST",
        json_body={
            "project_dir": "/p",
            "config": "c.yaml",
            "participants": [{"node_id": "x", "gpus": 0}],
            "rdzv_node": "x",
        },
    )
    assert code == 409, body
    assert body["reason"] == "cluster_disabled"
    code, body = await api("cluster", "jobs", "cj-00000000000a")
    assert code == 404, body
    code, body = await api("cluster", "jobs", method="POST", json_body={"config": "c.yaml"})
    assert code == 400, body
    code, body = await api(
        "cluster",
        "jobs",
        method="POST",
        json_body={
            "project_dir": "/p",
            "config": "c.yaml",
            "participants": [{"node_id": "x", "gpus": -1}],
            "rdzv_node": "x",
        },
    )
    assert code == 400, body
