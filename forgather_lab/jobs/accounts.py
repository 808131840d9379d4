"""Whose account a job runs under: its owner's local account, when the service can switch.

A shared pool (hub mode) run as root starts each job's command as the local
account of the Hub user who owns it (``ForgatherLab.user_map`` maps Hub names
to other account names), so files a job writes are its owner's and one
user's job cannot touch another's. The runner stays root to supervise; only
the command switches (``runner.py``). When switching is not possible (not
root, a remote executor, a state directory other users cannot reach) every
job runs as the service's user and ``status()`` says why, for ``GET /health``.

An owner without an account is refused (the job fails at dispatch, naming
the user) unless ``run_as_owner_fallback`` lets it run as the service's user:
silently running some users' jobs as root is the surprise to avoid. A Hub
user whose name happens to be ``root`` (or any uid-0 account) gets it only
through an explicit ``user_map`` entry, never by name alone.
"""

from __future__ import annotations

import os
import pwd
import stat
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import Forbidden


class NoLocalAccount(Forbidden):
    """A job's owner has no local account to run as (and no fallback is allowed)."""


@dataclass(frozen=True)
class Account:
    """A local account a job's command runs as."""

    name: str
    uid: int
    gid: int
    home: str
    shell: str

    def identity_env(self) -> dict[str, str]:
        """The variables that say who the process is (replacing the service's own)."""
        env = {"HOME": self.home, "USER": self.name, "LOGNAME": self.name}
        if self.shell:
            env["SHELL"] = self.shell
        return env

    def runner_fields(self) -> dict[str, object]:
        """What the runner needs to switch (it has no ``pwd`` lookups of its own)."""
        return {"name": self.name, "uid": self.uid, "gid": self.gid}


@dataclass(frozen=True)
class RunAsStatus:
    """Whether jobs run as their owners now, and why (or why not)."""

    active: bool
    reason: str


class RunAs:
    """The run-as-owner policy of one pool, from its settings (built by the runtime)."""

    def __init__(
        self,
        *,
        hub_mode: bool,
        enabled: bool = True,
        user_map: Mapping[str, str] | None = None,
        fallback: bool = False,
        state_dir: Path | None = None,
        executor: str = "local",
        remote: bool = False,
        euid: Callable[[], int] = os.geteuid,
    ) -> None:
        self.hub_mode = hub_mode
        self.enabled = enabled
        self.user_map = dict(user_map or {})
        self.fallback = fallback
        self.state_dir = state_dir
        self.executor = executor
        self.remote = remote
        self._euid = euid

    def status(self) -> RunAsStatus:
        """Whether the service can and will switch users now (cheap: a few ``stat`` calls)."""
        if not self.hub_mode:  # first: the single-user server pays nothing per dispatch
            return RunAsStatus(False, "single-user server: jobs run as its user")
        service = _user_name(self._euid())
        if not self.enabled:
            return RunAsStatus(False, f"ForgatherLab.run_as_owner is off: jobs run as {service}")
        if self.remote:
            return RunAsStatus(
                False,
                f"the {self.executor} executor runs jobs as the service's user on its engine "
                "(running jobs as their owners applies to the local executor)",
            )
        if self._euid() != 0:
            return RunAsStatus(
                False,
                f"the service runs as {service} (uid {self._euid()}), not root: "
                f"jobs run as {service}",
            )
        closed = self._closed_parent()
        if closed is not None:
            return RunAsStatus(
                False,
                f"{closed} is not searchable by other users, so their jobs could not reach "
                f"their logs: jobs run as {service} (chmod o+x it, or choose a state_dir "
                "below directories every user may enter)",
            )
        others = (
            f"run as {service}"
            if self.fallback
            else "fail (ForgatherLab.run_as_owner_fallback is off)"
        )
        return RunAsStatus(
            True, f"jobs run as their owner's local account; jobs of owners without one {others}"
        )

    def account_for(self, owner: str | None) -> Account | None:
        """The account ``owner``'s job runs as; None: the service's own user.

        Raises NoLocalAccount when switching is on and the owner has no
        account and the fallback is off. A job with no owner (queued by the
        service itself) runs as the service's user.
        """
        if owner is None or not self.status().active:
            return None
        name = self.user_map.get(owner, owner)
        try:
            entry: pwd.struct_passwd | None = pwd.getpwnam(name)
        except KeyError:
            entry = None
        if entry is not None and entry.pw_uid == 0 and owner not in self.user_map:
            entry = None  # root by a Hub user's name alone is never a match
        if entry is None:
            if self.fallback:
                return None
            mapped = f" (ForgatherLab.user_map maps it to {name!r})" if name != owner else ""
            raise NoLocalAccount(
                f"{owner}'s job cannot run: there is no local account {name!r} on this "
                f"machine{mapped}. Create it, map {owner!r} to an account in "
                "ForgatherLab.user_map, or set ForgatherLab.run_as_owner_fallback = True to "
                f"run such jobs as {_user_name(self._euid())}"
            )
        return Account(entry.pw_name, entry.pw_uid, entry.pw_gid, entry.pw_dir, entry.pw_shell)

    def _closed_parent(self) -> Path | None:
        # The state directory itself is opened (0711) by the launcher; what is
        # above it is the operator's, and every user's job must pass through it.
        if self.state_dir is None:
            return None
        for parent in Path(self.state_dir).resolve().parents:
            try:
                mode = parent.stat().st_mode
            except OSError:
                return parent
            if not mode & stat.S_IXOTH:
                return parent
        return None


def _user_name(uid: int) -> str:
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"
