"""Standalone (the default) is unchanged: no listener, no mDNS, nothing of them imported;
the cluster endpoints answer with this node alone. A node that cannot join says why."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config

from forgather_lab.models.cluster import DescribeCluster, ListClusterGpus


async def test_standalone_cluster_is_this_node_alone(api: Any, state_dir: Path) -> None:
    code, body = await api("cluster")
    assert code == 200, body
    view = DescribeCluster.model_validate(body)
    assert view.enabled is False
    assert view.name is None
    assert view.message is None
    (me,) = view.members
    assert me.node_id == view.self == view.master
    assert me.is_self
    assert me.is_master
    assert me.reachable
    assert me.port == 0  # no inter-node listener
    assert me.gpus.total == 4
    assert me.probe is not None
    assert me.probe.versions.python is not None
    assert (state_dir / "cluster" / "node_id").read_text().strip() == view.self

    code, body = await api("cluster", "gpus")
    assert code == 200
    gpus = ListClusterGpus.model_validate(body)
    assert {g.node_id for g in gpus.gpus} == {view.self}
    assert len(gpus.gpus) == 4

    code, body = await api(
        "cluster", "nodes", view.self, "gpus", "1", "policy", method="POST",
        json_body={"disabled": True},
    )  # fmt: skip
    assert code == 200, body
    code, body = await api("gpus")
    assert next(g for g in body["gpus"] if g["index"] == 1)["disabled"] is True
    code, body = await api(
        "cluster", "nodes", "someone-else", "gpus", "1", "policy", method="POST",
        json_body={"disabled": True},
    )  # fmt: skip
    assert code == 404
    assert body["reason"] == "no_such_node"
    code, body = await api(
        "cluster", "nodes", view.self, "gpus", "1", "policy", method="POST",
        json_body={"disabled": "yes"},
    )  # fmt: skip
    assert code == 400

    assert await api("cluster", "network") == (200, {"peers": [], "refreshed_at": None})
    code, body = await api("cluster", "network", "refresh", method="POST")
    assert (code, body["peers"]) == (200, [])


def test_standalone_imports_no_cluster_machinery(tmp_path: Path) -> None:
    code = f"""
import json, sys
import forgather_lab.app, forgather_lab.handlers.routes
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings
Runtime(ForgatherLabSettings(state_dir={str(tmp_path)!r}, gpu_backend="simulated"))
print(json.dumps(sorted(sys.modules)))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(out.stdout))
    assert {m.split(".")[0] for m in modules} & {"zeroconf", "cryptography", "ifaddr"} == set()
    heavy = {"discovery", "listener", "ca", "client", "peer_api", "tls", "network"}
    assert {m for m in modules if m.startswith("forgather_lab.cluster.")} & {
        f"forgather_lab.cluster.{m}" for m in heavy
    } == set()


class TestANodeThatCannotJoin:
    @pytest.fixture
    def forgather_config(self, state_dir: Path, tmp_path: Path) -> dict[str, Any]:
        return {
            "state_dir": str(state_dir),
            "gpu_backend": "simulated",
            "simulated_gpus": 2,
            "cluster": "lab",
            "cluster_tls_dir": str(tmp_path / "no-certificates-here"),
        }

    async def test_it_says_why_and_keeps_working_alone(self, api: Any) -> None:
        code, body = await api("cluster")
        assert code == 200, body
        assert body["enabled"] is True
        assert body["name"] == "lab"
        assert "Could not join cluster 'lab'" in body["message"]
        assert "lacks ca.crt, node.crt, node.key" in body["message"]
        assert [m["is_self"] for m in body["members"]] == [True]
        code, body = await api("health")
        assert code == 200
        assert body["status"] == "ok"


class TestInAHubsSharedPool:
    @pytest.fixture
    def jp_server_config(self, forgather_config: dict[str, Any]) -> dict[str, Any]:
        return hub_server_config(forgather_config)

    async def test_a_gpu_policy_anywhere_is_for_admins(self, api: Any) -> None:
        code, view = await api("cluster", headers=auth("alice"))
        assert code == 200  # anyone sees the cluster
        path = ("cluster", "nodes", view["self"], "gpus", "0", "policy")
        code, body = await api(*path, method="POST", json_body={"disabled": True},
                               headers=auth("alice"))  # fmt: skip
        assert code == 403
        assert body["reason"] == "admin_only"
        code, body = await api(*path, method="POST", json_body={"disabled": True},
                               headers=auth("admin"))  # fmt: skip
        assert code == 200, body
