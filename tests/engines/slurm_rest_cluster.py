"""slurmrestd on the test Slurm: a JWT key for slurmctld, the REST daemon on loopback.

The cluster of ``slurm_cluster.py`` gets ``AuthAltTypes=auth/jwt`` with a 0600
key, so ``scontrol token`` mints tokens slurmctld accepts; slurmrestd runs with
``-a rest_auth/jwt`` (each request carries its user's token, as the executor
sends it) on a free loopback port, as an unprivileged user (it will not run as
root with JWT) and is stopped by the PID it was started with.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from .slurm_cluster import SlurmCluster, _free_port

BINARY = "slurmrestd"
JWT_PLUGIN = "auth_jwt.so"
RUN_AS = "nobody"


def missing_rest() -> list[str]:
    """What slurmrestd needs and this machine lacks (scripts/setup-engines.sh installs it)."""
    missing = []
    if shutil.which(BINARY) is None and not Path("/usr/sbin", BINARY).exists():
        missing.append(BINARY)
    if not any(Path(d).glob(f"**/{JWT_PLUGIN}") for d in ("/usr/lib", "/usr/lib64")):
        missing.append(f"{JWT_PLUGIN} (slurm-wlm-jwt-plugin)")
    return missing


def jwt_conf(key: Path) -> list[str]:
    """The slurm.conf lines that let slurmctld accept JWTs signed with ``key``."""
    return ["AuthAltTypes=auth/jwt", f"AuthAltParameters=jwt_key={key}"]


def write_jwt_key(root: Path) -> Path:
    """A random HS256 key, 0600 (slurmctld refuses a key others can read)."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    key = root / "jwt_hs256.key"
    fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(secrets.token_bytes(32))
    return key


@dataclass
class SlurmRest:
    """slurmrestd in front of ``cluster``; ``url`` once started."""

    cluster: SlurmCluster
    port: int = 0
    proc: subprocess.Popen[bytes] | None = None
    user: str = field(default_factory=lambda: pwd.getpwuid(os.getuid()).pw_name)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def token(self, lifespan: int = 3600) -> str:
        """A fresh JWT for ``user`` (``scontrol token``)."""
        out = self.cluster.run("scontrol", "token", f"username={self.user}", f"lifespan={lifespan}")
        return out.strip().split("=", 1)[1]

    def start(self, timeout: float = 30.0) -> None:
        """Start slurmrestd on a free loopback port; wait until it answers a token's ping."""
        binary = shutil.which(BINARY) or str(Path("/usr/sbin", BINARY))
        token = self.token()
        for _ in range(3):  # another process may take the port between probe and bind
            self.port = _free_port()
            argv = [binary, "-a", "rest_auth/jwt", "-s", "openapi/v0.0.38", "-u", RUN_AS]
            argv += ["-f", str(self.cluster.conf), f"127.0.0.1:{self.port}"]
            out = open(self.cluster.root / "log" / "slurmrestd.out", "ab")  # noqa: SIM115
            env = {**self.cluster.env, "SLURM_JWT": "daemon"}
            self.proc = subprocess.Popen(
                argv, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True
            )
            out.close()
            if self._wait_ready(token, timeout):
                return
            self.stop()
        log = (self.cluster.root / "log" / "slurmrestd.out").read_text(errors="replace")
        raise TimeoutError(f"slurmrestd did not answer: {log[-2000:]}")

    def _wait_ready(self, token: str, timeout: float) -> bool:
        headers = {"X-SLURM-USER-NAME": self.user, "X-SLURM-USER-TOKEN": token}
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is None or self.proc.poll() is not None:
                return False
            try:
                r = httpx.get(f"{self.url}/slurm/v0.0.38/ping", headers=headers, timeout=2)
                if r.status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return False

    def stop(self) -> None:
        """Stop slurmrestd (by its PID)."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.proc = None
