"""Discovery order of ``Client()``: each source, with real files and environments.

Every case runs in a fresh Python process with an explicit environment, so
nothing here leaks into other tests and the real lookup (runtime files,
process ancestry) is what gets exercised.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = (
    "import json, sys\n"
    "from forgather_lab.client import discover, DiscoveryError\n"
    "try:\n"
    "    s = discover(*sys.argv[1:3]) if len(sys.argv) > 1 else discover()\n"
    "    print(json.dumps({'url': s.url, 'token': s.token, 'source': s.source}))\n"
    "except DiscoveryError as e:\n"
    "    print(json.dumps({'error': str(e)}))\n"
)
CLEAN = (
    "FORGATHER_LAB_URL",
    "FORGATHER_LAB_TOKEN",
    "JUPYTERHUB_API_TOKEN",
    "JUPYTERHUB_SERVICE_PREFIX",
    "JUPYTERHUB_SERVICE_URL",
    "JUPYTERHUB_API_URL",
)


def _discover(runtime: Path, *args: str, cwd: Path | None = None, **env: str) -> dict:
    base = {k: v for k, v in os.environ.items() if k not in CLEAN}
    base["JUPYTER_RUNTIME_DIR"] = str(runtime)
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env={**base, **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout)


def _server_file(runtime: Path, name: str, url: str, pid: int, **extra: object) -> Path:
    info = {"url": url, "token": f"tok-{name}", "pid": pid, "base_url": "/", **extra}
    path = runtime / f"jpserver-{name}.json"
    path.write_text(json.dumps(info))
    return path


@pytest.fixture
def runtime(tmp_path: Path) -> Path:
    d = tmp_path / "runtime"
    d.mkdir()
    return d


@pytest.fixture
def other_live_pid() -> int:
    """A live process that is not an ancestor of the discovering child."""
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    yield proc.pid
    proc.kill()
    proc.wait()


def test_nothing_found_names_where_it_looked(runtime: Path) -> None:
    out = _discover(runtime)
    assert "No Jupyter server found" in out["error"]
    assert str(runtime) in out["error"]


def test_explicit_url_wins_over_everything(runtime: Path) -> None:
    _server_file(runtime, "a", "http://127.0.0.1:1111/", os.getpid())
    out = _discover(
        runtime,
        "http://example:9/base",
        "tok",
        FORGATHER_LAB_URL="http://env:1/",
        JUPYTERHUB_API_TOKEN="h",
        JUPYTERHUB_SERVICE_URL="http://hub:2/",
    )
    assert out == {"url": "http://example:9/base/", "token": "tok", "source": "explicit"}


def test_explicit_url_takes_the_token_of_a_matching_running_server(runtime: Path) -> None:
    _server_file(runtime, "a", "http://127.0.0.1:1111/x/", os.getpid())
    out = _discover(runtime, "http://127.0.0.1:1111/x")
    assert out["token"] == "tok-a"


def test_env_beats_jupyterhub_and_runtime_files(runtime: Path) -> None:
    _server_file(runtime, "a", "http://127.0.0.1:1111/", os.getpid())
    out = _discover(
        runtime,
        FORGATHER_LAB_URL="http://env:8888/lab-base",
        FORGATHER_LAB_TOKEN="envtok",
        JUPYTERHUB_API_TOKEN="hubtok",
        JUPYTERHUB_SERVICE_URL="http://hub:2/user/me/",
    )
    assert out == {"url": "http://env:8888/lab-base/", "token": "envtok", "source": "env"}


def test_jupyterhub_service_url_and_api_token(runtime: Path) -> None:
    _server_file(runtime, "a", "http://127.0.0.1:1111/", os.getpid())
    out = _discover(
        runtime,
        JUPYTERHUB_API_TOKEN="hubtok",
        JUPYTERHUB_SERVICE_PREFIX="/user/me/",
        JUPYTERHUB_SERVICE_URL="http://127.0.0.1:5555/user/me/",
        JUPYTERHUB_API_URL="http://hub:8081/hub/api",
    )
    assert out == {
        "url": "http://127.0.0.1:5555/user/me/",
        "token": "hubtok",
        "source": "jupyterhub",
    }


def test_jupyterhub_prefix_matched_to_a_running_server(runtime: Path, other_live_pid: int) -> None:
    _server_file(runtime, "plain", "http://127.0.0.1:1111/", other_live_pid)
    _server_file(
        runtime, "hub", "http://127.0.0.1:2222/user/me/", other_live_pid, base_url="/user/me/"
    )
    out = _discover(runtime, JUPYTERHUB_API_TOKEN="hubtok", JUPYTERHUB_SERVICE_PREFIX="/user/me/")
    assert out == {
        "url": "http://127.0.0.1:2222/user/me/",
        "token": "hubtok",
        "source": "jupyterhub",
    }


def test_runtime_prefers_the_server_that_started_us(runtime: Path, other_live_pid: int) -> None:
    # The pytest process is the discovering child's parent: "the kernel's server".
    parent = _server_file(runtime, "parent", "http://127.0.0.1:1111/", os.getpid())
    newer = _server_file(runtime, "newer", "http://127.0.0.1:2222/", other_live_pid)
    os.utime(parent, (1, 1))  # make the parent's file the older one
    assert newer.exists()
    out = _discover(runtime)
    assert out == {
        "url": "http://127.0.0.1:1111/",
        "token": "tok-parent",
        "source": "runtime:jpserver-parent.json",
    }


def test_runtime_then_root_dir_holding_cwd_then_newest(
    runtime: Path, tmp_path: Path, other_live_pid: int
) -> None:
    project = tmp_path / "work" / "project"
    project.mkdir(parents=True)
    holder = _server_file(
        runtime, "holder", "http://127.0.0.1:1111/", other_live_pid, root_dir=str(tmp_path / "work")
    )
    _server_file(
        runtime, "elsewhere", "http://127.0.0.1:2222/", other_live_pid, root_dir="/nonexistent"
    )
    os.utime(holder, (1, 1))
    assert _discover(runtime, cwd=project)["url"] == "http://127.0.0.1:1111/"
    assert _discover(runtime, cwd=tmp_path)["url"] == "http://127.0.0.1:2222/"  # newest


def test_dead_and_broken_server_files_are_skipped(runtime: Path) -> None:
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    )
    _server_file(runtime, "dead", "http://127.0.0.1:1111/", int(dead.stdout))
    (runtime / "jpserver-broken.json").write_text("{not json")
    assert "No Jupyter server found" in _discover(runtime)["error"]
