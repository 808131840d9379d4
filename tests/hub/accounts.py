"""Real local accounts for the run-as-owner tests: made with useradd, removed with userdel -r.

Names carry a random suffix (``fgt_alice_1a2b3c``) so parallel or aborted runs never
meet, and removal runs whatever the test did. Creating accounts needs root (the
test machine and CI run as root); elsewhere the tests that need them skip.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import secrets
import shutil
import stat
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

CAN_MAKE_ACCOUNTS = os.geteuid() == 0 and shutil.which("useradd") is not None
requires_accounts = pytest.mark.skipif(
    not CAN_MAKE_ACCOUNTS, reason="making local accounts needs root and useradd"
)


def unique(label: str) -> str:
    """A name no other account or group has: ``fgt_<label>_<hex>`` (under 32 characters)."""
    return f"fgt_{label}_{secrets.token_hex(3)}"


@contextlib.contextmanager
def local_group(label: str) -> Iterator[str]:
    """A new local group, deleted afterwards."""
    name = unique(label)
    subprocess.run(["groupadd", name], check=True, capture_output=True)
    try:
        yield name
    finally:
        subprocess.run(["groupdel", name], check=False, capture_output=True)


@contextlib.contextmanager
def local_account(label: str, groups: tuple[str, ...] = ()) -> Iterator[pwd.struct_passwd]:
    """A new local account with a home (``useradd -m``), in ``groups`` too; removed after."""
    name = unique(label)
    argv = ["useradd", "-m", "-s", "/bin/sh", name]
    if groups:
        argv[1:1] = ["-G", ",".join(groups)]
    subprocess.run(argv, check=True, capture_output=True)
    try:
        yield pwd.getpwnam(name)
    finally:
        # -f: even with a process of theirs still running (a job being torn down).
        subprocess.run(["userdel", "-r", "-f", name], check=False, capture_output=True)


@contextlib.contextmanager
def open_dir(prefix: str) -> Iterator[Path]:
    """A fresh directory every user may enter (pytest's own tmp is its user's alone).

    A job run as another account must pass through the state directory's
    parents to reach its log, as it must in a real deployment.
    """
    path = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        path.chmod(0o711)
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def mode(path: Path) -> int:
    """The permission bits of ``path`` (not following a link)."""
    return stat.S_IMODE(path.lstat().st_mode)
