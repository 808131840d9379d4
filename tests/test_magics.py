"""``%forgather`` in a real IPython shell, against a real server subprocess."""

from __future__ import annotations

import stat
import sys
from pathlib import Path

import pytest
from conftest_server import LiveServer, wait_for
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from forgather_lab.client import Client


@pytest.fixture
def ip(
    live_server: LiveServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> InteractiveShell:
    for k, v in live_server.env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "forgather_lab")
    shell.magics_manager.registry["ForgatherMagics"]._client = None  # rediscover per test
    return shell


def fg(ip: InteractiveShell, line: str, cell: str | None = None) -> object:
    if cell is None:
        return ip.run_line_magic("forgather", line)
    return ip.run_cell_magic("forgather", line, cell)


def _formats(ip: InteractiveShell, obj: object) -> dict[str, str]:
    data, _ = ip.display_formatter.format(obj)
    return data


def test_help_lists_every_subcommand(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    fg(ip, "help")
    out = capsys.readouterr().out
    for word in (
        "enqueue",
        "queue",
        "jobs",
        "status",
        "tail",
        "save",
        "cancel",
        "gpus",
        "%%forgather",
    ):
        assert word in out


def test_connect_and_gpus_render_html_and_text(
    ip: InteractiveShell, live_server: LiveServer
) -> None:
    info = _formats(ip, fg(ip, "connect"))
    assert live_server.url in info["text/plain"]
    assert "env" in info["text/plain"]
    gpus = _formats(ip, fg(ip, "gpus"))
    assert "<table" in gpus["text/html"]
    assert "simulated" in gpus["text/plain"]
    assert gpus["text/plain"].count("\n") >= 5  # title, header, 4 cards


def test_enqueue_command_then_status_tail_jobs(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    job = fg(
        ip,
        f"enqueue --name magic-cmd --priority 2 -- {sys.executable} -c \"print('magic says hi')\"",
    )
    assert isinstance(job, str)
    assert repr(job).startswith(f"queued {job} (magic-cmd, priority 2")
    fg(ip, f"tail {job}")  # returns when the job ends
    assert "magic says hi" in capsys.readouterr().out
    status = _formats(ip, fg(ip, f"status {job}"))["text/plain"]
    assert "done" in status
    assert "magic-cmd" in status
    assert job in _formats(ip, fg(ip, "jobs --status done"))["text/html"]


def test_cell_magic_runs_the_body_as_a_script(ip: InteractiveShell, tmp_path: Path) -> None:
    ip.user_ns["_unused"] = 1
    job = fg(ip, "enqueue --name cell-job", "import os\nprint('from the cell', os.getcwd())\n")
    client = Client()
    done = wait_for(lambda: (j := client.job(job)).status in {"done", "failed"} and j)
    assert done.status == "done"
    assert "from the cell" in client.tty(job)
    script = Path(done.params["argv"][-1])
    assert script.parent == tmp_path / "cache" / "forgather-lab" / "cells"
    assert stat.S_IMODE(script.stat().st_mode) == 0o600
    assert stat.S_IMODE(script.parent.stat().st_mode) == 0o700


def test_queue_cancel_and_controls(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    client = Client()
    client.pause()
    try:
        job = fg(ip, f"enqueue -- {sys.executable} -c 'import time; time.sleep(30)'")
        assert job in str(fg(ip, "queue"))
        fg(ip, f"cancel {job}")
        assert f"{job}: cancelled" in capsys.readouterr().out
    finally:
        client.resume()
    job = fg(ip, f"enqueue -- {sys.executable} -c 'import time; time.sleep(30)'")
    wait_for(lambda: client.job(job).status == "running")
    fg(ip, f"kill {job}")
    assert f"{job}: kill sent" in capsys.readouterr().out
    for action in ("save", "stop", "abort"):
        with pytest.raises(UsageError, match=r"^forgather: 40\d"):
            fg(ip, f"{action} no-such-job")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("frobnicate", "unknown subcommand"),
        ("enqueue", "say what to run"),
        ("enqueue --gpus many -- ls", "expected a whole number"),
        ("enqueue --project p --config c -- ls", "not both"),
        ("status", "required: id"),
        ("jobs --limit -3", "expected a number >= 0"),
        ("status 'unclosed", "No closing quotation"),
        ("status nope", "404: No job 'nope'"),
    ],
)
def test_errors_are_one_line_usage_errors(ip: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        fg(ip, line)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_cell_body_only_for_enqueue(ip: InteractiveShell) -> None:
    with pytest.raises(UsageError, match="only %%forgather enqueue"):
        fg(ip, "queue", "print(1)")
    with pytest.raises(UsageError, match="cell is empty"):
        fg(ip, "enqueue", "  \n")


def test_unreachable_server_is_one_line(ip: InteractiveShell) -> None:
    with pytest.raises(UsageError) as e:
        fg(ip, "connect http://127.0.0.1:9/ --token x")
    assert str(e.value).startswith(
        "forgather: Cannot reach the Jupyter server at http://127.0.0.1:9/"
    )


def test_run_cell_shows_no_traceback(
    ip: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    ip.run_cell("%forgather status nope")
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "UsageError: forgather: 404: No job 'nope'" in text
    assert "Traceback" not in text
