"""Shared fixtures: a real Jupyter server (pytest-jupyter) with the extension.

Tests change the extension's settings by overriding ``forgather_config``
(a dict of ForgatherLab traits) in their module, not by monkeypatching.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest_plugins = ["pytest_jupyter.jupyter_server"]

# `scripts/test` runs the suite on two pytest-xdist workers. A unit of work is a
# whole module (its module-scoped fixtures, a server or a trained model, are
# built once), or a whole suite where its modules share one expensive or
# machine-wide thing: a Lab and its browser, a Hub and its accounts, network
# namespaces, a Slurm and a Ray cluster.
SUITES = ("ui", "hub", "cluster", "engines")


def _unit(nodeid: str) -> str:
    path = nodeid.split("::")[0]
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[1] in SUITES else path


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The long suites first: they start at once, each on its worker, and the
    # modules fill in around them (a long suite last would be the run's tail).
    order = {name: i for i, name in enumerate(SUITES)}
    items.sort(key=lambda item: order.get(_unit(item.nodeid), len(SUITES)))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    from xdist.scheduler import LoadScopeScheduling

    class SuiteScheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            return _unit(nodeid)

    return SuiteScheduling(config, log)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The reliability suite's figures, merged from what each worker wrote.

    Here, not in tests/reliability/conftest.py: the xdist controller collects
    nothing, so this root conftest is the only one it loads.
    """
    if "PYTEST_XDIST_WORKER" in os.environ:
        return
    out = Path("test-artifacts/reliability")
    figures: dict[str, Any] = {}
    for part in sorted(out.glob("figures-*.json")):
        figures.update(json.loads(part.read_text()))
        part.unlink()
    if figures:
        terminalreporter.section("reliability figures")
        for name, value in figures.items():
            terminalreporter.write_line(f"{name}: {json.dumps(value)}")
        (out / "figures.json").write_text(json.dumps(figures, indent=2))


# One server subprocess for the whole session (tests that need a blocking client:
# CLI, Client, magics, widgets, notebooks). Defined here, once: a module binding
# the fixture itself would get its own "session" server, kept alive to the end.
from conftest_server import live_server  # noqa: E402, F401


@pytest.fixture
def state_dir(tmp_path: Path) -> Path:
    return tmp_path / "forgather-state"


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {"state_dir": str(state_dir), "gpu_backend": "simulated", "simulated_gpus": 4}


@pytest.fixture
def jp_server_config(forgather_config: dict[str, Any]) -> dict[str, Any]:
    return {
        "ServerApp": {"jpserver_extensions": {"forgather_lab": True}},
        "ForgatherLab": forgather_config,
    }


@pytest.fixture
def jp_serverapp(jp_serverapp: Any, jp_asyncio_loop: Any) -> Any:
    """pytest-jupyter's server, with its extensions *started* as ``jupyter lab`` does.

    pytest-jupyter stops after ``start_app()``; a real server then runs
    ``_post_start`` (each extension's ``_start_jupyter_server_extension``).
    """
    jp_asyncio_loop.run_until_complete(jp_serverapp._post_start())
    return jp_serverapp


@pytest.fixture
def api(jp_fetch: Any) -> Any:
    """``await api("jobs", method="POST", json={...})`` → (status, parsed JSON).

    Error statuses are returned, not raised, so tests can assert on them.
    """

    async def call(
        *parts: str,
        method: str = "GET",
        json_body: Any = None,
        params: dict[str, Any] | None = None,
        raw_body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        kwargs: dict[str, Any] = {"method": method, "raise_error": False}
        if json_body is not None:
            kwargs["body"] = json.dumps(json_body)
        elif raw_body is not None:
            kwargs["body"] = raw_body
        elif method in {"POST", "PUT", "PATCH"}:
            kwargs["body"] = b""
        if method == "DELETE" and "body" in kwargs:
            kwargs["allow_nonstandard_methods"] = True
        response = await jp_fetch(
            "forgather", "api", *parts, params=params, headers=headers, **kwargs
        )
        text = response.body.decode() if response.body else ""
        try:
            data = json.loads(text) if text else None
        except ValueError:
            data = text
        return response.code, data

    return call
