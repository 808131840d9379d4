"""Provenance captured at dispatch: git state, diff, environment names (never values)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for, wait_until

SECRET = "s3cr3t-value-that-must-never-leak"
SERVER_SECRET = "server-side-secret-value-0451"


@pytest.fixture
def server_secret(monkeypatch: pytest.MonkeyPatch) -> str:
    # The server's own environment (before it starts): a secret-looking name and a token.
    monkeypatch.setenv("MY_SERVICE_API_KEY", SERVER_SECRET)
    return SERVER_SECRET


def _git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=t@example.invalid", *args],
        cwd=repo,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip()


@pytest.fixture
def dirty_repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "repo"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "exp/lr-sweep")
    (repo / "train.py").write_text("lr = 0.1\n")
    _git(repo, "add", "train.py")
    _git(repo, "commit", "-q", "-m", "first")
    commit = _git(repo, "rev-parse", "HEAD")
    (repo / "train.py").write_text("lr = 0.5  # changed, not committed\n")
    (repo / "notes.txt").write_text("untracked\n")
    return repo, commit


async def _provenance(api: Any, job_id: str) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def captured() -> bool:
        status, body = await api("jobs", job_id, "provenance")
        if status == 200:
            found.update(body)
            return True
        assert status == 404, body
        assert body["reason"] == "provenance_pending", body
        return False

    await wait_until(captured, timeout=30)
    return found


async def test_provenance_of_a_job_in_a_dirty_repository(
    api: Any, jp_fetch: Any, dirty_repo: tuple[Path, str], server_secret: str
) -> None:
    repo, commit = dirty_repo
    body = command(
        "import time; time.sleep(0.5)",
        cwd=str(repo),
        env={"WANDB_API_KEY": SECRET, "PLAIN_SETTING": "visible-name"},
    )
    status, job = await api("queue", method="POST", json_body=body)
    assert status == 201, job
    await wait_for(api, job["id"], {"running", "done"})
    record = await _provenance(api, job["id"])
    assert record["job_id"] == job["id"]
    assert record["argv"] == body["job_params"]["argv"]
    assert record["cwd"] == str(repo)
    git = record["git"]
    assert git["root"] == str(repo)
    assert git["commit"] == commit
    assert git["branch"] == "exp/lr-sweep"
    assert git["dirty"] is True
    assert git["untracked"] == ["notes.txt"]
    assert git["diff_bytes"] > 0
    assert not git["diff_truncated"]
    # Names only: the job's own and the allow-listed base ones, and what the launcher adds.
    assert {"WANDB_API_KEY", "PLAIN_SETTING", "PATH", "FORGATHER_LAB_JOB_ID"} <= set(
        record["env_keys"]
    )
    assert "MY_SERVICE_API_KEY" not in record["env_keys"]  # never passed to jobs at all
    assert record["python"] == ".".join(map(str, sys.version_info[:3]))
    assert record["packages_source"] == "job"
    names = {p["name"].lower() for p in record["packages"]}
    assert {"pydantic", "jupyter-server"} <= names or {"pydantic", "jupyter_server"} <= names
    assert record["host"]["hostname"] == os.uname().nodename
    assert record["config"] is None
    # The diff file, next to the log, and served as text/x-diff.
    response = await jp_fetch("forgather", "api", "jobs", job["id"], "provenance", "diff")
    assert response.headers["Content-Type"].startswith("text/x-diff")
    diff = response.body.decode()
    assert "-lr = 0.1" in diff
    assert "+lr = 0.5  # changed, not committed" in diff
    assert len(response.body) == git["diff_bytes"]
    assert Path(record["git_diff"]).parent == Path(job["log_path"] or record["git_diff"]).parent
    # No secret value anywhere: not in the record, not in the file on disk.
    text = json.dumps(record)
    assert SECRET not in text
    assert server_secret not in text
    on_disk = (Path(record["git_diff"]).parent / "provenance.json").read_text()
    assert SECRET not in on_disk
    assert server_secret not in on_disk
    assert (Path(record["git_diff"]).parent / "provenance.json").stat().st_mode & 0o077 == 0
    # The export: the same record, as an attachment.
    response = await jp_fetch(
        "forgather", "api", "jobs", job["id"], "provenance", params={"download": "1"}
    )
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(response.body) == record


async def test_provenance_outside_a_repository_has_no_git(api: Any, tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    status, job = await api("queue", method="POST", json_body=command("pass", cwd=str(plain)))
    assert status == 201, job
    record = await _provenance(api, job["id"])
    assert record["git"] is None
    assert record["git_diff"] is None
    assert record["cwd"] == str(plain)
    status, diff = await api("jobs", job["id"], "provenance", "diff")
    assert status == 200
    assert not diff


async def test_provenance_of_a_config_job_records_the_rendered_config(api: Any) -> None:
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "training",
            "project_dir": "forgather-examples/hello_script",
            "config": "count_words.yaml",
            "dynamic_args": {"steps": 3, "delay": 0},
        },
    )
    assert status == 201, job
    record = await _provenance(api, job["id"])
    config = record["config"]
    assert config["project_dir"] == "forgather-examples/hello_script"
    assert config["config"] == "count_words.yaml"
    assert config["dynamic_args"] == {"steps": 3, "delay": 0}
    assert "steps: 3" in config["rendered"]
    assert record["argv"][0] == sys.executable
    assert record["argv"][-1] == "0" or "--steps" in record["argv"]
    await wait_for(api, job["id"], {"done"}, timeout=60)


async def test_provenance_errors(api: Any) -> None:
    status, body = await api("jobs", "nosuchjob", "provenance")
    assert status == 404
    assert body["reason"] == "not_found"
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    _, job = await api("queue", method="POST", json_body=command("pass"))
    status, body = await api("jobs", job["id"], "provenance")
    assert status == 404, body
    assert body["reason"] == "provenance_pending", body
    status, body = await api("jobs", job["id"], "provenance", params={"download": "2"})
    assert status == 400
    status, _ = await api("queue", job["id"], method="DELETE")
    status, body = await api("jobs", job["id"], "provenance")
    assert status == 404
    assert body["reason"] in {"provenance_missing", "provenance_pending"}


async def test_jobs_started_together_each_get_their_own_record_and_one_failure_is_theirs(
    api: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Captures of jobs that start together are made together (runs/service.py): each
    # record must still be its own job's, and one that fails must not take the others.
    from forgather_lab.runs import provenance

    real = provenance.capture

    def capture(job: Any, *args: Any, **kwargs: Any) -> Any:
        if job.name == "unlucky":
            raise OSError("disk full")
        return real(job, *args, **kwargs)

    monkeypatch.setattr(provenance, "capture", capture)
    await api("queue", "scheduler", method="POST", json_body={"enabled": False})
    dirs = [tmp_path / f"d{i}" for i in range(6)]
    bodies = []
    for i, d in enumerate(dirs):
        d.mkdir()
        bodies.append(command("pass", cwd=str(d), name="unlucky" if i == 3 else f"job{i}"))
    status, batch = await api("queue", "batch", method="POST", json_body={"jobs": bodies})
    assert status == 201, batch
    jobs = batch["jobs"]
    await api("queue", "scheduler", method="POST", json_body={"enabled": True})
    for i, job in enumerate(jobs):
        await wait_for(api, job["id"], {"done"}, timeout=60)
        if i == 3:
            continue
        record = await _provenance(api, job["id"])
        assert record["job_id"] == job["id"]
        assert record["cwd"] == str(dirs[i])

    async def failed() -> bool:
        status, body = await api("jobs", jobs[3]["id"], "provenance")
        assert status == 404, body
        return bool(body["reason"] == "provenance_missing")

    await wait_until(failed, timeout=30)
    _, body = await api("jobs", jobs[3]["id"], "provenance")
    assert "OSError: disk full" in body["message"], body


def test_a_record_s_text_is_its_json_with_the_listing_made_once() -> None:
    # record_text puts a kept listing's JSON into the rest of the record's: byte for
    # byte what the record's own dump says, whatever its strings hold.
    from forgather_lab.models.runs import DescribeProvenance, HostProvenance, PackageVersion
    from forgather_lab.runs import provenance

    def record(packages: list[PackageVersion], argv: list[str]) -> DescribeProvenance:
        return DescribeProvenance(
            job_id="j1",
            attempt=1,
            captured_at=1.5,
            argv=argv,
            cwd="/tmp",
            env_keys=["PATH"],
            git=None,
            git_diff=None,
            python="3.11.7",
            python_executable=None,
            packages_source="server",
            packages=packages,
            config=None,
            host=HostProvenance(hostname="h", platform="p"),
            gpus=[],
        )

    server = provenance.server_packages()
    odd = [PackageVersion(name='q"uote\\ü', version="1.0\n2"), PackageVersion(name="b", version="")]
    tricky = ['"packages": []', "x"]
    for packages in (server, odd, []):
        listing = provenance.listing_text(packages)
        for argv in (["true"], tricky):
            expected = record(packages, argv).model_dump_json(indent=2)
            assert provenance.record_text(record(packages, argv), listing) == expected
            assert provenance.record_text(record(packages, argv)) == expected
    tricky_text = provenance.record_text(record(odd, tricky), provenance.listing_text(odd))
    assert json.loads(tricky_text)["argv"] == tricky


def test_the_server_s_secrets_are_read_again_when_its_environment_changes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from forgather_lab.runs import provenance

    monkeypatch.setenv("LATE_SERVICE_TOKEN", "first-token-value")
    assert "first-token-value" in provenance._server_secrets()
    monkeypatch.setenv("LATE_SERVICE_TOKEN", "second-token-value")  # same name, same count
    assert "second-token-value" in provenance._server_secrets()
    assert "first-token-value" not in provenance._server_secrets()
    monkeypatch.delenv("LATE_SERVICE_TOKEN")
    assert "second-token-value" not in provenance._server_secrets()


def test_a_directory_is_in_a_repository_when_it_or_a_parent_holds_git(tmp_path: Path) -> None:
    from forgather_lab.runs.git import in_a_repository

    deep = tmp_path / "repo" / "a" / "b"
    deep.mkdir(parents=True)
    assert not in_a_repository(deep)
    (tmp_path / "repo" / ".git").mkdir()
    assert in_a_repository(deep)
    assert in_a_repository(tmp_path / "repo")
    assert not in_a_repository(tmp_path)
    (tmp_path / "repo" / "a" / ".git").symlink_to(tmp_path / "nowhere")  # a dangling link
    assert in_a_repository(deep)  # the real one above still counts
