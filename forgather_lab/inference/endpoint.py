"""How a spawned server tells the supervisor where it listens.

A child binds port 0 (or the port it was told), then writes
``<job_dir>/endpoint.json`` atomically; the supervisor polls for that file and
then the health URL. The job directory is the one holding the launcher's
per-job token file (``FORGATHER_LAB_TOKEN_FILE``), so a child finds it without
an extra argument. The upstream bearer token the proxy injects lives next to
it in ``inference_token`` (0600), never in argv, the database or a log.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from .. import jobfiles as files

ENDPOINT_FILE = "endpoint.json"
UPSTREAM_TOKEN_FILE = "inference_token"  # noqa: S105 (a file name)


def job_dir_from_env(env: dict[str, str] | None = None) -> Path | None:
    """The job directory of the current process, when started by the launcher."""
    token_file = (env if env is not None else os.environ).get("FORGATHER_LAB_TOKEN_FILE")
    return Path(token_file).parent if token_file else None


def bind_host(default: str = "127.0.0.1", env: dict[str, str] | None = None) -> str:
    """Where a job's own server listens: ``default`` (loopback) unless it runs on an engine.

    A Slurm or Ray executor sets ``FORGATHER_LAB_BIND_HOST`` (``engine_bind_host``):
    ``node`` is the one address of this node that routes to the server's URL
    (the interface the server's proxy comes in by, not every interface), else
    a literal IP. A local job has no such variable and keeps loopback.
    """
    values = env if env is not None else os.environ
    wanted = values.get("FORGATHER_LAB_BIND_HOST", "").strip().strip("[]")
    if not wanted:
        return default
    if wanted != "node":
        return wanted
    return node_address(values.get("FORGATHER_LAB_URL", ""))


def node_address(server_url: str) -> str:
    """This machine's address on the route to ``server_url`` (its host name's, failing that)."""
    host = urlsplit(server_url).hostname
    if host:
        try:
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            port = urlsplit(server_url).port or 80
            with socket.socket(family, socket.SOCK_DGRAM) as probe:
                probe.connect((host, port))  # UDP: picks the route, sends nothing
                return str(probe.getsockname()[0])
        except (OSError, ValueError):
            pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"


def url_host(bound: str) -> str:
    """How a URL spells the bound address (``0.0.0.0`` is reached over loopback here)."""
    if bound in ("0.0.0.0", "::", ""):  # noqa: S104
        return "127.0.0.1"
    return f"[{bound}]" if ":" in bound else bound


def write_private(path: Path, text: str) -> None:
    """Write ``text`` to a new 0600 file, atomically (rename over the old one)."""
    files.write_private(path, text)


def new_upstream_token(job_dir: Path) -> Path:
    """Create the upstream bearer token file of a job; returns its path."""
    path = job_dir / UPSTREAM_TOKEN_FILE
    write_private(path, secrets.token_urlsafe(32))
    return path


@dataclass(frozen=True)
class Announcement:
    """What a child wrote to ``endpoint.json``: its API base and its health URL."""

    url: str
    health: str | None = None
    model: str | None = None


def write_endpoint(job_dir: Path, url: str, health: str, model: str | None = None) -> None:
    """Announce ``url`` (the API base, e.g. ``http://127.0.0.1:PORT/v1``) and its health URL."""
    payload = {"url": url, "health": health, "pid": os.getpid()}
    if model is not None:
        payload["model"] = model
    write_private(job_dir / ENDPOINT_FILE, json.dumps(payload))


def read_endpoint(job_dir: Path) -> Announcement | None:
    """The announced endpoint, or None while the child has not written it yet."""
    try:
        data = json.loads(files.read_text(job_dir / ENDPOINT_FILE))
    except (FileNotFoundError, ValueError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("url"), str):
        return None
    health, model = data.get("health"), data.get("model")
    return Announcement(
        url=data["url"],
        health=health if isinstance(health, str) else None,
        model=model if isinstance(model, str) else None,
    )


def read_upstream_token(job_dir: Path) -> str | None:
    """The token the proxy sends upstream for this job, if it has one."""
    try:
        return files.read_text(job_dir / UPSTREAM_TOKEN_FILE).strip() or None
    except FileNotFoundError:
        return None
