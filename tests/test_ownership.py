"""Ownership in hub mode against a real server: who may act on a job, and on the pool.

Alice, bob, an admin and carol (an admin through ``admin_groups``) are the test
IdentityProvider's users (``identity_helpers``). Every job-scoped operation of
the route table is swept: bob gets 403 on alice's job, before anything else.
"""

from __future__ import annotations

import asyncio
import re
import sys
from typing import Any

import pytest
from identity_helpers import auth, hub_server_config
from jobs_helpers import command, wait_for

from forgather_lab.handlers.routes import ROUTES

SLEEP = "import time; time.sleep(60)"

# Job-scoped operations anyone may call: seeing the job (as squeue shows it), and
# the routes that are not user calls (the job's own token; a view link's grant).
PUBLIC = {
    ("GET", "/jobs/{job_id}"),
    ("GET", "/jobs/{job_id}/history"),
    ("POST", "/jobs/{job_id}/callback"),
    ("POST", "/jobs/external/{job_id}/end"),
    *(
        (m, f"/{seg}/{{job_id}}/{{grant}}/{{path}}")
        for seg in ("tb-view", "docsite-view")
        for m in ("GET", "POST")
    ),
}
VERBS = ("get", "post", "put", "patch", "delete")
ACTIONS = ("save", "stop", "save-stop", "abort", "kill", "force-kill")


def job_operations() -> list[tuple[str, str]]:
    """(method, path) of every operation of the route table whose path names a job."""
    ops = []
    for route in ROUTES:
        if "{job_id}" not in route.path:
            continue
        for verb in VERBS:
            if callable(getattr(route.handler, verb, None)) and _defined(route.handler, verb):
                ops.append((verb.upper(), route.path))
    return ops


def _defined(handler: type, verb: str) -> bool:
    from forgather_lab.handlers.base import ForgatherHandler

    return getattr(handler, verb) is not getattr(ForgatherHandler, verb, None)


OWNED = [op for op in job_operations() if op not in PUBLIC]


@pytest.fixture
def forgather_config(state_dir: Any) -> dict[str, Any]:
    return {"state_dir": str(state_dir), "gpu_backend": "simulated", "simulated_gpus": 4}


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return hub_server_config(forgather_config)


@pytest.fixture
def api(api: Any) -> Any:
    """conftest's ``api``, as alice unless ``headers`` say who (the helpers poll as her)."""

    async def call(*parts: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return await api(*parts, headers=headers or auth("alice"), **kw)

    return call


def concrete(path: str, job_id: str) -> list[str]:
    """URL parts of ``path`` with the job filled in (``{action}`` → save, ``{path}`` → x)."""
    filled = path.replace("{job_id}", job_id).replace("{action}", "save")
    filled = re.sub(r"\{path\}", "x", filled)
    return [p for p in filled.split("/") if p]


async def submit(api: Any, user: str, body: dict[str, Any]) -> dict[str, Any]:
    status, job = await api("queue", method="POST", json_body=body, headers=auth(user))
    assert status == 201, job
    return job  # type: ignore[no-any-return]


def test_the_sweep_covers_every_control_and_log_operation() -> None:
    paths = {p for _, p in OWNED}
    for needed in (
        "/queue/{job_id}",
        "/jobs/{job_id}/control/{action}",
        "/jobs/{job_id}/tty",
        "/jobs/{job_id}/metrics",
        "/jobs/{job_id}/status",
        "/jobs/{job_id}/notebook",
        "/jobs/{job_id}/provenance",
        "/jobs/{job_id}/rerun",
        "/tb/{job_id}/{path}",
        "/docsite/{job_id}/{path}",
    ):
        assert needed in paths, (needed, sorted(paths))
    assert ("DELETE", "/jobs/{job_id}") in OWNED


async def test_health_names_the_caller_and_whether_they_are_admin(api: Any) -> None:
    for user, name, admin in (
        ("alice", "alice", False),
        ("bob", "bob", False),
        ("admin", "root", True),
        ("ops", "carol", True),
    ):
        status, health = await api("health", headers=auth(user))
        assert status == 200, health
        assert (health["mode"], health["user"], health["admin"]) == ("hub", name, admin)


async def test_unknown_tokens_are_refused(api: Any) -> None:
    status, _ = await api("health", headers={"Authorization": "token nobody"})
    assert status in (401, 403)


async def test_everyone_sees_every_job_with_its_owner(api: Any) -> None:
    job = await submit(api, "alice", command(SLEEP, gpus=1))
    assert job["owner"] == "alice"
    for user in ("bob", "alice", "admin"):
        status, listing = await api("jobs", headers=auth(user))
        assert status == 200
        assert [(j["id"], j["owner"]) for j in listing["jobs"]] == [(job["id"], "alice")]
        status, one = await api("jobs", job["id"], headers=auth(user))
        assert status == 200
        assert one["owner"] == "alice"
        status, _ = await api("jobs", job["id"], "history", headers=auth(user))
        assert status == 200
    await api("jobs", job["id"], "control", "kill", method="POST", headers=auth("alice"))


@pytest.mark.parametrize(("method", "path"), OWNED)
async def test_others_get_403_on_every_job_scoped_operation(
    api: Any, method: str, path: str
) -> None:
    # A running job with no reporter: an owner's save would be 409 "no reporter";
    # bob must hear 403 first, and nothing may change.
    job = await submit(api, "alice", command(SLEEP, gpus=1))
    job = await wait_for(api, job["id"], {"running"}, timeout=30)
    status, reply = await api(
        *concrete(path, job["id"]),
        method=method,
        json_body={} if method != "GET" else None,
        headers=auth("bob"),
    )
    assert status == 403, (method, path, status, reply)
    assert "alice" in reply["message"]
    assert reply["reason"] == "not_owner"
    status, after = await api("jobs", job["id"], headers=auth("bob"))
    assert (after["status"], after["priority"], after["name"]) == (
        "running",
        job["priority"],
        job["name"],
    )
    # The owner is answered by the endpoint itself (never the ownership 403).
    status, reply = await api(
        *concrete(path, job["id"]),
        method=method,
        json_body={} if method != "GET" else None,
        headers=auth("alice"),
    )
    assert status != 403 or reply.get("reason") != "not_owner", (method, path, reply)
    await api("jobs", job["id"], "control", "force-kill", method="POST", headers=auth("admin"))


@pytest.mark.parametrize("action", ACTIONS)
async def test_every_control_verb_is_the_owners_or_an_admins(api: Any, action: str) -> None:
    job = await submit(api, "alice", command(SLEEP))
    await wait_for(api, job["id"], {"running"}, timeout=30)
    status, reply = await api(
        "jobs", job["id"], "control", action, method="POST", headers=auth("bob")
    )
    assert status == 403, reply
    assert reply["reason"] == "not_owner"
    # The owner reaches the verb: kills work, trainer commands say "no reporter".
    status, reply = await api(
        "jobs", job["id"], "control", action, method="POST", headers=auth("alice")
    )
    assert status == (200 if "kill" in action else 409), reply
    if "kill" not in action:
        assert "reporter" in reply["message"]
        # An admin may too (carol through admin_groups).
        status, reply = await api(
            "jobs", job["id"], "control", "kill", method="POST", headers=auth("ops")
        )
        assert status == 200, reply
    await wait_for(api, job["id"], {"aborted", "failed", "cancelled", "done"}, timeout=30)


async def test_only_the_owner_or_an_admin_cancels_and_deletes(api: Any) -> None:
    status, _ = await api(
        "queue", "scheduler", method="POST", json_body={"enabled": False}, headers=auth("admin")
    )
    assert status == 200
    queued = await submit(api, "alice", command(SLEEP))
    status, _ = await api("queue", queued["id"], method="DELETE", headers=auth("bob"))
    assert status == 403
    status, _ = await api(
        "queue", queued["id"], method="PATCH", json_body={"priority": 9}, headers=auth("bob")
    )
    assert status == 403
    status, cancelled = await api("queue", queued["id"], method="DELETE", headers=auth("admin"))
    assert status == 200
    assert cancelled["status"] == "cancelled"
    status, _ = await api("jobs", queued["id"], method="DELETE", headers=auth("bob"))
    assert status == 403
    # Bob's cleanup removes bob's finished jobs only.
    status, cleaned = await api("jobs", "cleanup", method="POST", headers=auth("bob"))
    assert status == 200
    assert cleaned["removed_ids"] == []
    status, _ = await api("jobs", queued["id"], headers=auth("bob"))
    assert status == 200
    status, _ = await api("jobs", queued["id"], method="DELETE", headers=auth("alice"))
    assert status == 204


ADMIN_ONLY = [
    ("POST", ("queue", "scheduler"), {"enabled": False}),
    ("POST", ("gpus", "0", "policy"), {"disabled": True}),
    ("POST", ("gpus", "0", "kill"), {"confirmed": True}),
    ("POST", ("services",), {"type": "tensorboard", "name": "x", "params": {}}),
    ("DELETE", ("services", "tensorboard", "x"), None),
    ("POST", ("services", "tensorboard", "x", "enabled"), {"enabled": False}),
    ("POST", ("jobs", "gc"), None),
    ("POST", ("jobs", "external", "cleanup"), None),
]


@pytest.mark.parametrize(("method", "parts", "body"), ADMIN_ONLY)
async def test_pool_policy_is_for_admins(
    api: Any, method: str, parts: tuple[str, ...], body: Any
) -> None:
    status, reply = await api(*parts, method=method, json_body=body, headers=auth("alice"))
    assert status == 403, reply
    assert reply["reason"] == "admin_only"
    assert "admin" in reply["message"]
    for admin in ("admin", "ops"):
        status, reply = await api(*parts, method=method, json_body=body, headers=auth(admin))
        assert status != 403, (admin, parts, reply)
    status, _scheduler = await api("queue", "scheduler", headers=auth("alice"))
    assert status == 200


async def test_comparing_metrics_is_for_the_owner_of_every_job(api: Any) -> None:
    mine = await submit(api, "alice", command("pass"))
    theirs = await submit(api, "bob", command("pass"))
    both = f"{mine['id']},{theirs['id']}"
    status, reply = await api("metrics", "compare", params={"jobs": both}, headers=auth("alice"))
    assert status == 403, reply
    assert "bob" in reply["message"]
    status, _ = await api("metrics", "compare", params={"jobs": mine["id"]}, headers=auth("alice"))
    assert status == 200
    status, _ = await api("metrics", "compare", params={"jobs": both}, headers=auth("admin"))
    assert status == 200


async def test_a_rerun_belongs_to_whoever_asked_for_it(api: Any) -> None:
    job = await submit(api, "alice", command("pass"))
    await wait_for(api, job["id"], {"done"}, timeout=30)
    status, again = await api("jobs", job["id"], "rerun", method="POST", json_body={})
    assert status == 201, again
    assert again["owner"] == "alice"
    status, by_admin = await api(
        "jobs", job["id"], "rerun", method="POST", json_body={}, headers=auth("admin")
    )
    assert status == 201, by_admin
    assert by_admin["owner"] == "root"


async def test_an_external_trainer_belongs_to_whoever_registers_it(api: Any) -> None:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", "import time; time.sleep(30)")
    try:
        status, reg = await api(
            "jobs", "external", method="POST", json_body={"pid": proc.pid}, headers=auth("bob")
        )
        assert status == 201, reg
        assert reg["job"]["owner"] == "bob"
        status, listed = await api("jobs", reg["job"]["id"], headers=auth("alice"))
        assert listed["owner"] == "bob"
        status, reply = await api(
            "jobs", reg["job"]["id"], "control", "kill", method="POST", headers=auth("alice")
        )
        assert status == 403, reply
    finally:
        proc.kill()
        await proc.wait()
