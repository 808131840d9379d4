"""The ``forgather-lab`` console script, run as a user would, against a real server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest_server import LiveServer, wait_for

EXE = str(Path(sys.executable).parent / "forgather-lab")


def cli(
    server: LiveServer | None, *args: str, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v for k, v in os.environ.items() if not k.startswith(("FORGATHER_LAB", "JUPYTERHUB"))
    }
    base["JUPYTER_RUNTIME_DIR"] = str(server.runtime_dir) if server else "/nonexistent-runtime"
    if server:
        base.update(server.env)
    base.update(env or {})
    base["COLUMNS"] = "200"
    return subprocess.run([EXE, *args], env=base, capture_output=True, text=True, timeout=timeout)


def ok(server: LiveServer, *args: str) -> str:
    r = cli(server, *args)
    assert r.returncode == 0, r.stderr
    return r.stdout


def js(server: LiveServer, *args: str) -> object:
    return json.loads(ok(server, "--json", *args))


def _sleeper(server: LiveServer, seconds: int = 30, *extra: str) -> str:
    job = js(
        server,
        "enqueue",
        *extra,
        "--",
        sys.executable,
        "-c",
        f"import time; print('cli-hello', flush=True); time.sleep({seconds})",
    )
    return job["id"]


def test_sched_status_list_pause_resume(live_server: LiveServer) -> None:
    assert "enabled" in ok(live_server, "sched", "status")
    assert js(live_server, "sched", "pause")["enabled"] is False
    try:
        job_id = _sleeper(live_server, 30, "--priority", "3", "--name", "cli sleeper")
        listing = ok(live_server, "sched", "list", "--status", "queued")
        assert job_id in listing
        assert "cli sleeper" in listing
        assert js(live_server, "sched", "status")["queued"] == 1
        assert "cancelled" in ok(live_server, "sched", "cancel", job_id)
    finally:
        assert "scheduler enabled" in ok(live_server, "sched", "resume")
    assert job_id in ok(live_server, "sched", "cleanup", job_id)
    assert "removed" in ok(live_server, "sched", "cleanup")
    assert js(live_server, "sched", "gc")["removed"] >= 0


def test_job_status_tail_dump_kill(live_server: LiveServer) -> None:
    job_id = _sleeper(live_server, 30, "--gpus", "1")
    wait_for(lambda: js(live_server, "job", "status", job_id)["job"]["status"] == "running")
    wait_for(lambda: "cli-hello" in ok(live_server, "job", "dump", job_id))
    status = ok(live_server, "job", "status", job_id)
    assert job_id in status
    assert "running" in status
    assert "SIGTERM" in json.dumps(js(live_server, "job", "kill", job_id))
    # tail ends by itself when the job ends
    assert "cli-hello" in ok(live_server, "job", "tail", job_id)


def test_job_force_kill_needs_yes(live_server: LiveServer) -> None:
    job_id = _sleeper(live_server, 30)
    r = cli(live_server, "job", "force-kill", job_id)
    assert r.returncode == 2
    assert "--yes" in r.stderr
    wait_for(lambda: js(live_server, "job", "status", job_id)["job"]["status"] == "running")
    assert js(live_server, "job", "force-kill", "--yes", job_id)["signal"] == "SIGKILL"


@pytest.mark.parametrize("action", ["save", "stop", "save-stop", "abort"])
def test_trainer_controls_answer_one_line(live_server: LiveServer, action: str) -> None:
    r = cli(live_server, "job", action, "no-such-job")
    assert r.returncode == 1  # 404: no such job (or no such control on an older server)
    assert r.stderr.count("\n") == 1
    assert r.stderr.startswith("forgather-lab: error: 404")


def test_gpu_commands(live_server: LiveServer) -> None:
    table = ok(live_server, "gpu", "status")
    assert "simulated" in table
    assert js(live_server, "gpu", "status")["gpus"][2]["index"] == 2
    assert js(live_server, "gpu", "disable", "2")["disabled"] is True
    assert js(live_server, "gpu", "priority", "2", "7")["min_priority"] == 7
    assert js(live_server, "gpu", "enable", "2") == {"disabled": False, "min_priority": 7}
    js(live_server, "gpu", "priority", "2", "0")
    r = cli(live_server, "gpu", "kill", "1")
    assert r.returncode == 2
    assert "--yes" in r.stderr
    assert "killed 0 of 0" in ok(live_server, "gpu", "kill", "--yes", "1")


def test_enqueue_config_job_or_clear_refusal(live_server: LiveServer) -> None:
    r = cli(
        live_server,
        "--json",
        "enqueue",
        "--project",
        "forgather-examples/hello_script",
        "--config",
        "count_words.yaml",
        "--arg",
        "steps=2",
        "--arg",
        "delay=0",
    )
    if r.returncode == 1:
        assert r.stderr.startswith("forgather-lab: error: 400")
    else:
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)["params"]["dynamic_args"] == {"steps": 2, "delay": 0}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["enqueue"], "say what to run"),
        (["enqueue", "--project", "p", "--config", "c", "--", "ls"], "not both"),
        (["enqueue", "--project", "p", "--config", "c", "--arg", "novalue"], "not KEY=VALUE"),
        (["enqueue", "--gpus", "-1", "--", "ls"], "expected a number >= 0"),
        (["sched"], "required"),
        (["sched", "frobnicate"], "invalid choice"),
        (["job", "status"], "required"),
        (["gpu", "priority", "x", "1"], "invalid int"),
        (["nope"], "invalid choice"),
    ],
)
def test_bad_arguments_exit_2_with_one_line(args: list[str], message: str) -> None:
    r = cli(None, *args)
    assert r.returncode == 2
    assert message in r.stderr
    assert "Traceback" not in r.stderr


def test_server_refusal_exits_1(live_server: LiveServer) -> None:
    r = cli(live_server, "job", "status", "nope")
    assert r.returncode == 1
    assert r.stderr.strip() == "forgather-lab: error: 404: No job 'nope'"
    assert "Traceback" not in r.stderr
    r = cli(live_server, "gpu", "disable", "42")
    assert r.returncode == 1
    r = cli(live_server, "--token", "wrong", "sched", "status")
    assert r.returncode == 1
    assert "403" in r.stderr


def test_unreachable_server_exits_3() -> None:
    r = cli(None, "--url", "http://127.0.0.1:9/", "sched", "status")
    assert r.returncode == 3
    assert r.stderr.startswith(
        "forgather-lab: error: Cannot reach the Jupyter server at http://127.0.0.1:9/"
    )
    assert r.stderr.count("\n") == 1
    r = cli(None, "gpu", "status")  # nothing to discover
    assert r.returncode == 3
    assert "No Jupyter server found" in r.stderr


def test_discovery_from_the_runtime_dir(live_server: LiveServer) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FORGATHER_LAB", "JUPYTERHUB"))}
    env["JUPYTER_RUNTIME_DIR"] = str(live_server.runtime_dir)
    r = subprocess.run(
        [EXE, "--json", "sched", "status"], env=env, capture_output=True, text=True, check=False
    )
    assert r.returncode == 0, r.stderr
    assert "enabled" in json.loads(r.stdout)


# -- global options anywhere on the line (as git and kubectl take them) -----------------


def test_json_after_the_command(live_server: LiveServer) -> None:
    gpus = json.loads(ok(live_server, "gpu", "status", "--json"))
    assert [g["index"] for g in gpus["gpus"]] == [0, 1, 2, 3]
    listing = json.loads(ok(live_server, "sched", "list", "--json", "--limit", "5"))
    assert "jobs" in listing
    assert json.loads(ok(live_server, "sched", "--json", "status"))["enabled"] is True
    # before and after at once is the same flag
    assert json.loads(ok(live_server, "--json", "sched", "status", "--json"))["enabled"] is True


def test_url_and_token_after_the_command(live_server: LiveServer) -> None:
    r = cli(None, "sched", "status", "--url", "http://127.0.0.1:9/")
    assert r.returncode == 3
    assert "http://127.0.0.1:9/" in r.stderr
    r = cli(live_server, "sched", "status", "--token", "wrong")
    assert r.returncode == 1
    assert "403" in r.stderr
    # given twice, the later one wins: the live server after an unreachable one
    later = ("--url", live_server.url, "--token", live_server.token)
    r = cli(None, "--url", "http://127.0.0.1:9/", "gpu", "status", "--json", *later)
    assert r.returncode == 0, r.stderr
    assert len(json.loads(r.stdout)["gpus"]) == 4


def test_global_options_parse_anywhere_but_after_a_command_separator() -> None:
    from forgather_lab.cli import build_parser

    parse = build_parser().parse_args
    assert parse(["gpu", "status"]).json is False
    assert parse(["gpu", "status"]).url is None
    assert parse(["gpu", "status", "--json"]).json is True
    assert parse(["--json", "gpu", "status"]).json is True
    ns = parse(["job", "--url", "http://a/", "kill", "x", "--token", "t"])
    assert (ns.url, ns.token, ns.id) == ("http://a/", "t", "x")
    assert parse(["--url", "http://a/", "gpu", "status", "--url", "http://b/"]).url == "http://b/"
    # after "--" the words are the job's own command, flags included
    ns = parse(["enqueue", "--name", "n", "--", "python", "x.py", "--json"])
    assert ns.json is False
    assert ns.command[-2:] == ["x.py", "--json"]
    assert "--json" in build_parser().format_help()
