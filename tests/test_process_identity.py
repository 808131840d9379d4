"""Process identity (PID plus create time) read from /proc, as psutil reads it.

Create times psutil gave are kept in job records from before, and the reader
here replaced psutil's on the hot path (issue 19): both must agree to the bit.
"""

from __future__ import annotations

import subprocess
import sys
import time

import psutil

from forgather_lab.jobs import processes
from forgather_lab.jobs.processes import create_time, is_same_process


def test_create_times_are_psutil_s_to_the_bit() -> None:
    compared = 0
    for proc in psutil.process_iter():
        try:
            expected = proc.create_time()
        except psutil.Error:
            continue
        found = create_time(proc.pid)
        if found is None:
            continue  # ended between the two reads
        assert found == expected, proc.pid
        compared += 1
    assert compared >= 2
    assert processes.boot_time() == psutil.boot_time()


NAMED = """
import ctypes, sys
ctypes.CDLL(None).prctl(15, b"a) b (c", 0, 0, 0)  # PR_SET_NAME
print("named", flush=True)
sys.stdin.read()
"""


def test_a_process_is_itself_until_it_ends_and_never_a_namesake() -> None:
    # A name with spaces and parentheses: the fields are read after the last ")".
    child = subprocess.Popen(
        [sys.executable, "-c", NAMED], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == b"named\n"
        with open(f"/proc/{child.pid}/stat", "rb") as f:
            assert b"(a) b (c)" in f.read()
        started = create_time(child.pid)
        assert started is not None
        assert is_same_process(child.pid, started)
        assert is_same_process(child.pid, None)
        assert not is_same_process(child.pid, started - 1.0)  # a recycled PID's process
    finally:
        assert child.stdin is not None
        child.stdin.close()
    deadline = time.monotonic() + 10
    while is_same_process(child.pid, started):  # a zombie until reaped: not alive
        assert time.monotonic() < deadline, "a zombie counted as alive"
        time.sleep(0.01)
    assert psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE
    child.wait()
    assert create_time(child.pid) is None
    assert not is_same_process(child.pid, started)
    assert not is_same_process(None, None)
    assert not is_same_process(0, None)


def test_the_boot_time_is_read_again_once_the_wall_clock_moves() -> None:
    processes.boot_time()
    kept = processes._boot
    if kept is None:  # read too near a whole second to keep: read again
        time.sleep(0.01)
        processes.boot_time()
        kept = processes._boot
    assert kept is not None
    # As if the wall clock had been set back an hour since: the kept value is not used.
    processes._boot = (kept[0] - 3600.0, kept[1] - 3600.0)
    assert processes.boot_time() == psutil.boot_time()
