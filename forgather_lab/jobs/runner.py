"""The job's session leader: starts the real command, waits, records its exit.

Jobs outlive the server (they run in their own session), so after a restart
the server is no longer their parent and cannot ``wait()`` for an exit code.
This tiny process is: it runs the command as its child, ignores the SIGTERM /
SIGINT sent to the process group (the command still gets them), and writes
the command's exit status to a file next to the log before exiting with it.

Kept to ``os``/``sys``/``signal`` so it starts in a few milliseconds; the
launcher runs this file by path with ``python -I -S``.

Usage: ``runner.py EXIT_FILE CWD COMMAND [ARG ...]`` (CWD ``-`` keeps the current one).
"""

import os
import signal
import sys


def main(argv: list[str]) -> int:
    exit_file, cwd, command = argv[1], argv[2], argv[3:]
    if cwd != "-":
        os.chdir(cwd)
    pid = os.posix_spawnp(command[0], command, os.environ)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGHUP, signal.SIG_IGN)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except ChildProcessError:
            status = 0
            break
        except InterruptedError:
            continue
    code = os.waitstatus_to_exitcode(status)
    tmp = exit_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(code))
    os.replace(tmp, exit_file)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except OSError as e:
        what = e.filename or sys.argv[3]
        sys.stderr.write(f"forgather-lab: cannot run the job: {what}: {e.strerror}\n")
        with open(sys.argv[1], "w") as f:
            f.write("127")
        sys.exit(127)
