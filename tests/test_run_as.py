"""Running a job as its owner, at the launcher: real accounts, a real runner, no server.

The runner (root) forks, the child takes the account's groups, gid and uid,
opens its log and execs; the job's directory, token and log become the
owner's. The Hub end to end is tests/hub/test_run_as_owner.py.
"""

from __future__ import annotations

import grp
import os
import pwd
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hub.accounts import local_account, local_group, mode, open_dir, requires_accounts

from forgather_lab.jobs.accounts import NoLocalAccount, RunAs
from forgather_lab.jobs.launcher import Launcher, LaunchSpec

pytestmark = [requires_accounts, pytest.mark.timeout(60)]

REPORT = (
    'id -un; id -G; echo "$HOME|$USER|$LOGNAME"; pwd; '
    'cat "$FORGATHER_LAB_TOKEN_FILE" >/dev/null && echo token-readable; '
    'touch "$(dirname "$FORGATHER_LAB_TOKEN_FILE")/written-by-job" && echo dir-writable'
)


@pytest.fixture(scope="module")
def group() -> Iterator[str]:
    with local_group("crew") as name:
        yield name


@pytest.fixture(scope="module")
def alice(group: str) -> Iterator[pwd.struct_passwd]:
    with local_account("alice", groups=(group,)) as account:
        yield account


@pytest.fixture
def state_dir() -> Iterator[Path]:
    with open_dir("fgt-state-") as base:
        yield base / "state"


def _launcher(state_dir: Path, **policy: object) -> Launcher:
    state_dir.mkdir(mode=0o700, exist_ok=True)
    run_as = RunAs(hub_mode=True, state_dir=state_dir, **policy)  # type: ignore[arg-type]
    return Launcher(state_dir, run_as=run_as)


def _run(launcher: Launcher, job_id: str, spec: LaunchSpec, owner: str | None) -> list[str]:
    assert _exit(launcher, job_id, spec, owner) == "0\n", launcher.log_path(job_id).read_text()
    return launcher.log_path(job_id).read_text().splitlines()


def _exit(launcher: Launcher, job_id: str, spec: LaunchSpec, owner: str | None) -> str:
    launched = launcher.spawn(job_id, spec, [], owner=owner)
    exit_file = launcher.exit_file(job_id)
    deadline = time.monotonic() + 20
    while not exit_file.exists():
        assert time.monotonic() < deadline, "the runner recorded no exit"
        time.sleep(0.02)
    os.waitpid(launched.pid, 0)
    return exit_file.read_text()


def test_the_command_runs_as_the_owner_with_its_groups_home_and_files(
    state_dir: Path, alice: pwd.struct_passwd, group: str
) -> None:
    launcher = _launcher(state_dir)
    lines = _run(launcher, "j1", LaunchSpec(["/bin/sh", "-c", REPORT]), alice.pw_name)
    name, groups, identity, cwd, token, writable = lines
    assert name == alice.pw_name
    assert {alice.pw_gid, grp.getgrnam(group).gr_gid} == {int(g) for g in groups.split()}
    assert identity == f"{alice.pw_dir}|{alice.pw_name}|{alice.pw_name}"
    assert cwd == alice.pw_dir  # no cwd named: the owner's home
    assert (token, writable) == ("token-readable", "dir-writable")
    job_dir = launcher.job_dir("j1")
    for path in (job_dir, launcher.log_path("j1"), launcher.token_file("j1")):
        assert path.stat().st_uid == alice.pw_uid, path
    assert (mode(launcher.token_file("j1")), mode(job_dir)) == (0o600, 0o700)
    # Others may pass through to their own job's directory, never list them.
    assert mode(state_dir) == mode(launcher.jobs_dir) == 0o711
    launcher.close()


def test_a_named_cwd_stays_and_unowned_jobs_run_as_the_service(
    state_dir: Path, alice: pwd.struct_passwd
) -> None:
    launcher = _launcher(state_dir)
    spec = LaunchSpec(["/bin/sh", "-c", "id -un; pwd"], cwd="/tmp")
    assert _run(launcher, "j2", spec, alice.pw_name) == [alice.pw_name, "/tmp"]
    # No owner (queued by the service itself): the service's user, and its files stay its own.
    assert _run(launcher, "j3", LaunchSpec(["/bin/sh", "-c", "id -un"]), None) == ["root"]
    assert launcher.log_path("j3").stat().st_uid == 0
    assert mode(launcher.job_dir("j3")) == 0o700
    # ...and the way in stays open for the owners' jobs still running.
    assert mode(state_dir) == mode(launcher.jobs_dir) == 0o711
    launcher.close()


def test_a_restart_opens_the_way_in_again(state_dir: Path, alice: pwd.struct_passwd) -> None:
    launcher = _launcher(state_dir)
    _run(launcher, "j5", LaunchSpec(["/bin/true"]), alice.pw_name)
    launcher.close()
    state_dir.chmod(0o700)  # what opening the database does at the next start
    _launcher(state_dir).close()
    assert mode(state_dir) == 0o711


def test_a_link_the_owner_left_in_their_job_directory_is_not_followed(
    state_dir: Path, alice: pwd.struct_passwd
) -> None:
    launcher = _launcher(state_dir)
    _run(launcher, "j4", LaunchSpec(["/bin/true"]), alice.pw_name)
    # Between attempts the directory is the owner's: links where root will write.
    victim = state_dir.parent / "victim"
    victim.write_text("root's file\n")
    job_dir = launcher.job_dir("j4")
    for name in ("token", "output.log"):
        (job_dir / name).unlink()
        (job_dir / name).symlink_to(victim)
    launcher.exit_file("j4").unlink()
    launcher.prestart()  # the runner that takes the job, so its temporary exit file is known
    assert launcher._spare is not None
    (job_dir / f"exit_code.{launcher._spare[0]}.tmp").symlink_to(victim)
    # The log is a link: the command (already alice) will not open it, and says so by 126.
    assert (
        _exit(launcher, "j4", LaunchSpec(["/bin/sh", "-c", "echo again"]), alice.pw_name) == "126\n"
    )
    assert victim.read_text() == "root's file\n"
    assert victim.stat().st_uid == 0
    for name in ("token", "exit_code"):  # root wrote new files, not through the links
        assert (job_dir / name).is_file()
        assert not (job_dir / name).is_symlink()
    assert (job_dir / "output.log").is_symlink()  # not chowned, not written
    launcher.close()


def test_user_map_maps_a_hub_name_to_another_account(alice: pwd.struct_passwd) -> None:
    run_as = RunAs(hub_mode=True, user_map={"carol@hub": alice.pw_name})
    account = run_as.account_for("carol@hub")
    assert account is not None
    assert (account.name, account.uid, account.home) == (
        alice.pw_name,
        alice.pw_uid,
        alice.pw_dir,
    )


def test_an_owner_without_an_account_fails_unless_the_fallback_allows() -> None:
    with pytest.raises(NoLocalAccount, match=r"fgt_nobody_x.*no local account 'fgt_nobody_x'"):
        RunAs(hub_mode=True).account_for("fgt_nobody_x")
    assert RunAs(hub_mode=True, fallback=True).account_for("fgt_nobody_x") is None
    with pytest.raises(NoLocalAccount, match="user_map maps it to 'fgt_gone'"):
        RunAs(hub_mode=True, user_map={"dora": "fgt_gone"}).account_for("dora")


def test_root_only_by_an_explicit_mapping() -> None:
    with pytest.raises(NoLocalAccount):
        RunAs(hub_mode=True).account_for("root")
    account = RunAs(hub_mode=True, user_map={"boss": "root"}).account_for("boss")
    assert account is not None
    assert account.uid == 0


def test_status_says_why_jobs_do_not_switch(tmp_path: Path) -> None:
    assert RunAs(hub_mode=True).status().active
    off = {
        "single-user server": RunAs(hub_mode=False),
        "run_as_owner is off": RunAs(hub_mode=True, enabled=False),
        "not root": RunAs(hub_mode=True, euid=lambda: 65534),
        "slurm executor": RunAs(hub_mode=True, executor="slurm", remote=True),
        # pytest's tmp is under /tmp/pytest-of-root, its user's alone.
        "not searchable by other users": RunAs(hub_mode=True, state_dir=tmp_path / "state"),
    }
    for words, run_as in off.items():
        status = run_as.status()
        assert not status.active, words
        assert words in status.reason
        assert run_as.account_for("root") is None  # and nobody's job switches
