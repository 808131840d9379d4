"""Bad input is the client's mistake (4xx), never a 500; a full disk says so (507).

Deep JSON, integers SQLite cannot hold, commands no process can be started
with, and a disk that fills up: each answers with a status and a message
naming what is wrong, and changes nothing.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import PY, command, job_token, wait_for

from forgather_lab.errors import BadRequest
from forgather_lab.handlers.base import MAX_JSON_DEPTH
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.jobs.launcher import RUNNER
from forgather_lab.models.jobs import MAX_ARG_BYTES, MAX_COMMAND_BYTES
from forgather_lab.store import Database, StorageFull

BIG = 2**63  # one past SQLite's largest INTEGER
SLEEP = "import time; time.sleep(60)"


def _nested_text(depth: int, kind: str = "list") -> str:
    """JSON nested ``depth`` levels deep, written out (json.dumps would recurse)."""
    opens, closes = [], []
    for i in range(depth):
        as_list = kind == "list" or (kind == "mixed" and i % 2)
        opens.append("[" if as_list else '{"k":')
        closes.append("]" if as_list else "}")
    return "".join(opens) + "1" + "".join(reversed(closes))


def _nested(depth: int, kind: str = "list") -> Any:
    return json.loads(_nested_text(depth, kind))


async def _no_jobs(api: Any) -> None:
    _, jobs = await api("jobs")
    assert jobs["jobs"] == []


# -- item: deeply nested JSON ---------------------------------------------------


@pytest.mark.parametrize("kind", ["list", "dict", "mixed"])
@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 500, 100_000])
@pytest.mark.parametrize(
    ("parts", "method", "field"),
    [
        (("queue",), "POST", "dynamic_args"),
        (("generation-configs", "deep"), "PUT", "params"),
        (("gpus", "0", "policy"), "POST", "disabled"),
        (("services",), "POST", "args"),
    ],
)
async def test_deep_json_is_a_400_on_any_body(
    api: Any, parts: tuple[str, ...], method: str, field: str, depth: int, kind: str
) -> None:
    # 100 000 levels overflow the parser itself (RecursionError); fewer pass it and
    # are refused before validation; either way the same 400.
    body = f'{{"{field}": {_nested_text(depth, kind)}}}'.encode()
    status, reply = await api(*parts, method=method, raw_body=body)
    assert status == 400, reply
    assert "nested too deeply" in reply["message"]
    assert reply["reason"] == "body_too_deep"


async def test_nesting_up_to_the_limit_is_accepted(api: Any) -> None:
    # The body and dynamic_args are two levels; the rest makes up the limit exactly.
    for depth, expected in [(MAX_JSON_DEPTH - 2, 201), (MAX_JSON_DEPTH - 1, 400)]:
        body = {**command("print(1)"), "dynamic_args": {"x": _nested(depth, kind="dict")}}
        status, reply = await api("queue", method="POST", json_body=body)
        assert status == expected, reply


async def test_deep_json_in_the_callback_is_a_400(api: Any, state_dir: Path) -> None:
    _, job = await api("queue", method="POST", json_body=command(SLEEP))
    await wait_for(api, job["id"], {"running"})
    token = await job_token(state_dir, job["id"])
    bearer = {"Authorization": f"Bearer {token}"}
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        body = f'{{"hello": {_nested_text(depth, "mixed")}}}'.encode()
        status, reply = await api(
            "jobs", job["id"], "callback", method="POST", raw_body=body, headers=bearer
        )
        assert status == 400, reply
        assert "nested too deeply" in reply["message"]
    await api("jobs", job["id"], "control", "kill", method="POST")


# -- item: integers SQLite cannot hold -------------------------------------------


@pytest.mark.parametrize("value", [str(BIG), str(2**64), "9" * 40, "9" * 5000])
async def test_huge_integers_in_queries_are_400(api: Any, value: str) -> None:
    _, job = await api("queue", method="POST", json_body=command("print(1)"))
    for parts, name in [
        (("jobs", job["id"], "metrics"), "since_step"),
        (("jobs",), "offset"),
    ]:
        status, reply = await api(*parts, params={name: value})
        assert status == 400, (parts, reply)
        assert name in reply["message"]
    status, reply = await api("jobs", job["id"], "metrics", params={"since_step": str(BIG - 1)})
    assert status == 200, reply
    assert reply == {"series": {}}
    status, reply = await api("jobs", params={"offset": str(BIG - 1)})
    assert status == 200, reply


@pytest.mark.parametrize(
    ("batch", "field"),
    [
        ({"records": [{"kind": "progress", "step": BIG, "metrics": {"loss": 1}}]}, "step"),
        ({"records": [{"kind": "progress", "step": 2**70}]}, "step"),
        ({"records": [{"kind": "eval", "step": BIG, "metrics": {"acc": 1}}]}, "step"),
        ({"records": [{"kind": "checkpoint", "step": BIG, "path": "x"}]}, "step"),
        ({"records": [{"kind": "progress", "step": 1, "max_steps": BIG}]}, "max_steps"),
        ({"ack": [BIG]}, "ack"),
        ({"ack": [1, 2**100]}, "ack"),
        ({"dropped": BIG}, "dropped"),
    ],
)
async def test_huge_integers_in_the_callback_are_400(
    api: Any, state_dir: Path, batch: dict[str, Any], field: str
) -> None:
    _, job = await api("queue", method="POST", json_body=command(SLEEP))
    await wait_for(api, job["id"], {"running"})
    token = await job_token(state_dir, job["id"])
    bearer = {"Authorization": f"Bearer {token}"}
    status, reply = await api(
        "jobs", job["id"], "callback", method="POST", json_body=batch, headers=bearer
    )
    assert status == 400, reply
    assert field in reply["message"]
    # Nothing of the batch was stored, and the largest value that fits still works.
    _, st = await api("jobs", job["id"], "status")
    assert st["step"] is None
    fits = {"records": [{"kind": "progress", "step": BIG - 1, "metrics": {"loss": 1}}]}
    status, reply = await api(
        "jobs", job["id"], "callback", method="POST", json_body=fits, headers=bearer
    )
    assert status == 200, reply
    _, series = await api("jobs", job["id"], "metrics")
    assert series["series"]["loss"] == [[BIG - 1, 1.0]]
    await api("jobs", job["id"], "control", "kill", method="POST")


def test_the_store_answers_400_for_values_sqlite_cannot_bind(tmp_path: Path) -> None:
    """The safety net under every route whose model does not bound a number."""
    db = Database(tmp_path / "forgather.db")
    db.open()
    try:
        for value in (BIG, -(2**63) - 1, 10**30):
            with pytest.raises(BadRequest, match="too large to store"):
                db.call(lambda c, v=value: c.execute("SELECT ?", (v,)).fetchone())
        with pytest.raises(BadRequest, match="cannot be stored"):
            db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', ?)", ("\ud800",)))
        # The connection is still usable afterwards.
        assert db.call(lambda c: c.execute("SELECT ?", (BIG - 1,)).fetchone()[0]) == BIG - 1
    finally:
        db.close()


async def test_unstorable_text_is_a_400(api: Any) -> None:
    body = {**command("print(1)"), "name": "bad \ud800 name"}
    status, reply = await api("queue", method="POST", raw_body=json.dumps(body).encode())
    assert status == 400, reply
    await _no_jobs(api)


# -- item: commands no process can be started with -------------------------------


_BAD_COMMANDS = [
    ({"argv": ["ec\x00ho", "hi"]}, "job_params.argv.0", "NUL"),
    ({"argv": ["echo", "h\x00i"]}, "job_params.argv.1", "NUL"),
    ({"argv": ["", "hi"]}, "job_params.argv", "empty"),
    ({"argv": ["echo"], "env": {"A=B": "1"}}, "job_params.env", "'='"),
    ({"argv": ["echo"], "env": {"=": "1"}}, "job_params.env", "'='"),
    ({"argv": ["echo"], "env": {"": "1"}}, "job_params.env", "empty"),
    ({"argv": ["echo"], "env": {"A\x00": "1"}}, "job_params.env", "NUL"),
    ({"argv": ["echo"], "env": {"A": "x\x00y"}}, "job_params.env.A", "NUL"),
    ({"argv": ["echo", "\ud800"]}, "job_params.argv.1", "surrogate"),
    ({"argv": ["echo"], "env": {"A": "\udfff"}}, "job_params.env.A", "surrogate"),
    ({"argv": ["echo", "x" * MAX_ARG_BYTES]}, "job_params.argv.1", "bytes"),
    ({"argv": ["echo", "é" * (MAX_ARG_BYTES // 2)]}, "job_params.argv.1", "bytes"),
    ({"argv": ["echo"], "env": {"A": "x" * MAX_ARG_BYTES}}, "job_params.env.A", "bytes"),
    ({"argv": ["echo"] + ["x" * 100_000] * 3}, "job_params", "at most"),
    (
        {"argv": ["echo", "x" * 100_000], "env": {"A": "y" * 100_000, "B": "z" * 100_000}},
        "job_params",
        "at most",
    ),
    ({"argv": ["echo"] + ["x"] * 5000}, "job_params.argv", "at most"),
    ({"argv": ["echo"], "env": {f"V{i}": "1" for i in range(2000)}}, "job_params.env", "at most"),
    ({"argv": ["echo"], "cwd": "/tm\x00p"}, "job_params.cwd", "NUL"),
]


@pytest.mark.parametrize(("params", "field", "needle"), _BAD_COMMANDS)
async def test_commands_no_process_can_run_are_400(
    api: Any, params: dict[str, Any], field: str, needle: str
) -> None:
    body = {"job_type": "command", "job_params": params}
    status, reply = await api("queue", method="POST", raw_body=json.dumps(body).encode())
    assert status == 400, reply
    assert field in reply["message"]
    assert needle in reply["message"]
    await _no_jobs(api)


@pytest.mark.parametrize(("params", "field", "needle"), _BAD_COMMANDS[:-1])
async def test_inference_commands_are_held_to_the_same_rules(
    api: Any, params: dict[str, Any], field: str, needle: str
) -> None:
    job_params = {"command": params["argv"], "env": params.get("env", {}), "port": 8931}
    body = {"job_type": "inference", "job_params": job_params}
    status, reply = await api("queue", method="POST", raw_body=json.dumps(body).encode())
    assert status == 400, reply
    assert field.replace("argv", "command") in reply["message"]
    assert needle in reply["message"]
    await _no_jobs(api)


@pytest.mark.parametrize("field", ["model_path", "cwd"])
async def test_inference_paths_with_nul_are_400(api: Any, field: str) -> None:
    job_params = {"model_path": "/tmp/model", field: "/tm\x00p"}
    body = {"job_type": "inference", "job_params": job_params}
    status, reply = await api("queue", method="POST", raw_body=json.dumps(body).encode())
    assert status == 400, reply
    assert f"job_params.{field}" in reply["message"]
    await _no_jobs(api)


@pytest.mark.parametrize("logdir", ["/tm\x00p", "a/" * 3000 + "deep"])
async def test_tensorboard_logdirs_the_os_refuses_are_400(api: Any, logdir: str) -> None:
    body = {"job_type": "tensorboard", "job_params": {"logdir": logdir}}
    status, reply = await api("queue", method="POST", raw_body=json.dumps(body).encode())
    assert status == 400, reply
    assert "job_params.logdir" in reply["message"]
    await _no_jobs(api)


async def test_a_ten_megabyte_argv_is_refused_not_stored(api: Any) -> None:
    body = {"job_type": "command", "job_params": {"argv": ["echo", "x" * 10_000_000]}}
    status, reply = await api("queue", method="POST", json_body=body)
    assert status == 400
    assert len(reply["message"]) < 1000  # the refusal does not echo the argument back
    await _no_jobs(api)


async def test_the_largest_command_allowed_runs(api: Any, tmp_path: Path) -> None:
    out = tmp_path / "len.txt"
    big = "x" * (MAX_ARG_BYTES - 1)
    code = (
        f"import sys, os; open({str(out)!r}, 'w')"
        ".write(str(len(sys.argv[1]) + len(os.environ['BIG'])))"
    )
    body = {
        "job_type": "command",
        "job_params": {"argv": [PY, "-c", code, big], "env": {"BIG": "y" * 100_000}},
    }
    status, job = await api("queue", method="POST", json_body=body)
    assert status == 201, job
    done = await wait_for(api, job["id"], {"done", "failed"})
    assert done["status"] == "done", done
    assert out.read_text() == str(len(big) + 100_000)
    assert len(big) + 100_000 <= MAX_COMMAND_BYTES


def _run_runner(tmp_path: Path, argv: Any, env: Any, cwd: str | None = None) -> tuple[int, str]:
    log, exit_file = tmp_path / "output.log", tmp_path / "exit_code"
    job = {"argv": argv, "env": env, "cwd": cwd, "log": str(log), "exit_file": str(exit_file)}
    proc = subprocess.run(
        [sys.executable, "-I", "-S", RUNNER],
        input=json.dumps(job).encode(),
        timeout=30,
        check=False,
    )
    assert exit_file.read_text() == f"{proc.returncode}\n"  # nothing of it left
    return proc.returncode, log.read_text()


@pytest.mark.parametrize(
    ("argv", "env", "cwd", "needle"),
    [
        (["ec\x00ho"], {}, None, "invalid command"),
        (["echo", "a\x00"], {}, None, "invalid command"),
        (["echo"], {"A=B": "1"}, None, "invalid command"),
        (["echo"], {"A": "\x00"}, None, "invalid command"),
        (["echo", "\ud800"], {}, None, "invalid command"),
        (["echo"], {"A": 1}, None, "invalid command"),
        ([], {}, None, "invalid command"),
        (["echo"], {}, "/no/such/dir", "No such file"),
        (["echo"], {}, "/tm\x00p", "invalid command"),
        (["/no/such/program"], {}, None, "No such file"),
    ],
)
def test_the_runner_records_why_it_could_not_start(
    tmp_path: Path, argv: Any, env: Any, cwd: str | None, needle: str
) -> None:
    """A job that cannot start exits 127 with the reason in its log (not a silent death)."""
    code, log = _run_runner(tmp_path, argv, env, cwd)
    assert code == 127
    assert "forgather-lab: cannot run the job" in log
    assert needle in log


async def test_a_stored_job_that_cannot_start_says_why(api: Any, jp_serverapp: Any) -> None:
    """A record from before enqueue validated commands fails with 127, not 'killed from outside'."""
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    job = runtime.db.call(
        lambda c: jobs_repo.insert(
            c,
            name="old",
            job_type="command",
            priority=0,
            requested_gpus=0,
            params={"argv": ["ec\x00ho", "hi"], "cwd": None, "env": {}},
        )
    )
    runtime.dispatcher.wake()
    done = await wait_for(api, job.id, {"failed", "done"})
    assert done["exit_code"] == 127
    assert "SIGKILL" not in (done["error"] or "")
    _, log = await api("jobs", job.id, "tty")
    assert "cannot run the job" in log


# -- item: a full disk -----------------------------------------------------------


def _fill(runtime: Any) -> None:
    """A real SQLITE_FULL: the database may not grow by one more page."""

    def cap(conn: Any) -> None:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages}")

    runtime.db.call(cap)


def _free(runtime: Any) -> None:
    runtime.db.call(lambda c: c.execute("PRAGMA max_page_count = 4294967294"))


def _bulky(name: str) -> dict[str, Any]:
    # Big enough to need new pages whatever free space the file has.
    body = command("print(1)", name=name)
    body["job_params"]["argv"] += ["x" * 100_000, "y" * 100_000]
    return body


async def test_a_full_disk_is_507_and_health_says_so(
    api: Any, jp_serverapp: Any, state_dir: Path
) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    status, kept = await api("queue", method="POST", json_body=command("print(1)", name="kept"))
    assert status == 201
    _fill(runtime)
    try:
        status, reply = await api("queue", method="POST", json_body=_bulky("lost"))
        assert status == 507, reply
        assert reply["reason"] == "storage_full"
        assert "full" in reply["message"]
        assert str(state_dir.resolve()) in reply["message"]
        status, health = await api("health")
        assert status == 503
        assert health["status"] == "error"
        assert "full" in health["message"]
        # Reads still work, and nothing half-written shows up.
        status, jobs = await api("jobs")
        assert status == 200
        assert [j["name"] for j in jobs["jobs"]] == ["kept"]
        status, _ = await api("jobs", kept["id"])
        assert status == 200
    finally:
        _free(runtime)
    # Health stays "error" only until a write succeeds again.
    status, job = await api("queue", method="POST", json_body=_bulky("after"))
    assert status == 201, job
    status, health = await api("health")
    assert (status, health["status"], health["message"]) == (200, "ok", None)


async def test_a_full_disk_refuses_reports_with_507(
    api: Any, jp_serverapp: Any, state_dir: Path
) -> None:
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    _, job = await api("queue", method="POST", json_body=command(SLEEP))
    await wait_for(api, job["id"], {"running"})
    token = await job_token(state_dir, job["id"])
    bearer = {"Authorization": f"Bearer {token}"}
    records = [
        {"kind": "progress", "step": s, "metrics": {f"m{s % 50}": s * 0.5}} for s in range(20_000)
    ]
    _fill(runtime)
    try:
        status, reply = await api(
            "jobs", job["id"], "callback", method="POST", json_body={"records": records},
            headers=bearer,
        )  # fmt: skip
        assert status == 507, reply
        assert "full" in reply["message"]
    finally:
        _free(runtime)
    status, reply = await api(
        "jobs", job["id"], "callback", method="POST", json_body={"records": records[:10]},
        headers=bearer,
    )  # fmt: skip
    assert status == 200, reply
    await api("jobs", job["id"], "control", "kill", method="POST")


def test_enospc_from_the_store_is_storage_full(tmp_path: Path) -> None:
    db = Database(tmp_path / "forgather.db")
    db.open()

    def write_a_file(_conn: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    try:
        with pytest.raises(StorageFull) as info:
            db.call(write_a_file)
        assert info.value.status == 507
        assert db.problem is not None
        assert "full" in db.problem
        db.call(lambda c: c.execute("INSERT INTO settings VALUES ('k', 'v')"))
        assert db.problem is None
    finally:
        db.close()
