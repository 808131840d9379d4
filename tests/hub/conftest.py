"""Fixtures: one real JupyterHub per module, its Forgather service, users and their tokens.

Skipped when configurable-http-proxy is missing (scripts/setup-hub.sh installs it);
under CI a missing proxy is a failure, since CI installs it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from .hub_process import Hub, proxy_command

SERVICE_ARGS = [
    "--ForgatherLab.gpu_backend=simulated",
    "--ForgatherLab.simulated_gpus=2",
    "--ForgatherLab.seed_examples=False",
    # The test machine runs everything as root; a real Hub runs the service as its own user.
    "--ServerApp.allow_root=True",
]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """A Hub on loopback with users alice, bob (plain) and boss (a Hub admin, from its config)."""
    yield from _running_hub(tmp_path_factory)


@pytest.fixture(scope="package")
def users_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    """One Hub for the modules about users' servers (their spawns are the slow part)."""
    yield from _running_hub(tmp_path_factory)


def _running_hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    proxy = proxy_command()
    if proxy is None:
        message = "configurable-http-proxy is not installed: run scripts/setup-hub.sh"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    base: Path = tmp_path_factory.mktemp("hub")
    hub = Hub(base, proxy, SERVICE_ARGS)
    try:
        hub.start()
        for name in ("alice", "bob"):
            hub.create_user(name)
        yield hub
    finally:
        hub.stop()


@pytest.fixture(scope="module")
def alice(hub: Hub) -> str:
    """Alice's Hub API token (all her permissions, the service's access included)."""
    return hub.token("alice")


@pytest.fixture(scope="module")
def bob(hub: Hub) -> str:
    """Bob's Hub API token."""
    return hub.token("bob")
