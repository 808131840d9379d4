"""The git state of a job's working directory: every call through one function.

Read-only and bounded: each ``git`` call has a timeout, runs with
``GIT_OPTIONAL_LOCKS=0`` (``git status`` would otherwise refresh the index
and take ``index.lock``, racing the user's own git), a minimal environment
(no ``GIT_DIR`` or hooks of the server's leaking in) and no pager. The diff
against HEAD (tracked files, staged or not) is streamed into a file and cut
at ``DIFF_CAP`` bytes; its full size is still counted, so ``diff_bytes``
says how big it really was. Untracked files are not in the diff (they may
be datasets or checkpoints); their names are listed instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..models.runs import GitProvenance

#: Bytes of the uncommitted diff kept in ``git.diff`` (the rest is counted, not kept).
DIFF_CAP = 1024 * 1024
#: Seconds one git command may take (a huge work tree on a slow disk).
GIT_TIMEOUT = 10.0
#: Bytes of a diff read at all: past this the count stops (``diff_bytes`` is a lower bound).
DIFF_READ_LIMIT = 256 * 1024 * 1024
MAX_UNTRACKED = 100
# ``git hash-object -t tree /dev/null``: what a repository without commits is compared with.
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


class GitError(Exception):
    """A git command failed or took too long (the message says which and why)."""


@dataclass
class GitCapture:
    """What ``capture`` found: the summary, and problems met on the way."""

    info: GitProvenance | None
    problems: list[str] = field(default_factory=list)


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "LC_ALL")}
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_PAGER": "cat"})
    return env


def git(cwd: Path, *args: str) -> str:
    """``git args`` in ``cwd``; its stdout, stripped. Raises GitError."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed")
    try:
        done = subprocess.run(
            [exe, "--no-pager", *args],
            cwd=cwd,
            env=_env(),
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as e:
        raise GitError(f"git {args[0]} took longer than {GIT_TIMEOUT:g}s") from e
    except OSError as e:
        raise GitError(f"git {args[0]} could not run: {e.strerror}") from e
    if done.returncode != 0:
        raise GitError(done.stderr.decode(errors="replace").strip()[:300] or f"git {args[0]}")
    return done.stdout.decode(errors="replace").strip()


def _diff_to(cwd: Path, base: str, target: Path, cap: int) -> tuple[int, bool]:
    """Stream ``git diff base`` into ``target`` (first ``cap`` bytes): (total bytes, cut)."""
    exe = shutil.which("git")
    if exe is None:
        raise GitError("git is not installed")
    argv = [exe, "--no-pager", "diff", "--no-color", "--no-ext-diff", "--binary", base]
    deadline = time.monotonic() + GIT_TIMEOUT
    total = 0
    tmp = target.with_suffix(".tmp")
    # The job's owner may own its directory: a link planted as the temporary
    # file is removed, never written through.
    tmp.unlink(missing_ok=True)
    with (
        subprocess.Popen(
            argv, cwd=cwd, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL
        ) as proc,
        open(
            os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600), "wb"
        ) as out,
    ):
        assert proc.stdout is not None
        try:
            while chunk := proc.stdout.read(65536):
                if total < cap:
                    out.write(chunk[: cap - total])
                total += len(chunk)
                if total >= DIFF_READ_LIMIT or time.monotonic() > deadline:
                    break
        finally:
            proc.kill()
            proc.wait()
    if total == 0:  # nothing uncommitted: no file (nor an earlier attempt's)
        tmp.unlink(missing_ok=True)
        target.unlink(missing_ok=True)
    else:
        tmp.replace(target)
    return total, total > cap


def in_a_repository(cwd: Path) -> bool:
    """Whether ``cwd`` or a parent holds ``.git`` (where git's own discovery would look).

    A look at the file system instead of a ``git`` process: at dispatch most
    jobs run outside any repository, and a process per job was a third of a
    busy server's time. A ``.git`` git itself would not use (across a mount,
    say) only costs the ``git`` call that then says so.
    """
    # Strings, not Paths: this runs at every job's start (issue 19).
    here = str(cwd)
    while True:
        if os.path.exists(os.path.join(here, ".git")):
            return True
        parent = os.path.dirname(here)
        if parent == here:
            return False
        here = parent


def capture(cwd: Path, diff_file: Path, cap: int = DIFF_CAP) -> GitCapture:
    """The repository ``cwd`` is in (info None outside one), its diff written to ``diff_file``."""
    if not cwd.is_dir():
        return GitCapture(None, [f"git: the working directory {cwd} does not exist"])
    if not in_a_repository(cwd):
        return GitCapture(None)  # no git process for the plain directories most jobs run in
    try:
        root = git(cwd, "rev-parse", "--show-toplevel")
    except GitError as e:
        text = str(e)
        if "not a git repository" in text:
            return GitCapture(None)
        return GitCapture(None, [f"git: {text}"])
    problems: list[str] = []
    commit: str | None
    try:
        commit = git(cwd, "rev-parse", "--verify", "--quiet", "HEAD")
    except GitError:
        commit = None  # a repository without commits yet
    branch: str | None
    try:
        branch = git(cwd, "symbolic-ref", "--quiet", "--short", "HEAD")
    except GitError:
        branch = None  # detached HEAD
    dirty, untracked = False, []
    try:
        status = git(cwd, "status", "--porcelain=v1", "--untracked-files=normal", "-z")
        entries = [e for e in status.split("\0") if e]
        dirty = bool(entries)
        untracked = [e[3:] for e in entries if e.startswith("?? ")][:MAX_UNTRACKED]
    except GitError as e:
        problems.append(f"git status: {e}")
    size, cut = 0, False
    try:
        size, cut = _diff_to(cwd, commit or EMPTY_TREE, diff_file, cap)
    except (GitError, OSError) as e:
        problems.append(f"git diff: {e}")
    info = GitProvenance(
        root=root,
        commit=commit,
        branch=branch,
        dirty=dirty,
        diff_bytes=size,
        diff_truncated=cut,
        untracked=untracked,
    )
    return GitCapture(info, problems)
