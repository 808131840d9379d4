"""How a job's end is put into words, and what a failed attempt leads to.

Pure functions, no I/O: the jobs service reads the exit status and the end
of the log, these say what it means ("exited with code 1: the job needs the
Python module 'torch' …"), whether a retry is due, and what the next
attempt is told about itself.
"""

from __future__ import annotations

import signal
from dataclasses import dataclass

from .failures import explain
from .model import JobStatus

#: How much of a failed job's log is read to explain the failure.
EXPLAIN_TAIL = 8 * 1024
#: The line written to a job's log before each attempt after the first.
ATTEMPT_BANNER = b"--- forgather-lab: attempt "


@dataclass(frozen=True)
class PlannedEnd:
    """How a job the server is stopping itself ends, whatever its exit status.

    ``requeue``: back on the queue, same id, attempt + 1, no retry spent
    (a preemption); otherwise ``failed`` with ``reason`` (a time limit),
    which a retry may follow.
    """

    reason: str
    requeue: bool = False


def outcome(code: int | None, killed: bool) -> tuple[JobStatus, str | None]:
    """The status and error of a job whose processes ended with ``code``."""
    if killed:
        return JobStatus.ABORTED, "stopped by request" + (
            f" (exit {describe_code(code)})" if code is not None else " (SIGKILL)"
        )
    if code == 0:
        return JobStatus.DONE, None
    if code is None:
        return JobStatus.FAILED, "the job's processes were killed (SIGKILL) from outside"
    return JobStatus.FAILED, f"exited with {describe_code(code)}"


def lost(pid: int | None) -> str:
    """The error of a job whose process vanished without an exit status."""
    what = f"process {pid}" if pid else "the job's runner"
    return (
        f"{what} is gone and left no exit status (it ended while "
        "the server was down, or was killed with SIGKILL)"
    )


def describe_code(code: int) -> str:
    """``code 1`` or ``signal SIGTERM`` (a negative code is the signal that ended it)."""
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"code {code}"


def pids(numbers: list[int]) -> str:
    """``pid 5`` or ``pids 5, 6``."""
    return ("pid " if len(numbers) == 1 else "pids ") + ", ".join(map(str, numbers))


def explained(error: str, log_tail: bytes) -> str:
    """``error`` with the reason read from the end of the log, when one is recognised.

    Only the last attempt's output counts: an earlier attempt's traceback
    above the newest banner says nothing about this one.
    """
    cut = log_tail.rfind(ATTEMPT_BANNER)
    why = explain(log_tail[cut:] if cut >= 0 else log_tail)
    return f"{error}: {why}" if why else error


def retry_reason(retries_used: int, max_retries: int, error: str | None) -> str | None:
    """Why a failed job is queued again, or None when it has no retry left."""
    if retries_used >= max_retries:
        return None
    return f"retry {retries_used + 1} of {max_retries} after: {error or 'a failure'}"


def attempt_env(attempt: int) -> dict[str, str]:
    """What a job is told about its attempt: trainers resume from a checkpoint past the first."""
    env = {"FORGATHER_LAB_ATTEMPT": str(attempt)}
    if attempt > 1:
        env["FORGATHER_LAB_RESUME"] = "1"
    return env


def attempt_banner(attempt: int, after: str | None) -> bytes:
    """The line that separates one attempt's output from the previous one's in the log."""
    why = f" ({after})" if after else ""
    return ATTEMPT_BANNER + f"{attempt}{why} ---\n".encode("utf-8", "replace")
