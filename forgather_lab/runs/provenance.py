"""What a run was made from, captured once its process runs (sync: call it in a thread).

``capture`` reads everything from the job record and the launch spec its
kind builds (the same argv, cwd and env the runner was handed), plus the
git state of the working directory, the interpreter's packages, the host
and the job's GPUs. It never records an environment *value*: ``env_keys``
are names, and as a second guard every string of the record is scrubbed of
the values of secret-looking variables (``*TOKEN*``, ``*SECRET*``, ...) of
the server's and the job's environment, should one reach argv or a config.

Packages come from the job's own interpreter when its argv[0] is a Python
(a command job may run another virtualenv's): a ``python -c`` asking
``importlib.metadata`` with the job's environment and a timeout. When that
interpreter is the server's own, the server's metadata is read in-process
(the usual case: config jobs run ``sys.executable``); anything else (a shell
script, a binary) falls back to the server's environment and says so.
"""

from __future__ import annotations

import functools
import json
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from .. import jobfiles as files
from ..models.jobs import DescribeJob
from ..models.runs import (
    ConfigProvenance,
    DescribeProvenance,
    GpuIdentity,
    HostProvenance,
    PackageVersion,
)
from . import git

PROVENANCE_FILE = "provenance.json"
DIFF_FILE = "git.diff"
#: Characters of the rendered config kept (a config is a few KiB; a runaway template is not).
RENDERED_CAP = 256 * 1024
PACKAGES_TIMEOUT = 20.0
# What the launcher adds to every job's environment (jobs/launcher.py), by name.
LAUNCHER_NAMES = (
    "CUDA_DEVICE_ORDER",
    "CUDA_VISIBLE_DEVICES",
    "FORGATHER_LAB_JOB_ID",
    "FORGATHER_LAB_TOKEN_FILE",
    "FORGATHER_LAB_URL",
    "PYTHONUNBUFFERED",
)
_SECRET_NAME = re.compile(r"TOKEN|SECRET|PASSW|API_KEY|PRIVATE|CREDENTIAL", re.IGNORECASE)
_PYTHON = re.compile(r"^python(\d+(\.\d+)*)?$")
_PACKAGES_SCRIPT = (
    "import json, sys\n"
    "from importlib import metadata\n"
    "seen = {}\n"
    "for d in metadata.distributions():\n"
    "    n = d.metadata['Name']\n"
    "    if n and n.lower() not in seen: seen[n.lower()] = [n, d.version]\n"
    "print(json.dumps({'python': sys.version.split()[0], 'executable': sys.executable,"
    " 'packages': sorted(seen.values(), key=lambda p: p[0].lower())}))\n"
)

#: (project_dir, config, dynamic_args) → the rendered config's text.
Renderer = Callable[[str, "str | None", dict[str, Any]], str]


@dataclass(frozen=True)
class Launch:
    """The process a job was started as (its kind's launch spec)."""

    argv: list[str]
    cwd: str | None
    env: dict[str, str]


def capture(
    job: DescribeJob,
    launch: Launch,
    job_dir: Path,
    *,
    base_env: dict[str, str],
    gpus: Sequence[GpuIdentity],
    render: Renderer | None = None,
) -> tuple[DescribeProvenance, str]:
    """The provenance record of ``job`` and its JSON text (its diff written next to the log).

    The text is what ``write`` stores: made once, as the secret check reads it too.
    """
    problems: list[str] = []
    cwd = launch.cwd or os.getcwd()  # the runner inherits the server's when none is set
    env = {**base_env, **launch.env}
    found = git.capture(Path(cwd), job_dir / DIFF_FILE)
    problems += found.problems
    python, executable, source, packages, listing = _packages(launch.argv, cwd, env, problems)
    record = DescribeProvenance(
        job_id=job.id,
        attempt=job.attempt,
        captured_at=time.time(),
        argv=list(launch.argv),
        cwd=cwd,
        env_keys=sorted({*env, *LAUNCHER_NAMES}),
        git=found.info,
        git_diff=str(job_dir / DIFF_FILE) if (job_dir / DIFF_FILE).is_file() else None,
        python=python,
        python_executable=executable,
        packages_source=source,
        packages=packages,
        config=_config(job, render, problems),
        host=HostProvenance(hostname=socket.gethostname(), platform=platform.platform()),
        gpus=[g for g in gpus if g.index in job.gpus],
        problems=problems,
    )
    secrets = sorted({*_server_secrets(), *_secret_values(env)}, key=len, reverse=True)
    text = record_text(record, listing)
    if not _mentions(text, secrets):
        return record, text  # the usual case: nothing to scrub, no copy to build and validate
    record = DescribeProvenance.model_validate(_scrub(record.model_dump(mode="json"), secrets))
    return record, record.model_dump_json(indent=2)


_NO_PACKAGES = '"packages": []'


def record_text(record: DescribeProvenance, listing: str | None = None) -> str:
    """``record.model_dump_json(indent=2)``; ``listing``: its packages' part, made already.

    Every job that lists the server's packages has the same listing (about 220 of
    them here, 13 of a record's 15.6 KB), and dumping it was the largest part of a
    capture in a drain (issue 19): with its text (``listing_text``, kept with the
    server's listing), the rest of the record is dumped without it and the
    listing put back where the empty list is.
    """
    if listing is None or not record.packages:
        return record.model_dump_json(indent=2)
    rest = record.model_copy(update={"packages": []}).model_dump_json(indent=2)
    # The key's only unescaped occurrence: inside a string a quote would be escaped.
    at = rest.find(_NO_PACKAGES)
    return f'{rest[:at]}"packages": {listing}{rest[at + len(_NO_PACKAGES) :]}'


def listing_text(packages: list[PackageVersion]) -> str:
    """``packages`` as JSON, indented as the ``packages`` field of a record's text."""
    dumped = _listings().dump_json(packages, indent=2).decode()
    return dumped.replace("\n", "\n  ")  # one level deeper than on its own


@functools.cache
def _listings() -> TypeAdapter[list[PackageVersion]]:
    return TypeAdapter(list[PackageVersion])


def _mentions(text: str, secrets: list[str]) -> bool:
    """Whether JSON ``text`` may hold one of ``secrets`` in a string (or a key).

    JSON escapes a string character by character, so a secret inside a string
    appears in the text as the secret escaped the same way; both forms are
    looked for. One look at the record's text instead of a walk over its
    every string (hundreds of package names): most records hold no secret.
    """
    return any(
        s in text or json.dumps(s, ensure_ascii=False)[1:-1] in text or json.dumps(s)[1:-1] in text
        for s in secrets
    )


def _packages(
    argv: list[str], cwd: str, env: dict[str, str], problems: list[str]
) -> tuple[str, str | None, str, list[PackageVersion], str | None]:
    """(python version, interpreter, "job" | "server", packages, their text if kept)."""
    exe = _interpreter(argv[0] if argv else "", cwd, env.get("PATH", ""))
    if exe is not None and os.path.realpath(exe) != os.path.realpath(sys.executable):
        try:
            done = subprocess.run(
                [exe, "-c", _PACKAGES_SCRIPT],
                cwd=cwd,
                env=env,
                capture_output=True,
                timeout=PACKAGES_TIMEOUT,
                check=True,
                stdin=subprocess.DEVNULL,
            )
            data = json.loads(done.stdout)
            return (
                str(data["python"]),
                str(data["executable"]),
                "job",
                [PackageVersion(name=n, version=v) for n, v in data["packages"]],
                None,
            )
        except (OSError, subprocess.SubprocessError, ValueError, KeyError, TypeError) as e:
            problems.append(
                f"packages: asking {exe} failed ({type(e).__name__}); listed the server's instead"
            )
    listing = _server_listing()
    return (
        platform.python_version(),
        sys.executable,
        "job" if exe is not None else "server",
        list(listing.packages),
        listing.text,
    )


@dataclass
class _Listing:
    """The server's distributions, and their JSON once a record needed it."""

    packages: list[PackageVersion]
    _text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            self._text = listing_text(self.packages)
        return self._text


#: The last listing of the server's distributions and the fingerprint it was read at.
_SERVER_PACKAGES: dict[tuple[tuple[str, int], ...], _Listing] = {}


def _site_fingerprint() -> tuple[tuple[str, int], ...]:
    """Every ``sys.path`` directory with its mtime: installing or removing a
    distribution adds or removes an entry there, which changes the mtime."""
    found = []
    for entry in sys.path:
        try:
            found.append((entry, os.stat(entry or ".").st_mtime_ns))
        except OSError:
            continue
    return tuple(found)


def server_packages() -> list[PackageVersion]:
    """The distributions installed in the server's environment, by name.

    Reading every distribution's metadata costs 0.3-0.6 s of CPU with a few
    hundred installed, holding the GIL (it starved the event loop when done
    per job: 80 % of the server's time in a drain), so the listing is kept
    until a ``sys.path`` directory changes.
    """
    return list(_server_listing().packages)


def _server_listing() -> _Listing:
    key = _site_fingerprint()
    cached = _SERVER_PACKAGES.get(key)
    if cached is not None:
        return cached
    seen: dict[str, PackageVersion] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if name and name.lower() not in seen:
            seen[name.lower()] = PackageVersion(name=name, version=dist.version)
    listing = _Listing(sorted(seen.values(), key=lambda p: p.name.lower()))
    _SERVER_PACKAGES.clear()
    _SERVER_PACKAGES[key] = listing
    return listing


def _interpreter(argv0: str, cwd: str, path: str) -> str | None:
    """argv[0] as a path when it names a Python interpreter, else None."""
    if not _PYTHON.match(Path(argv0).name):
        return None
    if os.sep in argv0:
        full = Path(cwd, argv0)
        return str(full) if full.is_file() else None
    return shutil.which(argv0, path=path)


def _config(
    job: DescribeJob, render: Renderer | None, problems: list[str]
) -> ConfigProvenance | None:
    params = job.params
    if "project_dir" not in params or "job" not in params:
        return None
    dynamic_args = dict(params.get("dynamic_args") or {})
    rendered: str | None = None
    if render is not None:
        try:
            rendered = render(params["project_dir"], params.get("config"), dynamic_args)
        except Exception as e:  # a config edited since enqueue: say so, keep the rest
            problems.append(f"config: could not render it again: {e}")
    return ConfigProvenance(
        project_dir=str(params["project_dir"]),
        config=params.get("config"),
        dynamic_args=dynamic_args,
        rendered=rendered[:RENDERED_CAP] if rendered is not None else None,
        rendered_truncated=rendered is not None and len(rendered) > RENDERED_CAP,
    )


def _secret_values(env: Mapping[str, str]) -> list[str]:
    # Short values ("1", "true") would scrub ordinary text; a secret is longer.
    found = {v for k, v in env.items() if _SECRET_NAME.search(k) and len(v) >= 6}
    return sorted(found, key=len, reverse=True)


#: The server's environment as last read (its raw bytes) and the secret values in it.
_server_env: tuple[dict[bytes, bytes] | None, list[str]] = (None, [])


def _server_secrets() -> list[str]:
    """``_secret_values(os.environ)``, read again only when the environment changed.

    ``os.environ`` decodes every name and value in Python at each read (75 us a
    capture here); its raw bytes compare in C.
    """
    global _server_env
    raw = getattr(os.environ, "_data", None)  # CPython's; elsewhere read every time
    if raw is None or raw != _server_env[0]:
        _server_env = (dict(raw) if raw is not None else None, _secret_values(os.environ))
    return _server_env[1]


def _scrub(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for s in secrets:
            if s in value:
                value = value.replace(s, "[redacted]")
        return value
    if isinstance(value, list):
        return [_scrub(v, secrets) for v in value]
    if isinstance(value, dict):
        return {_scrub(k, secrets): _scrub(v, secrets) for k, v in value.items()}
    return value


def write(job_dir: Path, text: str) -> Path:
    """Store a record's JSON ``text`` (``capture``'s) as ``provenance.json`` (0600, atomically)."""
    path = job_dir / PROVENANCE_FILE
    files.write_private(path, text)
    return path


def read(job_dir: Path) -> DescribeProvenance | None:
    """The stored record, or None when there is none (yet)."""
    try:
        text = files.read_text(job_dir / PROVENANCE_FILE)
    except FileNotFoundError:
        return None
    return DescribeProvenance.model_validate_json(text)
