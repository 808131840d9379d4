"""The composition root: one source of settings, swappable parts, owned tasks.

Swapping the GPU backend, the executor or adding a job kind is a config line
(or an entry point), checked here against a real server; stopping the
extension leaves no task and no bus listener behind.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
from doubles import install_entry_point
from jobs_helpers import command, wait_for
from traitlets.config import Config

from forgather_lab.app import ForgatherLab
from forgather_lab.executors.local import LocalExecutor
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

HERE = Path(__file__).parent


def test_settings_read_the_forgather_lab_section_outside_a_server(tmp_path: Path) -> None:
    config = Config({"ForgatherLab": {"simulated_gpus": 3, "state_dir": str(tmp_path)}})
    settings = ForgatherLabSettings(config=config)
    assert settings.simulated_gpus == 3
    assert settings.state_dir == str(tmp_path)
    assert settings.executor_class is LocalExecutor


def test_a_runtime_runs_without_a_jupyter_server(tmp_path: Path) -> None:
    settings = ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="simulated")

    async def run() -> str:
        runtime = Runtime(settings, root_dir=tmp_path)
        await runtime.start(server_url="")
        try:
            from forgather_lab.models.jobs import CreateJob

            job = await runtime.jobs.enqueue(
                CreateJob(job_type="command", job_params={"argv": [sys.executable, "-c", "1"]})
            )
            for _ in range(200):
                job = await runtime.jobs.get(job.id)
                if job.status == "done":
                    break
                await asyncio.sleep(0.05)
            return job.status
        finally:
            await runtime.stop()

    assert asyncio.run(run()) == "done"


class TestSwappedParts:
    @pytest.fixture
    def forgather_config(self, state_dir: Path, tmp_path: Path) -> dict[str, Any]:
        site = tmp_path / "site"
        install_entry_point(site, "forgather_lab.job_kinds", "echo", "doubles:EchoKind")
        sys.path.insert(0, str(site))
        return {
            "state_dir": str(state_dir),
            "gpu_backend_class": "doubles.TwoCardBackend",
            "executor_class": "doubles.LedgerExecutor",
        }

    @pytest.fixture(autouse=True)
    def _forget_site(self, tmp_path: Path) -> Any:
        yield
        site = str(tmp_path / "site")
        if site in sys.path:
            sys.path.remove(site)

    async def test_gpu_backend_class_is_a_config_line(self, api: Any) -> None:
        status, pool = await api("gpus")
        assert status == 200
        assert pool["backend"] == "two-cards"
        assert [g["name"] for g in pool["gpus"]] == ["Test Card", "Test Card"]

    async def test_executor_class_is_a_config_line(self, api: Any, state_dir: Path) -> None:
        status, job = await api("queue", method="POST", json_body=command("print(7)", gpus=1))
        assert status == 201, job
        done = await wait_for(api, job["id"], {"done", "failed"})
        assert done["status"] == "done", done
        ledger = (state_dir / "ledger").read_text().split()
        assert ledger == [job["id"], str(done["gpus"][0])]

    async def test_a_package_adds_a_job_kind_through_an_entry_point(self, api: Any) -> None:
        status, job = await api(
            "queue", method="POST", json_body={"job_type": "echo", "job_params": {"text": "hi"}}
        )
        assert status == 201, job
        done = await wait_for(api, job["id"], {"done", "failed"})
        assert done["status"] == "done", done
        status, bad = await api(
            "queue", method="POST", json_body={"job_type": "echo", "job_params": {}}
        )
        assert status == 400
        assert "needs a string" in bad["message"]
        status, unknown = await api("queue", method="POST", json_body={"job_type": "nope"})
        assert status == 400
        assert "echo" in unknown["message"]  # listed among the known kinds


async def test_stop_leaves_no_task_and_no_listener(jp_serverapp: Any, api: Any) -> None:
    status, job = await api("queue", method="POST", json_body=command("print(1)", gpus=1))
    assert status == 201
    await wait_for(api, job["id"], {"done"})
    (extension,) = jp_serverapp.extension_manager.extension_apps["forgather_lab"]
    assert isinstance(extension, ForgatherLab)
    runtime = extension.runtime
    assert runtime is not None
    assert runtime.started
    with runtime.gpu_sampler.watch():  # the sampler's task is started too
        await asyncio.sleep(0.1)
    await extension.stop_extension()
    await asyncio.sleep(0)
    ours = [
        t
        for t in asyncio.all_tasks()
        if not t.done() and t is not asyncio.current_task() and _is_ours(t)
    ]
    assert ours == []
    assert runtime.bus._listeners == []


def _is_ours(task: asyncio.Task[Any]) -> bool:
    code = getattr(task.get_coro(), "cr_code", None)
    return code is not None and "forgather_lab" in Path(code.co_filename).parts


def test_job_kind_entry_points_are_read_at_the_first_look_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Reading them scans every installed distribution: not at server start (issue 19).
    from forgather_lab.jobs import kinds as kinds_module

    groups: list[str] = []

    def counting(group: str) -> list[Any]:
        groups.append(group)
        return []

    monkeypatch.setattr(kinds_module, "entry_points", counting)
    kinds = kinds_module.JobKinds.load()
    assert groups == []
    assert "command" in kinds.names()
    kinds.get("training")
    assert groups == [kinds_module.ENTRY_POINT_GROUP]
