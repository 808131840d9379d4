"""The job's session leader: starts the real command, waits, records its exit.

Jobs outlive the server (they run in their own session), so after a restart
the server is no longer their parent and cannot ``wait()`` for an exit code.
This tiny process is: it runs the command as its child, ignores the SIGTERM /
SIGINT / SIGHUP sent to the process group (the command still gets them), and
writes the command's exit status to a file before exiting with it.

The launcher starts a runner *before* it has a job for it and hands the job
over on stdin (a dict: argv, env, cwd, log, exit_file), so
dispatching costs a pipe write instead of an interpreter start. EOF with
nothing read means "not needed": the runner exits quietly. The launcher
sends it as a NUL byte and ``marshal`` data (built in: ``import json`` would
cost this process 10 ms of CPU, its whole start again, at every job); JSON
is read too (any other client of the runner, the tests).

Without a ``user``, the runner also makes the job's directory (0700) and
writes its callback token there (0600, handed over on the pipe, never in
argv or the environment) before anything else: two of the three files a
job's start creates, made here, beside the server rather than in it (on
ext4, creating an inode was a fifth of the server's CPU in a drain).

With a ``user`` (name, uid, gid) in the job, the runner (root, in a shared
pool) forks instead of spawning, and the child takes that account's groups,
gid and uid before it opens its log and execs: the command and its log are
the owner's; the runner that waits for it stays the service's.

The runner is its command's child subreaper (``PR_SET_CHILD_SUBREAPER``):
whatever the command leaves behind (a daemon's double fork, a child that
``setsid()``-ed away) is re-parented to the runner, not to init, so when the
command ends the runner knows whether anything of the job is left: it has
no child left. It says so in the exit file: the status on a line of its own
(``0\n``) means nothing of the job was left; a bare status (``0``, also what
runners before this wrote) says nothing about that, and the server looks for
leftovers in ``/proc`` (``processes.py``). Either reads as an integer.

Kept to the standard library's core modules so it starts in milliseconds;
the launcher runs this file by path with ``python -I -S``.
"""

# The C module (it has no stubs): ``signal`` imports enum, 6 ms of this process's start.
import _signal as signal  # type: ignore[import-not-found]
import marshal
import os
import sys

TYPE_CHECKING = False  # mypy reads the block; at run time nothing more is imported
if TYPE_CHECKING:
    from collections.abc import Callable


def main(data: bytes | None = None, subreaper: bool | None = None) -> int:
    """Run one job: ``data`` as the fork server read it, else what stdin holds up to EOF.

    ``subreaper``: whether this process became one already (None: it does now,
    before it waits for the job, off the dispatch's path).
    """
    if subreaper is None:
        subreaper = _become_subreaper()
    if data is None:
        data = _read_to_eof(0)
    if not data:
        return 0
    if data.startswith(b"\0"):
        job = marshal.loads(data[1:])  # noqa: S302 - our own launcher writes it, over our pipe
    else:
        import json

        job = json.loads(data)
    user = job.get("user")
    if "token" in job:
        _prepare(job["dir"], job["token_file"], job["token"])
    if user is None:
        _log_to(job["log"])
    # else the command opens its log once it is its owner (_spawn_as): a root
    # runner opening a file in the owner's directory could be led by a link.
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    exit_file = job["exit_file"]
    try:
        command = job["argv"]
        if user is not None:
            pid = _spawn_as(
                user["name"],
                user["uid"],
                user["gid"],
                job["log"],
                job.get("cwd"),
                command,
                job["env"],
            )
        else:
            if job.get("cwd"):
                os.chdir(job["cwd"])
            pid = os.posix_spawnp(command[0], command, job["env"])
    except OSError as e:
        what = e.filename or command[0]
        sys.stderr.write(f"forgather-lab: cannot run the job: {what}: {e.strerror}\n")
        _record(exit_file, 127, alone=subreaper and _nothing_left())
        return 127
    except Exception as e:  # whatever stops the spawn, the job must say why
        # A NUL byte, unencodable text or a bad type in argv / env / cwd: the
        # server validates these at enqueue, so this is a record from before
        # that, or another client of the runner. Say so instead of dying
        # silently, which the server would read as a kill from outside.
        sys.stderr.write(
            f"forgather-lab: cannot run the job: invalid command, environment or "
            f"directory ({type(e).__name__}: {e})\n"
        )
        _record(exit_file, 127, alone=subreaper and _nothing_left())
        return 127
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        # Any child: what the command left behind and re-parented here is reaped
        # as it ends (a zombie kept until the command ends would hold its PID).
        try:
            done, status = os.waitpid(-1, 0)
        except InterruptedError:
            continue
        if done == pid:
            break
    code = os.waitstatus_to_exitcode(status)
    _record(exit_file, code, alone=subreaper and _nothing_left())
    return code if code >= 0 else 128 - code


def _become_subreaper(prctl: "Callable[..., int] | None" = None) -> bool:
    """Have the command's orphans re-parented to this process; False where that failed.

    ``prctl``: libc's, as the fork server found it once. Finding it here
    (``ctypes.CDLL``) costs a forked runner 0.3 ms of CPU and a hundred
    copied pages, at every job.
    """
    try:
        if prctl is None:
            prctl = _libc_prctl()
        return bool(prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0)
    except (ImportError, OSError, AttributeError):  # not Linux, or no prctl
        return False


def _libc_prctl() -> "Callable[..., int]":
    """libc's ``prctl`` through ctypes; raises ImportError, OSError or AttributeError."""
    import ctypes

    return ctypes.CDLL(None, use_errno=True).prctl


_PR_SET_CHILD_SUBREAPER = 36  # <linux/prctl.h>


def _nothing_left() -> bool:
    """Whether no child (so, as subreaper, no descendant) is left; reaps the ended ones."""
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False


def _prepare(directory: str, token_file: str, token: str) -> None:
    """The job's directory (0700, never through a link) with its token file (0600)."""
    try:
        os.mkdir(directory, 0o700)
    except FileNotFoundError:  # the jobs directory went away under a running server
        os.makedirs(os.path.dirname(directory), 0o700, exist_ok=True)
        os.mkdir(directory, 0o700)
    except FileExistsError:
        # A retry's, or made by the server's provenance capture first (0700 too);
        # anything but a real directory of ours is refused (lstat: no link followed).
        st = os.lstat(directory)
        if (st.st_mode & 0o170000) != 0o040000 or st.st_uid != os.getuid():
            raise
        if st.st_mode & 0o777 != 0o700:
            os.chmod(directory, 0o700)
    # Written before the command starts, the only reader of it.
    _write_new(token_file, token.encode(), 0o600)


def _log_to(path: str) -> None:
    log = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | os.O_NOFOLLOW, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _spawn_as(
    name: str, uid: int, gid: int, log: str, cwd: str | None, argv: list[str], env: dict[str, str]
) -> int:
    """Fork; the child becomes ``name`` (groups, gid, then uid), opens its log, execs.

    posix_spawn cannot change users, so this one path forks. The runner stays
    root to wait and record the exit; the child never returns here.
    """
    pid = os.fork()
    if pid:
        return pid
    code = 127
    try:
        os.initgroups(name, gid)
        os.setgid(gid)
        os.setuid(uid)
        code = 126  # switched, but its log cannot be opened: nowhere to say more
        _log_to(log)
        code = 127
        if cwd:
            os.chdir(cwd)
        os.execvpe(argv[0], argv, env)  # noqa: S606 - an argv list, as posix_spawnp is given
    except OSError as e:
        what = e.filename or argv[0]
        os.write(2, f"forgather-lab: cannot run the job: {what}: {e.strerror}\n".encode())
    except Exception as e:  # the same failures as the spawn's, said the same way
        os.write(
            2,
            f"forgather-lab: cannot run the job: invalid command, environment or "
            f"directory ({type(e).__name__}: {e})\n".encode(),
        )
    finally:
        os._exit(code)


def _record(exit_file: str, code: int, alone: bool) -> None:
    """Write ``code`` to ``exit_file``, on a line of its own when nothing of the job is left."""
    # The server reads it once this process has ended, so it finds it whole; one
    # left empty by a runner killed while writing reads as no status (executors/local.py).
    _write_new(exit_file, (f"{code}\n" if alone else str(code)).encode(), 0o644)


def _write_new(path: str, data: bytes, mode: int) -> None:
    """``data`` as a new file at ``path``, never written through a link.

    The job's directory may be its owner's and the runner root. Usually nothing
    is there yet: the file is created in place (``O_EXCL`` refuses a link or any
    other file), one system call and no rename, on file systems where each
    costs. Else (a retry's file, a link planted there) a new file is renamed
    over it.
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
    except FileExistsError:
        tmp = f"{path}.{os.getpid()}.tmp"
        try:  # noqa: SIM105 - contextlib is an import this process need not pay for
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, mode)
        try:  # os.write, not a file object: the io stack is a millisecond of a dispatch here
            _write_all(fd, data)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        return
    try:
        _write_all(fd, data)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data) :]


def _read_to_eof(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 65536):
        chunks.append(chunk)
    return b"".join(chunks)


def serve() -> int:
    """The fork server (``--serve``): spare runners forked from this idle one.

    Starting an interpreter costs a runner about 10 ms of CPU here, a fork
    of this small process well under one. Stdin is a Unix socket to the
    launcher; each request carries (SCM_RIGHTS) the read end of a pipe. For
    each, this forks a runner in a session of its own that waits on that
    pipe for its job exactly like a runner the launcher started itself
    (``main``: EOF with nothing read, it exits), and answers its PID in 8
    bytes. EOF: exit; the runners forked carry on. They are this process's
    children, reaped as they end.
    """
    import _socket  # the C module: ``socket`` imports enum and selectors

    try:  # found once here, not in every runner forked (_become_subreaper)
        prctl: Callable[..., int] | None = _libc_prctl()
    except (ImportError, OSError, AttributeError):
        prctl = None
    sock = _socket.socket(fileno=0)
    signal.signal(signal.SIGCHLD, _reap_children)
    while True:
        msg, ancillary, _, _ = sock.recvmsg(1, _socket.CMSG_SPACE(4))
        fds = [
            int.from_bytes(data[i : i + 4], sys.byteorder)
            for level, kind, data in ancillary
            if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS
            for i in range(0, len(data) - 3, 4)
        ]
        if not msg:
            return 0
        if len(fds) != 1:  # not a request of ours: refuse it (PID 0)
            for fd in fds:
                os.close(fd)
            sock.sendall(bytes(8))
            continue
        pid = os.fork()
        if pid == 0:
            code = 70  # EX_SOFTWARE: the runner itself failed
            try:
                code = _forked(fds[0], prctl)
            finally:
                os._exit(code)  # never back into this loop
        os.close(fds[0])
        sock.sendall(pid.to_bytes(8, "big"))


def _forked(jobs: int, prctl: "Callable[..., int] | None") -> int:
    """In a forked runner: a session of its own, then wait for the job like any runner."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the job must reap its own children
    os.setsid()
    # While idle: off the path of the dispatch to come. Without the fork server's
    # prctl (it found none) a forked runner is no subreaper either.
    subreaper = prctl is not None and _become_subreaper(prctl)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)  # stdin was the fork server's socket
    os.close(null)
    data = _read_to_eof(jobs)
    os.close(jobs)
    try:
        return main(data, subreaper)
    finally:
        sys.stderr.flush()  # os._exit follows: nothing else flushes


def _reap_children(_signum: int, _frame: object) -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


if __name__ == "__main__":
    sys.exit(serve() if sys.argv[1:] == ["--serve"] else main())
