"""Jobs start from an allow-listed environment, never the server's secrets.

The server is a real ``jupyter server`` process started with its token in
``JUPYTER_TOKEN`` (the usual way), a Hub token and other secrets in its
environment; a job prints its own environment and its parent's (the
runner's, readable through /proc by the same user) and neither holds them.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from server_process import TOKEN, ServerProcess

from forgather_lab.jobs.environment import base_environment

SECRETS = {
    "JUPYTER_TOKEN": TOKEN,
    "JUPYTERHUB_API_TOKEN": "hub-secret-0123456789",
    "JUPYTERHUB_CLIENT_SECRET": "hub-client-secret-42",
    "AWS_SECRET_ACCESS_KEY": "aws-secret-abcdef",
    "MY_SERVICE_API_KEY": "service-key-987",
    "GITHUB_TOKEN": "ghp-secret-xyz",
}
PASSED_ON_PURPOSE = {"WANDB_API_KEY": "wandb-key-listed-by-the-operator"}
NOT_LISTED = {"SOME_RANDOM_SETTING": "not-on-the-allow-list"}

PRINT_ENVIRONMENTS = """
import json, os
parent = open(f"/proc/{os.getppid()}/environ", "rb").read().split(b"\\0")
print("ENV=" + json.dumps({
    "own": dict(os.environ),
    "parent": dict(p.decode().split("=", 1) for p in parent if b"=" in p),
}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    srv = ServerProcess(
        tmp_path_factory.mktemp("env"),
        "--ForgatherLab.job_env_passthrough=WANDB_API_KEY",
        "--ForgatherLab.job_env_passthrough=LANG",
        env={**SECRETS, **PASSED_ON_PURPOSE, **NOT_LISTED, "LANG": "C.UTF-8"},
    ).start()
    yield srv
    srv.stop()
    srv.kill_jobs()


def test_no_job_sees_the_servers_secrets(server: ServerProcess) -> None:
    reply = server.post(
        "queue",
        json={
            "job_type": "command",
            "job_params": {
                "argv": [sys.executable, "-c", PRINT_ENVIRONMENTS],
                "env": {"JOB_OWN": "mine"},
            },
        },
    )
    assert reply.status_code == 201, reply.text
    job = server.wait_job(reply.json()["id"], {"done", "failed"})
    assert job["status"] == "done", job
    log = Path(job["log_path"]).read_text()
    for value in SECRETS.values():
        assert value not in log  # not in any variable, under any name
    (line,) = (ln for ln in log.splitlines() if ln.startswith("ENV="))
    seen = json.loads(line.removeprefix("ENV="))
    for env in (seen["own"], seen["parent"]):
        assert not set(SECRETS) & set(env)
        assert "SOME_RANDOM_SETTING" not in env
        assert "PATH" in env
    own = seen["own"]
    assert own["WANDB_API_KEY"] == PASSED_ON_PURPOSE["WANDB_API_KEY"]  # listed by the operator
    assert own["LANG"] == "C.UTF-8"
    assert own["JOB_OWN"] == "mine"  # the job's own env goes on top
    assert own["FORGATHER_LAB_JOB_ID"] == job["id"]
    assert own["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"


@pytest.mark.parametrize(
    ("name", "passthrough", "passed"),
    [
        ("PATH", [], True),
        ("LC_ALL", [], True),
        ("CUDA_HOME", [], True),
        ("NCCL_DEBUG", [], True),
        ("VIRTUAL_ENV", [], True),
        ("JUPYTER_TOKEN", [], False),
        ("JUPYTER_TOKEN", ["JUPYTER_TOKEN"], False),  # never, even when listed
        ("JUPYTERHUB_API_TOKEN", ["JUPYTERHUB_*"], False),
        ("CUDA_SECRET_TOKEN", [], False),  # a built-in pattern never passes a secret-looking name
        ("CUDA_SECRET_TOKEN", ["CUDA_SECRET_TOKEN"], True),  # unless named exactly
        ("HF_TOKEN", [], False),
        ("WANDB_API_KEY", ["WANDB_*"], True),
        ("RANDOM", [], False),
        ("RANDOM", ["RAND*"], True),
    ],
)
def test_allow_list(name: str, passthrough: list[str], passed: bool) -> None:
    assert (name in base_environment({name: "v"}, passthrough)) is passed
