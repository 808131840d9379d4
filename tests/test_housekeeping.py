"""Housekeeping on a real server: the log TTL sweep, tty.log links, the server config file."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for

from forgather_lab.control.server_config import ServerConfig, template
from forgather_lab.jobs.housekeeping import NOTE_PREFIX, link_log
from forgather_lab.settings import setting_names

NOTE = NOTE_PREFIX.decode()


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    # A TTL and a sweep interval small enough to watch a sweep happen.
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 1,
        "log_ttl": 1.0,
        "housekeeping_interval": 0.2,
    }


async def tty(api: Any, job_id: str) -> str:
    code, text = await api("jobs", job_id, "tty")
    assert code == 200
    return str(text or "")


async def test_finished_jobs_lose_their_log_after_the_ttl_running_ones_never(
    api: Any, state_dir: Path
) -> None:
    _, running = await api(
        "queue",
        method="POST",
        json_body=command("import time", "print('still alive', flush=True)", "time.sleep(60)"),
    )
    _, finished = await api("queue", method="POST", json_body=command("print('short lived')"))
    done = await wait_for(api, finished["id"], {"done"})
    await wait_for(api, running["id"], {"running"})
    assert "short lived" in await tty(api, finished["id"])
    try:
        deadline = time.monotonic() + 10
        while NOTE not in await tty(api, finished["id"]):
            assert time.monotonic() < deadline, "the finished job's log was never collected"
            await asyncio.sleep(0.1)
        assert time.time() - done["ended_at"] >= 1.0  # not before its TTL
        text = await tty(api, finished["id"])
        assert "short lived" not in text
        assert "log_ttl=1s" in text
        code, record = await api("jobs", finished["id"])
        assert code == 200
        assert record["status"] == "done"
        assert not (state_dir / "jobs" / finished["id"] / "token").exists()
        # Several sweeps have passed by now; the running job (older than the TTL) is untouched.
        await asyncio.sleep(1.2)
        assert "still alive" in await tty(api, running["id"])
        assert (state_dir / "jobs" / running["id"] / "token").exists()
    finally:
        await api("jobs", running["id"], "control", "kill", method="POST")
    await wait_for(api, running["id"], {"aborted", "failed", "done"})


async def test_a_config_jobs_log_is_linked_into_its_run_and_outlives_collection(
    api: Any, jp_root_dir: Path
) -> None:
    project = "forgather-examples/hello_script"
    code, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "training",
            "project_dir": project,
            "config": "count_words.yaml",
            "dynamic_args": {"steps": 3, "delay": 0},
        },
    )
    assert code == 201, job
    ended = await wait_for(api, job["id"], {"done", "failed"}, timeout=30)
    assert ended["status"] == "done", ended
    linked = jp_root_dir / project / "output_models" / "count_words" / "logs" / "tty.log"
    assert linked.is_file()
    assert not linked.is_symlink()
    deadline = time.monotonic() + 10
    while NOTE not in await tty(api, job["id"]):
        assert time.monotonic() < deadline
        await asyncio.sleep(0.1)
    # The job's own log went; the run keeps its console output.
    text = linked.read_text()
    assert text.strip()
    assert NOTE not in text


def test_link_log_refuses_to_write_outside_the_roots(tmp_path: Path) -> None:
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    log = tmp_path / "output.log"
    log.write_text("line\n")
    (root / "run").mkdir()
    (root / "run" / "logs").symlink_to(outside)  # a run whose logs/ leaves the roots
    with pytest.raises(Exception, match="outside"):
        link_log(log, root / "run", [root])
    assert list(outside.iterdir()) == []
    # A missing output_dir is created, inside; relinking replaces the older link.
    made = link_log(log, root / "new", [root])
    assert made.read_text() == "line\n"
    other = tmp_path / "second.log"
    other.write_text("second\n")
    assert link_log(other, root / "new", [root]).read_text() == "second\n"
    assert os.stat(made).st_ino == os.stat(other).st_ino


def test_link_log_makes_the_job_directory_its_runner_has_not_made_yet(tmp_path: Path) -> None:
    # A job handed to an idle runner is announced running before the runner makes
    # its directory; the link must not lose that race (seen in CI).
    root = tmp_path / "root"
    root.mkdir()
    log = tmp_path / "jobs" / "abc123" / "output.log"
    log.parent.parent.mkdir()
    made = link_log(log, root / "run", [root])
    assert os.stat(log.parent).st_mode & 0o777 == 0o700
    with open(log, "a") as f:  # the runner, a moment later: the same file
        f.write("from the runner\n")
    assert made.read_text() == "from the runner\n"


async def test_server_config_is_created_once_never_overwritten_and_edited(
    api: Any, jp_config_dir: Path
) -> None:
    code, first = await api("server-config", method="POST")
    assert code == 200, first
    path = Path(first["path"])
    assert first["created"] is True
    assert path == jp_config_dir / "jupyter_server_config.py"
    text = path.read_text()
    for name in setting_names():
        assert f"# c.ForgatherLab.{name} = " in text
    assert first["lab_path"] is None  # outside the server's root_dir

    edited = text + "c.ForgatherLab.log_ttl = 60.0\n"
    code, put = await api("server-config", "content", method="PUT", json_body={"content": edited})
    assert code == 200
    assert put["created"] is False
    code, again = await api("server-config", method="POST")
    assert code == 200
    assert again["created"] is False
    code, read = await api("server-config", "content")
    assert code == 200
    assert read["content"] == edited

    code, bad = await api("server-config", "content", method="PUT", json_body={"content": "a\x00b"})
    assert code == 400, bad
    assert path.read_text() == edited  # a refused write changes nothing


def test_server_config_template_is_python_and_lab_paths(tmp_path: Path) -> None:
    seen: dict[str, Any] = {}
    exec(compile(template(), "jupyter_server_config.py", "exec"), {"get_config": lambda: seen})
    assert ServerConfig(tmp_path / "conf", tmp_path).ensure().lab_path == (
        "conf/jupyter_server_config.py"
    )
    assert ServerConfig(tmp_path / ".jupyter", tmp_path).ensure().lab_path is None  # hidden
    missing = ServerConfig(tmp_path / "none", tmp_path)
    with pytest.raises(Exception, match="does not exist yet"):
        missing.read()
