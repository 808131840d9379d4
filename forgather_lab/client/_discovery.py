"""Finding the Jupyter server that hosts Forgather Lab, so ``Client()`` needs no arguments.

The order, first match wins:

1. an explicit ``url`` (and ``token``) passed by the caller;
2. ``FORGATHER_LAB_URL`` / ``FORGATHER_LAB_TOKEN``;
3. JupyterHub's single-user environment (``JUPYTERHUB_SERVICE_URL`` or
   ``JUPYTERHUB_SERVICE_PREFIX`` with ``JUPYTERHUB_API_TOKEN``);
4. the Jupyter servers this user runs: the runtime directory's
   ``jpserver-*.json`` files. The server that started this process (a kernel's
   parent) wins, then the one whose root_dir holds the working directory, then
   the newest.

Reading the server files directly (rather than through
``jupyter_server.serverapp.list_running_servers``) keeps tornado out of a
kernel that only wants to talk to the server.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ._errors import DiscoveryError

ENV_URL = "FORGATHER_LAB_URL"
ENV_TOKEN = "FORGATHER_LAB_TOKEN"  # noqa: S105 - the variable's name, not a secret


@dataclass(frozen=True)
class ServerInfo:
    """Where the server is: ``url`` is the Jupyter base URL, ending in ``/``."""

    url: str
    token: str | None
    source: str  # "explicit" | "env" | "jupyterhub" | "runtime:<file>"

    @property
    def api_url(self) -> str:
        """The root of the Forgather API."""
        return self.url + "forgather/api/"

    def __repr__(self) -> str:  # never print the token
        token = "'***'" if self.token else "None"
        return f"ServerInfo(url={self.url!r}, token={token}, source={self.source!r})"


def discover(
    url: str | None = None,
    token: str | None = None,
    *,
    env: Mapping[str, str] | None = None,
    runtime_dir: str | Path | None = None,
) -> ServerInfo:
    """Find the server; raise ``DiscoveryError`` naming every place looked at."""
    env = os.environ if env is None else env
    if url:
        token = token or env.get(ENV_TOKEN) or _token_from_runtime(url, runtime_dir, env)
        return ServerInfo(_normal(url), token or None, "explicit")
    if env.get(ENV_URL):
        return ServerInfo(_normal(env[ENV_URL]), token or env.get(ENV_TOKEN) or None, "env")
    hub = _from_jupyterhub(env, runtime_dir)
    if hub is not None:
        return ServerInfo(hub.url, token or hub.token, hub.source)
    servers = running_servers(runtime_dir, env)
    if servers:
        best = _pick(servers)
        return ServerInfo(
            _normal(best["url"]), token or best.get("token") or None, f"runtime:{best['_file']}"
        )
    raise DiscoveryError(
        "No Jupyter server found: pass url=..., set FORGATHER_LAB_URL, or start "
        f"`jupyter lab` (looked in {_runtime_dir(runtime_dir, env)})"
    )


def running_servers(
    runtime_dir: str | Path | None = None, env: Mapping[str, str] | None = None
) -> list[dict[str, Any]]:
    """The server files of live Jupyter servers, newest first."""
    directory = _runtime_dir(runtime_dir, os.environ if env is None else env)
    found = []
    for path in sorted(directory.glob("jpserver-*.json"), key=_mtime, reverse=True):
        try:
            info = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # half-written or gone
        if not isinstance(info, dict) or not info.get("url") or not _alive(info.get("pid")):
            continue
        info["_file"] = path.name
        found.append(info)
    return found


def _from_jupyterhub(env: Mapping[str, str], runtime_dir: str | Path | None) -> ServerInfo | None:
    token = env.get("JUPYTERHUB_API_TOKEN")
    prefix = env.get("JUPYTERHUB_SERVICE_PREFIX")
    if not token or not (prefix or env.get("JUPYTERHUB_SERVICE_URL")):
        return None
    if env.get("JUPYTERHUB_SERVICE_URL"):
        # Set by JupyterHub >= 2 for the single-user server: the URL it listens on.
        return ServerInfo(_normal(env["JUPYTERHUB_SERVICE_URL"]), token, "jupyterhub")
    for info in running_servers(runtime_dir, env):
        if _normal(info.get("base_url") or "/") == _normal(prefix or "/"):
            return ServerInfo(_normal(info["url"]), token, "jupyterhub")
    return None


def _pick(servers: list[dict[str, Any]]) -> dict[str, Any]:
    ancestors = _ancestor_pids()
    for info in servers:
        if info.get("pid") in ancestors:
            return info
    cwd = Path.cwd().resolve()
    containing = [s for s in servers if s.get("root_dir") and _within(cwd, s["root_dir"])]
    if containing:
        return max(containing, key=lambda s: len(str(s["root_dir"])))
    return servers[0]


def _token_from_runtime(
    url: str, runtime_dir: str | Path | None, env: Mapping[str, str]
) -> str | None:
    """The token of the running server at ``url``, if it is one of ours."""
    for info in running_servers(runtime_dir, env):
        if _normal(info["url"]) == _normal(url):
            return info.get("token") or None
    return None


def _runtime_dir(runtime_dir: str | Path | None, env: Mapping[str, str]) -> Path:
    if runtime_dir is not None:
        return Path(runtime_dir)
    if env.get("JUPYTER_RUNTIME_DIR"):
        return Path(env["JUPYTER_RUNTIME_DIR"])
    from jupyter_core.paths import jupyter_runtime_dir

    return Path(jupyter_runtime_dir())


def _normal(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def _within(path: Path, root: str) -> bool:
    try:
        path.relative_to(Path(root).expanduser().resolve())
    except ValueError:
        return False
    return True


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _alive(pid: Any) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    import psutil

    return bool(psutil.pid_exists(pid))


def _ancestor_pids() -> set[int]:
    import psutil

    try:
        return {p.pid for p in psutil.Process().parents()}
    except psutil.Error:
        return {os.getppid()}
