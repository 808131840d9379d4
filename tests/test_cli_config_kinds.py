"""What a config is decides what ``forgather-lab enqueue`` and ``%forgather enqueue`` queue.

Against the real server subprocess: an evaluation config (the example char LM's
``eval.yaml``) is queued as ``eval`` without ``--type``, a config of another
class (``type.model``) or without a job block is refused with the server's
reason and queues nothing. The scheduler is paused so nothing runs.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator

import pytest
from conftest_server import LiveServer
from IPython.core.error import UsageError
from test_cli import cli, js, ok

from forgather_lab.client import Client
from forgather_lab.magics import ForgatherMagics

CHAR_LM = "forgather-examples/tiny_char_lm"
KINDS = "forgather-examples/cli_kinds"

MODEL = """\
meta: {config_name: A model, config_class: type.model}
dynamic_args:
  width: {type: int, default: 8, help: width}
job:
  script: run.py
"""
NO_JOB = "meta: {config_name: Notes, config_class: type.training_script}\n"


@pytest.fixture
def paused(live_server: LiveServer) -> Iterator[None]:
    """The scheduler paused for the test; what it queued is cancelled and removed after."""
    assert js(live_server, "sched", "pause")["enabled"] is False
    before = {j["id"] for j in js(live_server, "sched", "list")["jobs"]}
    try:
        yield
    finally:
        for job in js(live_server, "sched", "list")["jobs"]:
            if job["id"] not in before:
                ok(live_server, "sched", "cancel", job["id"])
                ok(live_server, "sched", "cleanup", job["id"])
        assert "scheduler enabled" in ok(live_server, "sched", "resume")


@pytest.fixture
def kinds_project(live_server: LiveServer) -> Iterator[str]:
    """A project inside the seeded example root with a model config and a job-less one."""
    root = live_server.root_dir / KINDS
    (root / "configs").mkdir(parents=True)
    (root / "meta.yaml").write_text("name: CLI kinds\ndefault_config: model.yaml\n")
    (root / "run.py").write_text("print('never run')\n")
    (root / "configs" / "model.yaml").write_text(MODEL)
    (root / "configs" / "notes.yaml").write_text(NO_JOB)
    try:
        yield KINDS
    finally:
        shutil.rmtree(root)


def _queued(live_server: LiveServer) -> list[dict[str, object]]:
    return js(live_server, "sched", "list", "--status", "queued")["jobs"]  # type: ignore[index, no-any-return]


def test_enqueue_of_an_eval_config_queues_eval(live_server: LiveServer, paused: None) -> None:
    job = js(live_server, "enqueue", "--project", CHAR_LM, "--config", "eval.yaml")
    assert job["job_type"] == "eval"
    assert job["params"]["config"] == "eval.yaml"
    # A training config of the same project still trains.
    train = js(live_server, "enqueue", "--project", CHAR_LM, "--config", "train.yaml")
    assert train["job_type"] == "training"
    # So does a sweep over the eval config: one eval job per point.
    jobs = js(
        live_server, "sweep", "--project", CHAR_LM, "--config", "eval.yaml", "--grid", "seed=1,2"
    )
    assert [j["job_type"] for j in jobs] == ["eval", "eval"]
    # --type given is what is sent: the server's own refusal names the kind to use.
    r = cli(
        live_server, "enqueue", "--type", "training", "--project", CHAR_LM, "--config", "eval.yaml"
    )
    assert r.returncode == 1
    assert "queue it as job_type 'eval'" in r.stderr


def test_enqueue_refuses_a_config_that_does_not_run(
    live_server: LiveServer, paused: None, kinds_project: str
) -> None:
    before = len(_queued(live_server))
    r = cli(live_server, "enqueue", "--project", kinds_project, "--config", "model.yaml")
    assert r.returncode == 1, r.stdout
    assert r.stderr.startswith("forgather-lab: error: model.yaml is a type.model config")
    assert "Overrides" in r.stderr
    assert r.stderr.count("\n") == 1
    r = cli(live_server, "enqueue", "--project", kinds_project, "--config", "notes.yaml")
    assert r.returncode == 1
    assert "notes.yaml has no job block" in r.stderr
    r = cli(
        live_server,
        "sweep",
        "--project",
        kinds_project,
        "--config",
        "model.yaml",
        "--grid",
        "width=1,2",
    )
    assert r.returncode == 1
    assert "type.model" in r.stderr
    assert len(_queued(live_server)) == before  # nothing was queued


def test_magic_enqueue_asks_the_server_what_the_config_is(
    live_server: LiveServer, paused: None, kinds_project: str
) -> None:
    magics = ForgatherMagics(None, client=Client(live_server.url, live_server.token))
    queued = magics.forgather(f"enqueue --project {CHAR_LM} --config eval.yaml")
    job = Client(live_server.url, live_server.token).job(str(queued))
    assert job.job_type == "eval"
    with pytest.raises(UsageError, match=r"model\.yaml is a type\.model config"):
        magics.forgather(f"enqueue --project {kinds_project} --config model.yaml")
    listed = json.dumps(js(live_server, "sched", "list"))
    assert "model.yaml" not in listed
