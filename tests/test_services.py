"""Auto-start services: upsert / enable / disable / delete take effect at once,
a hand-started identical job counts as the service, and restarts never double-spawn."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from jobs_helpers import wait_for, wait_until
from server_process import ServerProcess

from forgather_lab.services.signature import signature

SLEEPER = ["import time", "time.sleep(600)"]


def sleeper_args(tag: str = "a") -> dict[str, Any]:
    return {"argv": [sys.executable, "-c", "\n".join([f"# {tag}", *SLEEPER])]}


def service(name: str = "s1", enabled: bool = True, tag: str = "a") -> dict[str, Any]:
    return {"type": "command", "name": name, "enabled": enabled, "args": sleeper_args(tag)}


async def live_jobs(api: Any) -> list[dict[str, Any]]:
    _, body = await api("jobs", params={"status": "queued,starting,running"})
    return body["jobs"]


async def test_upsert_starts_once_and_disable_stops(api: Any) -> None:
    status, svc = await api("services", method="POST", json_body=service())
    assert status == 200, svc
    assert svc["job_id"]
    assert svc["source"] == "user"
    job = await wait_for(api, svc["job_id"], {"running"})
    # The same declaration again starts nothing new.
    status, again = await api("services", method="POST", json_body=service())
    assert again["job_id"] == job["id"]
    assert len(await live_jobs(api)) == 1
    _, listed = await api("services")
    (row,) = listed["services"]
    assert row["running"] is True
    assert row["signature"] == signature("command", job["params"])

    status, off = await api(
        "services", "command", "s1", "enabled", method="POST", json_body={"enabled": False}
    )
    assert status == 200
    assert off["enabled"] is False
    await wait_for(api, job["id"], {"aborted", "cancelled"})
    assert await live_jobs(api) == []

    status, on = await api(
        "services", "command", "s1", "enabled", method="POST", json_body={"enabled": True}
    )
    assert on["job_id"] not in (None, job["id"])
    status, deleted = await api("services", "command", "s1", method="DELETE")
    assert deleted == {"deleted": True, "stopped_job_id": on["job_id"]}
    await wait_for(api, on["job_id"], {"aborted", "cancelled"})
    assert (await api("services", "command", "s1"))[0] == 404


async def test_hand_started_identical_job_counts(api: Any) -> None:
    status, job = await api(
        "queue", method="POST", json_body={"job_type": "command", "job_params": sleeper_args()}
    )
    assert status == 201
    await wait_for(api, job["id"], {"running"})
    _, svc = await api("services", method="POST", json_body=service())
    assert svc["job_id"] == job["id"]
    assert svc["running"] is True
    assert len(await live_jobs(api)) == 1
    # Changing the args replaces the instance at once.
    _, changed = await api("services", method="POST", json_body=service(tag="b"))
    assert changed["job_id"] != job["id"]
    await wait_for(api, job["id"], {"aborted"})
    await api("services", "command", "s1", method="DELETE")


async def test_bad_input(api: Any, tmp_path: Path) -> None:
    cases = [
        ({**service(), "type": "nope"}, "Unknown job_type"),
        ({**service(), "name": "bad name"}, "name"),
        ({**service(), "args": {}}, "argv"),
        ({"type": "inference", "name": "x", "args": {"model_path": str(tmp_path)}}, "config.json"),
        ({**service(), "surprise": 1}, "surprise"),
    ]
    for body, message in cases:
        status, reply = await api("services", method="POST", json_body=body)
        assert status == 400, (body, reply)
        assert message in reply["message"], reply
    assert (
        await api(
            "services", "command", "zzz", "enabled", method="POST", json_body={"enabled": True}
        )
    )[0] == 404
    assert (await api("services"))[1] == {"services": []}


class TestFromSettings:
    @pytest.fixture
    def forgather_config(self, forgather_config: dict[str, Any]) -> dict[str, Any]:
        services = {"command": {"fromcfg": {"enabled": True, "priority": 3, **sleeper_args()}}}
        return {**forgather_config, "services": services}

    async def test_settings_service_starts_and_cannot_be_deleted(self, api: Any) -> None:
        async def started() -> bool:
            return len(await live_jobs(api)) == 1

        await wait_until(started)
        _, listed = await api("services")
        (row,) = listed["services"]
        assert (row["name"], row["source"], row["priority"]) == ("fromcfg", "settings", 3)
        status, body = await api("services", "command", "fromcfg", method="DELETE")
        assert status == 403
        assert "ForgatherLab.services" in body["message"]
        # Disabling is stored and stops it; deleting that override restores the setting.
        _, _off = await api(
            "services", "command", "fromcfg", "enabled", method="POST", json_body={"enabled": False}
        )
        await wait_for(api, row["job_id"], {"aborted", "cancelled"})
        status, body = await api("services", "command", "fromcfg", method="DELETE")
        assert status == 200
        assert body["stopped_job_id"] is None


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    config = tmp_path / "jupyter_server_config.json"
    services = {"command": {"boot": {"enabled": True, **sleeper_args("boot")}}}
    config.write_text(json.dumps({"ForgatherLab": {"services": services}}))
    srv = ServerProcess(tmp_path, f"--config={config}")
    yield srv
    srv.stop()
    for proc in psutil.process_iter(["environ"]):  # leave no job behind
        try:
            if (proc.info["environ"] or {}).get("FORGATHER_LAB_URL", "").startswith(srv.url):
                proc.kill()
        except psutil.Error:
            pass


@pytest.mark.timeout(180)
def test_restart_never_double_spawns(server: ServerProcess) -> None:
    server.start()
    r = server.post("services", json=service("api"))
    assert r.status_code == 200, r.text
    listed = server.get("services").json()["services"]
    ids = {s["name"]: s["job_id"] for s in listed}
    assert set(ids) == {"api", "boot"}
    for job_id in ids.values():
        server.wait_job(job_id, {"running"})

    server.kill9()  # no shutdown hooks: the jobs keep running
    server.start()
    server.stop()  # a clean stop too
    server.start()
    listed = server.get("services").json()["services"]
    assert {s["name"]: s["job_id"] for s in listed} == ids
    assert all(s["running"] for s in listed)
    live = server.get("jobs", params={"status": "queued,starting,running"}).json()["jobs"]
    assert sorted(j["id"] for j in live) == sorted(ids.values())
    for job_id in ids.values():
        server.post("jobs", job_id, "control", "kill")
