"""The job's session leader: starts the real command, waits, records its exit.

Jobs outlive the server (they run in their own session), so after a restart
the server is no longer their parent and cannot ``wait()`` for an exit code.
This tiny process is: it runs the command as its child, ignores the SIGTERM /
SIGINT / SIGHUP sent to the process group (the command still gets them), and
writes the command's exit status to a file before exiting with it.

The launcher starts a runner *before* it has a job for it and hands the job
over on stdin (one JSON object: argv, env, cwd, log, exit_file), so
dispatching costs a pipe write instead of an interpreter start. EOF with
nothing read means "not needed": the runner exits quietly.

Kept to the standard library's core modules so it starts in milliseconds;
the launcher runs this file by path with ``python -I -S``.
"""

import json
import os
import signal
import sys


def main() -> int:
    chunks = []
    while True:
        chunk = os.read(0, 65536)
        if not chunk:
            break
        chunks.append(chunk)
    if not chunks:
        return 0
    job = json.loads(b"".join(chunks))
    log = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    exit_file = job["exit_file"]
    try:
        command = job["argv"]
        if job.get("cwd"):
            os.chdir(job["cwd"])
        pid = os.posix_spawnp(command[0], command, job["env"])
    except OSError as e:
        what = e.filename or command[0]
        sys.stderr.write(f"forgather-lab: cannot run the job: {what}: {e.strerror}\n")
        _record(exit_file, 127)
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
        _record(exit_file, 127)
        return 127
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    _record(exit_file, code)
    return code if code >= 0 else 128 - code


def _record(exit_file: str, code: int) -> None:
    tmp = exit_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(code))
    os.replace(tmp, exit_file)


if __name__ == "__main__":
    sys.exit(main())
