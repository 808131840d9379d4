"""Jobs run as their owners, behind a real JupyterHub: each Hub user's job is their account's.

One Hub manages two Forgather pools: ``forgather`` (run_as_owner on, a user_map
entry, no fallback) and ``forgather-off`` (run_as_owner off). The service runs
as root, as the test does; the local accounts are real (useradd), and the
Hub users are named like them, or mapped to one.
"""

from __future__ import annotations

import os
import pwd
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from .accounts import local_account, open_dir, requires_accounts, unique
from .conftest import SERVICE_ARGS
from .hub_process import Hub, free_port, proxy_command

pytestmark = [requires_accounts, pytest.mark.timeout(120)]

OFF = "forgather-off"  # the second pool: run_as_owner off
REPORT = 'id -un; echo "$HOME|$USER|$LOGNAME"; pwd'


class TwoPoolHub(Hub):
    """The harness's Hub, with a second Forgather service whose run_as_owner is off."""

    def __init__(self, base: Path, proxy: str, service_args: list[str]) -> None:
        super().__init__(base, proxy, service_args)
        self.off_port = free_port()
        self.off_state = base / "forgather-state-off"
        self.off_url = f"{self.url}/services/{OFF}/"

    def config(self) -> str:
        off_cmd = [
            *(sys.executable, "-m", "forgather_lab.cli", "hub-service"),
            f"--ForgatherLab.state_dir={self.off_state}",
            *SERVICE_ARGS,
            "--ForgatherLab.run_as_owner=False",
        ]
        return (
            super().config()
            + f"""
c.JupyterHub.extra_user_scopes.append("access:services!service={OFF}")
c.JupyterHub.services.append(
    {{"name": "{OFF}", "url": "http://127.0.0.1:{self.off_port}", "command": {off_cmd!r},
      "cwd": "{self.base}", "oauth_no_confirm": True}}
)
c.JupyterHub.load_roles[0]["services"].append("{OFF}")
"""
        )

    def off_api(self, method: str, path: str, token: str, **kwargs: Any) -> httpx.Response:
        """A call to the run-as-off pool, ``/services/forgather-off/forgather/api/<path>``."""
        return httpx.request(
            method,
            f"{self.off_url}forgather/api/{path}",
            headers={"Authorization": f"token {token}"},
            timeout=15,
            **kwargs,
        )


@pytest.fixture(scope="module")
def people() -> Iterator[dict[str, Any]]:
    """Two local accounts, and three Hub users: named like alice, mapped to carl, neither."""
    with local_account("alice") as alice, local_account("carl") as carl:
        users = {
            "alice": alice.pw_name,  # the Hub user named like her account
            "mapped": unique("hubcarl"),  # ForgatherLab.user_map sends it to carl
            "ghost": unique("ghost"),  # no account, no mapping
        }
        yield {"alice": alice, "carl": carl, "users": users}


@pytest.fixture(scope="module")
def hub(people: dict[str, Any]) -> Iterator[TwoPoolHub]:
    proxy = proxy_command()
    if proxy is None:
        message = "configurable-http-proxy is not installed: run scripts/setup-hub.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Not pytest's tmp (its user's alone): every user's job must reach the state directory.
    with open_dir("fgt-hub-") as base:
        mapping = f"{people['users']['mapped']}={people['carl'].pw_name}"
        hub = TwoPoolHub(base, proxy, [*SERVICE_ARGS, f"--ForgatherLab.user_map={mapping}"])
        try:
            hub.start()
            _wait_answers(hub)
            for name in people["users"].values():
                hub.create_user(name)
            yield hub
        finally:
            hub.stop()


@pytest.fixture(scope="module")
def tokens(hub: TwoPoolHub, people: dict[str, Any]) -> dict[str, str]:
    return {who: hub.token(name) for who, name in people["users"].items()}


def _wait_answers(hub: TwoPoolHub, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{hub.off_url}forgather/api/health", timeout=2).status_code in {302, 403}:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{OFF} did not come up:\n{hub.log()}")


def _queue(api: Any, token: str, argv: list[str], name: str = "run-as") -> str:
    body = {"job_type": "command", "name": name, "job_params": {"argv": argv}}
    r = api("POST", "queue", token, json={**body, "requested_gpus": 0})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _ended(api: Any, token: str, job_id: str, timeout: float = 30) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job: dict[str, Any] = api("GET", f"jobs/{job_id}", token).json()
        if job["status"] in {"done", "failed", "aborted", "cancelled"}:
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not end: {job}")


def test_health_says_jobs_run_as_their_owners(hub: TwoPoolHub, tokens: dict[str, str]) -> None:
    health = hub.api("GET", "health", tokens["alice"]).json()
    assert health["run_as_owner"] is True, health
    assert "their owner's local account" in health["run_as_reason"]
    assert "fail" in health["run_as_reason"]  # no fallback: said up front
    off = hub.off_api("GET", "health", tokens["alice"]).json()
    assert off["run_as_owner"] is False
    assert "run_as_owner is off" in off["run_as_reason"]


@pytest.mark.parametrize("who", ["alice", "mapped"])
def test_a_users_job_runs_as_their_account(
    hub: TwoPoolHub, tokens: dict[str, str], people: dict[str, Any], who: str
) -> None:
    account: pwd.struct_passwd = people["alice" if who == "alice" else "carl"]
    job_id = _queue(hub.api, tokens[who], ["/bin/sh", "-c", REPORT])
    job = _ended(hub.api, tokens[who], job_id)
    log = hub.state / "jobs" / job_id / "output.log"
    assert job["status"] == "done", (job, log.read_text())
    name, identity, cwd = log.read_text().splitlines()
    assert name == account.pw_name  # `id -un` is the owner's account (carl, for the mapped user)
    assert identity == f"{account.pw_dir}|{account.pw_name}|{account.pw_name}"
    assert cwd == account.pw_dir  # no cwd given: their home
    assert log.stat().st_uid == account.pw_uid  # so their own server can read it


def test_a_running_jobs_environment_holds_no_service_token(
    hub: TwoPoolHub, tokens: dict[str, str], people: dict[str, Any]
) -> None:
    job_id = _queue(hub.api, tokens["alice"], ["/bin/sleep", "60"])
    try:
        proc = _job_process(job_id)
        assert proc.uids().real == proc.uids().effective == people["alice"].pw_uid
        env = proc.environ()  # /proc/<pid>/environ, read as root
        assert env["USER"] == people["alice"].pw_name
        assert not [k for k in env if k.startswith("JUPYTERHUB_") or k == "JPY_API_TOKEN"], env
        service = next(
            p
            for p in psutil.Process(hub.proc.pid).children(recursive=True)  # type: ignore[union-attr]
            if f"--ForgatherLab.state_dir={hub.state}" in p.cmdline()
        )
        secret = service.environ()["JUPYTERHUB_API_TOKEN"]  # what the service holds
        assert secret not in "\0".join(f"{k}={v}" for k, v in env.items())
    finally:
        hub.api("DELETE", f"queue/{job_id}", tokens["alice"])
    assert _ended(hub.api, tokens["alice"], job_id)["status"] in {"aborted", "cancelled", "failed"}


def test_a_user_without_an_account_is_told_why_their_job_failed(
    hub: TwoPoolHub, tokens: dict[str, str], people: dict[str, Any]
) -> None:
    job = _ended(hub.api, tokens["ghost"], _queue(hub.api, tokens["ghost"], ["/bin/true"]))
    assert job["status"] == "failed"
    assert f"no local account {people['users']['ghost']!r}" in job["error"]
    assert "run_as_owner_fallback" in job["error"]


def test_with_run_as_owner_off_jobs_run_as_the_service(
    hub: TwoPoolHub, tokens: dict[str, str]
) -> None:
    job_id = _queue(hub.off_api, tokens["alice"], ["/bin/sh", "-c", REPORT])
    job = _ended(hub.off_api, tokens["alice"], job_id)
    log = hub.off_state / "jobs" / job_id / "output.log"
    assert job["status"] == "done", (job, log.read_text())
    assert log.read_text().splitlines()[0] == "root"
    assert log.stat().st_uid == 0


def _job_process(job_id: str, timeout: float = 20) -> psutil.Process:
    """The job's command (not its runner): the process marked with its id that runs sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in psutil.process_iter(["name"]):
            try:
                if p.info["name"] == "sleep" and p.environ().get("FORGATHER_LAB_JOB_ID") == job_id:
                    return p
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
        time.sleep(0.1)
    raise AssertionError(f"no process of job {job_id}")
