"""A real JupyterHub (6.x, from PyPI) on loopback, with the Forgather service it manages.

The Hub runs in a subprocess with its own directory (database, cookie secret,
config, logs) and ports; configurable-http-proxy comes from npm
(scripts/setup-hub.sh installs it). An admin service with a token of ours
creates users and mints their tokens through the Hub's REST API, as an operator's
tooling would. The Forgather service is a managed service: the Hub starts it
(``forgather-lab hub-service``), gives it its environment and stops it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

SERVICE = "forgather"
PROXY_DIR_ENV = "FORGATHER_HUB_PROXY_DIR"
DEFAULT_PROXY_DIR = Path.home() / ".cache" / "forgather-lab" / "hub-proxy"
PASSWORD = "forgather-test-password"  # DummyAuthenticator's shared password (loopback test Hub)


def proxy_command() -> str | None:
    """configurable-http-proxy: where scripts/setup-hub.sh puts it, else on PATH."""
    root = Path(os.environ.get(PROXY_DIR_ENV) or DEFAULT_PROXY_DIR)
    local = root / "node_modules" / ".bin" / "configurable-http-proxy"
    if local.exists():
        return str(local)
    return shutil.which("configurable-http-proxy")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Hub:
    """Start and stop a JupyterHub whose managed service is the Forgather pool."""

    def __init__(self, base: Path, proxy: str, service_args: list[str]) -> None:
        self.base = base
        self.proxy = proxy
        self.state = base / "forgather-state"
        self.service_args = service_args
        self.admin_token = secrets.token_hex(16)
        self.port, self.hub_port, self.api_port, self.service_port = (free_port() for _ in range(4))
        self.url = f"http://127.0.0.1:{self.port}"
        self.service_url = f"{self.url}/services/{SERVICE}/"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = base / "hub.log"

    # -- life cycle -----------------------------------------------------------

    def config(self) -> str:
        """The jupyterhub_config.py: docs/jupyterhub.md's, on test ports and paths."""
        service_cmd = [
            sys.executable,
            "-m",
            "forgather_lab.cli",
            "hub-service",
            f"--ForgatherLab.state_dir={self.state}",
            *self.service_args,
        ]
        return f"""
c = get_config()  # noqa
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {self.port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {self.hub_port}
c.ConfigurableHTTPProxy.command = [{self.proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{self.api_port}"
c.JupyterHub.db_url = "sqlite:///{self.base}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{self.base}/jupyterhub_cookie_secret"
c.JupyterHub.pid_file = "{self.base}/jupyterhub.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {PASSWORD!r}
c.Authenticator.allow_all = True
c.Authenticator.admin_users = {{"boss"}}  # a Hub admin, from the start
c.JupyterHub.extra_user_scopes = [
    "access:services!service={SERVICE}",
    "read:services!service={SERVICE}",  # users' servers ask the Hub where the service is
]
# Users' own servers: local processes of the Hub's user (root here), their own state.
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{self.base}/home/{{username}}"
c.Spawner.cmd = [{str(Path(sys.executable).parent / "jupyterhub-singleuser")!r}]
c.Spawner.args = [
    "--allow-root",
    # No state_dir: Spawner.args are not templated; the default is under each user's HOME.
    "--ForgatherLab.gpu_backend=simulated",
    "--ForgatherLab.seed_examples=False",
    "--ForgatherLab.hub_service={SERVICE}",  # the users' servers use the shared pool
    "--LabApp.news_url=None",
    "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
]
c.Spawner.server_token_scopes = [
    "users:activity!user",
    "access:servers!server",
    "access:services!service={SERVICE}",
    "read:services!service={SERVICE}",  # where the service is (GET /hub/api/services/<name>)
]
c.JupyterHub.services = [
    {{
        "name": "{SERVICE}",
        "url": "http://127.0.0.1:{self.service_port}",
        "command": {service_cmd!r},
        "cwd": "{self.base}",
        "oauth_no_confirm": True,
    }},
    {{"name": "test-admin", "api_token": {self.admin_token!r}}},
]
c.JupyterHub.load_roles = [
    {{
        "name": "forgather",
        "services": ["{SERVICE}"],
        "scopes": ["read:users:name", "read:users:groups", "read:groups:name"],
    }},
    {{
        "name": "test-admin",
        "services": ["test-admin"],
        "scopes": ["admin:users", "admin:groups", "tokens", "admin:servers"],
    }},
]
"""

    def start(self, timeout: float = 60) -> Hub:
        """Start the Hub; returns once the Hub and the service answer through the proxy."""
        (self.base / "jupyterhub_config.py").write_text(self.config())
        env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTERHUB_")}
        env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
        log = self.log_path.open("ab")
        self.proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "jupyterhub"), "-f", "jupyterhub_config.py"],
            cwd=self.base,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the Hub exited ({self.proc.returncode}):\n{self.log()}")
            if self._answers():
                return self
            time.sleep(0.2)
        raise TimeoutError(f"the Hub and its service did not come up:\n{self.log()}")

    def _answers(self) -> bool:
        try:
            hub = httpx.get(f"{self.url}/hub/api/", timeout=2)
            # Anonymous: the service answers (a redirect to login) once it listens.
            svc = httpx.get(f"{self.service_url}forgather/api/health", timeout=2)
        except httpx.HTTPError:
            return False
        return hub.status_code == 200 and svc.status_code in {302, 403}

    def stop(self, timeout: float = 30) -> None:
        """SIGTERM the Hub (it stops its service and proxy) and wait."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self._signal_group(signal.SIGKILL)
                self.proc.wait(5)
        # A Hub that died (its service failed to start, say) leaves its proxy behind.
        self._signal_group(signal.SIGTERM)

    def _signal_group(self, sig: signal.Signals) -> None:
        assert self.proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)  # the Hub's own session: its proxy and service

    def log(self) -> str:
        """The Hub's log (its service's output included)."""
        return self.log_path.read_text(errors="replace")[-8000:]

    # -- the Hub's REST API, as an admin ---------------------------------------

    def admin(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A Hub API call with the admin service's token; raises on an error status."""
        r = httpx.request(
            method,
            f"{self.url}/hub/api/{path}",
            headers={"Authorization": f"token {self.admin_token}"},
            timeout=30,  # starting a server answers once it is up (or after 10 s, 202)
            **kwargs,
        )
        r.raise_for_status()
        return r

    def create_user(self, name: str) -> None:
        self.admin("POST", f"users/{name}")

    def token(self, user: str, scopes: list[str] | None = None) -> str:
        """A new Hub API token of ``user`` (all their permissions, or only ``scopes``)."""
        body: dict[str, Any] = {"note": "forgather test", "expires_in": 3600}
        if scopes is not None:
            body["scopes"] = scopes
        return str(self.admin("POST", f"users/{user}/tokens", json=body).json()["token"])

    def start_server(self, user: str, timeout: float = 90) -> dict[str, Any]:
        """Start ``user``'s single-user server and wait until the Hub says it is ready."""
        self.admin("POST", f"users/{user}/server")
        return self._wait_server(user, lambda s: bool(s and s.get("ready")), timeout)

    def stop_server(self, user: str, timeout: float = 60) -> None:
        """Stop ``user``'s server and wait until the Hub has none for them."""
        self.admin("DELETE", f"users/{user}/server")
        self._wait_server(user, lambda s: not s, timeout)

    def _wait_server(self, user: str, done: Any, timeout: float) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        server: dict[str, Any] = {}
        while time.monotonic() < deadline:
            server = self.admin("GET", f"users/{user}").json().get("servers", {}).get("", {})
            if done(server):
                return server
            time.sleep(0.5)
        raise TimeoutError(f"{user}'s server: {server}\n{self.log()}")

    # -- the service through the Hub's proxy ------------------------------------

    def api(
        self, method: str, path: str, token: str | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A call to ``/services/forgather/forgather/api/<path>`` through the proxy."""
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"token {token}"
        return httpx.request(
            method,
            f"{self.service_url}forgather/api/{path}",
            headers=headers,
            timeout=15,
            follow_redirects=False,
            **kwargs,
        )
