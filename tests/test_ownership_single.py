"""Single mode (a user's own server, today's product): one user, an admin, owning every job."""

from __future__ import annotations

import getpass
from typing import Any

from jobs_helpers import command

from forgather_lab.handlers.base import server_user


async def test_health_says_single_mode_and_the_servers_user(api: Any) -> None:
    status, health = await api("health")
    assert status == 200
    assert (health["mode"], health["user"], health["admin"]) == ("single", getpass.getuser(), True)


async def test_jobs_are_owned_by_the_servers_os_user_whatever_the_token_user(api: Any) -> None:
    # Jupyter's token auth names each token request a random user: never the owner.
    status, job = await api("queue", method="POST", json_body=command("pass"))
    assert status == 201, job
    assert job["owner"] == server_user() == getpass.getuser()
    status, batch = await api(
        "queue", "batch", method="POST", json_body={"jobs": [command("pass"), command("pass")]}
    )
    assert status == 201, batch
    assert {j["owner"] for j in batch["jobs"]} == {getpass.getuser()}
    # Admin-only and owner-only operations all answer as before.
    status, _ = await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    assert status == 200
    status, _ = await api("jobs", job["id"], "metrics")
    assert status == 200
