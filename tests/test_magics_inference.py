"""``%forgather serve|servers|chat`` against a real server and a tiny local model.

One inference job (a model load is the slow part): served by the magic, listed,
chatted with one-shot and as a widget, then killed. Bad arguments are one line.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest_server import LiveServer, wait_for
from inference_helpers import build_in_subprocess
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell

from forgather_lab.client import Client
from forgather_lab.widgets import ChatWidget

pytestmark = pytest.mark.timeout(420)


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # A shared path: the CLI tests reuse the same build (it is skipped when present).
    return build_in_subprocess(tmp_path_factory.getbasetemp() / "tiny-gpt2-live")


@pytest.fixture
def ip(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> InteractiveShell:
    for k, v in live_server.env.items():
        monkeypatch.setenv(k, v)
    shell = InteractiveShell.instance()
    shell.run_line_magic("load_ext", "forgather_lab")
    shell.magics_manager.registry["ForgatherMagics"]._client = None  # rediscover per test
    return shell


def fg(ip: InteractiveShell, line: str) -> object:
    return ip.run_line_magic("forgather", line)


def wait_state(client: Client, job_id: str, ready: bool, timeout: float = 240) -> None:
    """Until the job's endpoint is ready (or, with ``ready=False``, gone from the list)."""

    def check() -> bool:
        rows = {r.job_id: r for r in client.inference_servers()}
        row = rows.get(job_id)
        if (
            ready
            and row is None
            and client.job(job_id).status not in {"queued", "starting", "running"}
        ):
            raise AssertionError(f"job ended: {client.job(job_id)}")
        return (row is not None and row.state == "ready") if ready else row is None

    wait_for(check, timeout=timeout, interval=0.3)


def test_serve_list_chat_widget_kill(
    ip: InteractiveShell,
    live_server: LiveServer,
    tiny_model: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    client = Client(live_server.url, live_server.token)
    job = fg(ip, f"serve {tiny_model} --gpus 0 --device cpu --name magic-infer --priority 3")
    job_id = str(job)
    assert repr(job).startswith(f"queued inference {job_id} (magic-infer")
    try:
        assert client.job(job_id).priority == 3
        wait_state(client, job_id, ready=True)

        table = fg(ip, "servers")
        text = str(table)
        assert job_id in text
        assert "ready" in text
        assert "<table" in table._repr_html_()  # type: ignore[attr-defined]

        capsys.readouterr()
        fg(ip, f'chat {job_id} "Hello there" --max-tokens 8 --temperature 0')
        assert capsys.readouterr().out.strip()
        fg(ip, 'chat "Hi" --max-tokens 4 --preset greedy --system "Be brief."')
        assert capsys.readouterr().out.strip()  # the one ready server by default

        widget = fg(ip, f"chat {job_id} --preset greedy")
        assert isinstance(widget, ChatWidget)
        assert (widget.job_id, widget.preset, widget.base) == (job_id, "greedy", "")

        with pytest.raises(UsageError, match="not a running inference server"):
            fg(ip, 'chat nosuchjob "hello"')
        with pytest.raises(UsageError, match="404"):
            fg(ip, f'chat {job_id} "hello" --preset no-such-preset')
    finally:
        fg(ip, f"kill {job_id}")
    wait_state(client, job_id, ready=False, timeout=60)
    capsys.readouterr()
    with pytest.raises(UsageError, match=f"{job_id} is not a running inference server"):
        fg(ip, f'chat {job_id} "still there?"')


def test_servers_empty_and_widget_without_job(ip: InteractiveShell) -> None:
    assert isinstance(fg(ip, "chat"), ChatWidget)
    assert fg(ip, "chat --base http://127.0.0.1:9/v1").base == "http://127.0.0.1:9/v1"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("serve", "required: model_path"),
        ("serve /m --gpus -1", "expected a number >= 0"),
        ("serve /m --dtype float8", "invalid choice"),
        ('chat a b "c d"', "too many words"),
        ('chat "hi" --max-tokens 0', "expected a number >= 1"),
        ("chat --base ftp://x/v1", "http(s) URL"),
        ("servers extra", "unrecognized arguments"),
    ],
)
def test_bad_arguments_are_one_line(ip: InteractiveShell, line: str, message: str) -> None:
    with pytest.raises(UsageError) as e:
        fg(ip, line)
    assert message in str(e.value)
    assert "\n" not in str(e.value)


def test_help_lists_inference(ip: InteractiveShell, capsys: pytest.CaptureFixture[str]) -> None:
    fg(ip, "help")
    out = capsys.readouterr().out
    for word in ("serve MODEL_PATH", "servers", "chat [JOB_ID]"):
        assert word in out
