"""``forgather-lab hub-service``: the pool's runtime as a JupyterHub-managed service.

A Jupyter ``ServerApp`` is the host, so the extension's handlers, the
``Runtime`` and every ``--ForgatherLab.*`` setting are exactly the single-user
ones: the app loads the forgather_lab extension alone (with ``mode = "hub"``),
listens on ``JUPYTERHUB_SERVICE_URL`` under ``JUPYTERHUB_SERVICE_PREFIX`` (so the
API is ``/services/<name>/forgather/api/``) and takes its users from the Hub
(``identity.py``). It never writes its Hub token anywhere (no server info
file) and stops cleanly on SIGINT (the Hub's first signal) and SIGTERM.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from jupyter_server.serverapp import ServerApp
from traitlets import Instance, default

from .._version import __version__
from .identity import HubServiceAuthorizer, HubServiceIdentityProvider

EXTENSION = "forgather_lab"
REQUIRED_ENV = ("JUPYTERHUB_SERVICE_URL", "JUPYTERHUB_API_TOKEN", "JUPYTERHUB_API_URL")


class NotAHubService(RuntimeError):
    """The process was not started by a Hub (its service environment is missing)."""


@dataclass(frozen=True)
class HubEnvironment:
    """Where the Hub wants the service, from the environment it starts it with."""

    name: str
    ip: str
    port: int
    prefix: str
    client_id: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> HubEnvironment:
        """Read the Hub's variables; NotAHubService says which are missing or wrong."""
        missing = [k for k in REQUIRED_ENV if not environ.get(k)]
        if missing:
            raise NotAHubService(
                "Not started by JupyterHub: "
                + ", ".join(missing)
                + " unset (run it as a managed service: see docs/jupyterhub.md)"
            )
        url = urlsplit(environ["JUPYTERHUB_SERVICE_URL"])
        if url.scheme != "http" or not url.hostname or url.port is None:
            raise NotAHubService(
                f"JUPYTERHUB_SERVICE_URL must be http://HOST:PORT, not {url.geturl()!r}"
            )
        name = environ.get("JUPYTERHUB_SERVICE_NAME", "forgather")
        prefix = environ.get("JUPYTERHUB_SERVICE_PREFIX") or f"/services/{name}/"
        return cls(
            name=name,
            ip=url.hostname,
            port=url.port,
            prefix=prefix if prefix.endswith("/") else prefix + "/",
            client_id=environ.get("JUPYTERHUB_CLIENT_ID", f"service-{name}"),
        )


class HubServiceApp(ServerApp):
    """A Jupyter server that is only the Forgather API, for the users of a Hub."""

    name = "forgather-hub-service"
    description = __doc__ or ""
    version = __version__

    hub = Instance(HubEnvironment, help="Where the Hub wants the service (its environment).")

    @default("ip")
    def _default_ip(self) -> str:
        return self.hub.ip

    @default("port")
    def _default_port(self) -> int:
        return self.hub.port

    @default("port_retries")
    def _default_port_retries(self) -> int:
        return 0  # the Hub's proxy routes to this port and no other

    @default("base_url")
    def _default_base_url(self) -> str:
        return self.hub.prefix

    @default("open_browser")
    def _default_open_browser(self) -> bool:
        return False

    @default("identity_provider_class")
    def _default_identity_provider_class(self) -> type:
        return HubServiceIdentityProvider

    @default("authorizer_class")
    def _default_authorizer_class(self) -> type:
        return HubServiceAuthorizer

    @default("terminals_enabled")
    def _default_terminals_enabled(self) -> bool:
        return False

    def find_server_extensions(self) -> None:
        """The forgather_lab extension and no other (no Lab, LSP or terminals for Hub users)."""
        super().find_server_extensions()
        only = {name: name == EXTENSION for name in self.jpserver_extensions}
        only[EXTENSION] = True
        self.jpserver_extensions = only
        self.config.ServerApp.jpserver_extensions = dict(only)
        # Set here, after the command line and config files: the service is always a shared pool.
        self.config.ForgatherLab.mode = "hub"

    def init_webapp(self) -> None:
        """The web app, with the Hub's XSRF rules (as a single-user server has them)."""
        super().init_webapp()
        settings = self.web_app.settings
        # Tornado's own check runs before the Hub user is known, so it would refuse
        # token requests; Jupyter Server checks again once it is (HubOAuth's rules).
        settings["xsrf_cookies"] = False
        headers = settings.setdefault("headers", {})
        headers.setdefault("Content-Security-Policy", "frame-ancestors 'none'")

    @default("default_url")
    def _default_default_url(self) -> str:
        return "/login"  # the service's root: a browser logs in, then sees the API

    def init_signal(self) -> None:
        """SIGINT and SIGTERM both stop cleanly (the Hub sends SIGINT first).

        A service started from a background shell inherits SIGINT ignored, and
        ServerApp only handles it on a terminal (with a y/n prompt).
        """
        super().init_signal()
        signal.signal(signal.SIGINT, self._signal_stop)
        signal.signal(signal.SIGTERM, self._signal_stop)

    def write_server_info_file(self) -> None:
        """Nothing: the server info file would hold the service's Hub token."""

    def write_browser_open_files(self) -> None:
        """Nothing: no browser opens a service."""

    def remove_server_info_file(self) -> None:
        """Nothing was written."""

    def remove_browser_open_files(self) -> None:
        """Nothing was written."""


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run the service until the Hub stops it; 2 when not started by a Hub."""
    env = os.environ if environ is None else environ
    try:
        hub = HubEnvironment.from_environ(env)
    except NotAHubService as e:
        print(f"forgather-lab hub-service: error: {e}", file=sys.stderr, flush=True)
        return 2
    app = HubServiceApp.instance(hub=hub)
    app.initialize(list(argv) if argv is not None else None)
    app.start()
    return 0


__all__ = ["HubEnvironment", "HubServiceApp", "NotAHubService", "main"]
