"""GPU backends, exclusion by CUDA_VISIBLE_DEVICES, and how placement sees them."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for

from forgather_lab.errors import StateError
from forgather_lab.gpus import make_backend
from forgather_lab.gpus.policy import excluded_indices
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

UUIDS = [f"GPU-simulated-{i:04d}" for i in range(4)]


@pytest.mark.parametrize(
    ("visible", "excluded"),
    [
        (None, set()),
        ("0,1,2,3", set()),
        ("1,3", {0, 2}),
        ("", {0, 1, 2, 3}),
        ("GPU-simulated-0002", {0, 1, 3}),
        (" 0 , 2 ", {1, 3}),
    ],
)
def test_excluded_indices(visible: str | None, excluded: set[int]) -> None:
    assert excluded_indices(visible, UUIDS) == excluded


def _driver_answers() -> bool:
    import pynvml

    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return False
    pynvml.nvmlShutdown()
    return True


HAS_DRIVER = _driver_answers()


def test_auto_uses_nvml_when_a_driver_answers_and_none_otherwise() -> None:
    backend = make_backend("auto", 4)
    try:
        if HAS_DRIVER:
            assert backend.name == "nvml"
            assert all(not c.simulated for c in backend.snapshot())
        else:
            assert backend.name == "none"
            assert backend.count() == 0
            assert backend.snapshot() == []
    finally:
        backend.close()


def test_nvml_required_without_a_driver_degrades_with_a_clear_message(tmp_path: Path) -> None:
    runtime = Runtime(ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="nvml"))
    try:
        if HAS_DRIVER:
            assert runtime.error is None
            assert runtime.backend.name == "nvml"
        else:
            assert runtime.error is not None
            assert "NVML" in runtime.error
            with pytest.raises(StateError, match="NVML"):
                make_backend("nvml", 0)
    finally:
        asyncio.run(runtime.stop())


def test_simulated_payloads_say_so() -> None:
    backend = make_backend("simulated", 2)
    cards = backend.snapshot()
    assert [c.index for c in cards] == [0, 1]
    assert all(c.simulated for c in cards)
    assert all(c.to_dict()["simulated"] is True for c in cards)


@pytest.fixture
def jp_server_config(
    forgather_config: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    # The server reads CUDA_VISIBLE_DEVICES once, at start.
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1,3")
    return {
        "ServerApp": {"jpserver_extensions": {"forgather_lab": True}},
        "ForgatherLab": forgather_config,
    }


async def test_excluded_cards_show_but_are_never_scheduled(api: Any) -> None:
    _, body = await api("gpus")
    assert [g["excluded"] for g in body["gpus"]] == [True, False, True, False]
    status, reply = await api("queue", method="POST", json_body=command("print(1)", gpus=3))
    assert status == 400
    assert "2 usable GPUs" in reply["message"]
    _, job = await api(
        "queue",
        method="POST",
        json_body=command("import os; print('CVD=' + os.environ['CUDA_VISIBLE_DEVICES'])", gpus=2),
    )
    done = await wait_for(api, job["id"], {"done"})
    assert done["gpus"] == [1, 3]
    _, text = await api("jobs", job["id"], "tty")
    assert "CVD=1,3" in text
