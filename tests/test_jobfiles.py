"""What the service reads and writes in a job's directory never goes through a link.

A job running as its owner owns its directory: it can put a link to any file
(or a FIFO) where its log, endpoint or provenance should be. The service runs
as root there, so following one would hand the owner that file.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest

from forgather_lab import jobfiles
from forgather_lab.executors.local import _read_exit_file
from forgather_lab.inference.endpoint import read_endpoint, write_private
from forgather_lab.jobs.logs import follow, read_tail

SECRET = b"root:the-password-hash:19000:0:99999:7:::\n"


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    path = tmp_path / "shadow"
    path.write_bytes(SECRET)
    return path


@pytest.fixture
def job_dir(tmp_path: Path) -> Path:
    path = tmp_path / "jobs" / "abcd1234"
    path.mkdir(parents=True)
    return path


def test_a_log_replaced_by_a_link_reads_as_missing(job_dir: Path, secret: Path) -> None:
    (job_dir / "output.log").symlink_to(secret)
    assert read_tail(job_dir / "output.log", 4096) == (b"", 0)

    async def followed() -> bytes:
        return b"".join([chunk async for chunk in follow(job_dir / "output.log", 0, lambda: False)])

    assert asyncio.run(followed()) == b""


def test_a_fifo_is_not_waited_on(job_dir: Path) -> None:
    os.mkfifo(job_dir / "output.log")
    # A blocking open of a FIFO with no writer would hang here for ever.
    assert read_tail(job_dir / "output.log", 4096) == (b"", 0)
    with pytest.raises(jobfiles.NotRegularFile):
        jobfiles.read_bytes(job_dir / "output.log")


def test_appending_refuses_a_link(job_dir: Path, secret: Path) -> None:
    (job_dir / "output.log").symlink_to(secret)
    with pytest.raises(FileNotFoundError):
        jobfiles.open_regular(job_dir / "output.log", os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    assert secret.read_bytes() == SECRET


def test_writing_replaces_a_planted_link_instead_of_following_it(
    job_dir: Path, secret: Path
) -> None:
    target = job_dir / "upstream_token"
    (job_dir / "upstream_token.tmp").symlink_to(secret)
    target.symlink_to(secret)
    jobfiles.write_private(target, "fresh")
    assert secret.read_bytes() == SECRET
    assert not target.is_symlink()
    assert target.read_text() == "fresh"
    assert oct(target.stat().st_mode & 0o777) == "0o600"


def test_an_endpoint_link_is_no_announcement(job_dir: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.json"
    write_private(elsewhere, '{"url": "http://127.0.0.1:1/v1"}')
    (job_dir / "endpoint.json").symlink_to(elsewhere)
    assert read_endpoint(job_dir) is None
    (job_dir / "endpoint.json").unlink()
    write_private(job_dir / "endpoint.json", '{"url": "http://127.0.0.1:1/v1"}')
    announced = read_endpoint(job_dir)
    assert announced is not None
    assert announced.url == "http://127.0.0.1:1/v1"


def test_an_exit_status_is_read_only_from_a_small_regular_file(job_dir: Path, secret: Path) -> None:
    # The local executor reads it on the event loop: a link, a FIFO or a huge file
    # the job's owner planted must neither block nor be read whole.
    path = job_dir / "exit_code"
    assert _read_exit_file(path) == (None, False)
    path.write_text("3\n")  # a line of its own: the runner saw nothing of the job left
    assert _read_exit_file(path) == (3, True)
    path.write_text("3")
    assert _read_exit_file(path) == (3, False)
    path.write_bytes(b"0" * 31 + b"7" + b"1" * 10_000_000)
    assert _read_exit_file(path) == (7, False)  # the first 32 bytes only
    path.unlink()
    path.symlink_to(secret)
    assert _read_exit_file(path) == (None, False)
    path.unlink()
    os.mkfifo(path)
    assert _read_exit_file(path) == (None, False)


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another account needs root")
def test_nothing_left_is_believed_only_from_a_runner_of_the_server_s(job_dir: Path) -> None:
    # A job's owner can write in its directory: an exit file of theirs saying that
    # nothing was left would free the card while a daemon of theirs still ran on it.
    path = job_dir / "exit_code"
    path.write_text("0\n")
    assert _read_exit_file(path) == (0, True)
    os.chown(path, 65534, 65534)
    assert _read_exit_file(path) == (0, False)
