"""Inline progress from job logs (SimpleTuner's rules), read incrementally."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for

from forgather_lab.control.progress import LogProgress, percent_of, stage_of
from forgather_lab.jobs import repository as jobs_repo
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings


@pytest.mark.parametrize(
    ("line", "stage", "percent"),
    [
        ("Step 1500/5000 - loss: 0.0234", "Training", 30.0),
        ("epoch 3/10", "Training", 30.0),
        ("Epoch: 3 / 10, step 50 of 200", "Training", 25.0),
        ("Preprocessing dataset shards", "Preprocessing", None),
        ("Loading model weights", "Preprocessing", None),
        ("Warming up the learning rate", "Warmup", None),
        ("lr warmup done", "Warmup", None),
        ("Running validation at step 200/400", "Validation", 50.0),
        ("Saving checkpoint to out/checkpoint-200", "Saving checkpoint", None),
        (" 42%|████▏     | 42/100 [00:03<00:04, 12.0it/s]", None, 42.0),
        ("nothing to see", None, None),
        ("step 7/0", "Training", None),
    ],
)
def test_rules(line: str, stage: str | None, percent: float | None) -> None:
    assert stage_of(line) == stage
    assert percent_of(line) == percent


@pytest.mark.parametrize(
    "raw",
    [
        b"\x1b]8;;javascript:window.__xss=1\x1b\\click\x1b]8;;\x1b\\ step 3/4",  # OSC 8, ST
        b"\x1b]8;;https://example.org\x07click\x1b]8;;\x07 step 3/4",  # OSC 8, BEL
        b"\x1b]0;<img src=x onerror=1>\x07click step 3/4",  # a window title
        b"\x1b[1;31mclick\x1b[0m step 3/4",  # CSI colours
    ],
)
def test_escape_sequences_leave_no_debris(raw: bytes) -> None:
    state = LogProgress()
    state.feed(raw + b"\n")
    assert state.last_log == "click step 3/4"
    assert state.progress == 75.0


def test_incremental_reads_only_new_bytes(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"x" * 5_000_000 + b"\nLoading data\n")
    state = LogProgress()
    state.read(log)
    assert state.offset == log.stat().st_size
    assert state.stage == "Preprocessing"
    with log.open("ab") as f:
        f.write(b"\x1b[32mstep 10/40\x1b[0m loss 1.0\nstep 20/4")  # ANSI colours, a partial line
    state.read(log)
    assert (state.stage, state.progress, state.last_log) == (
        "Training",
        25.0,
        "step 10/40 loss 1.0",
    )
    with log.open("ab") as f:
        f.write(b"0 loss 0.5\r 60%|######    | 24/40 [00:01<00:01]\r")
    state.read(log)
    assert state.progress == 60.0
    assert state.last_log is not None
    assert state.last_log.startswith("60%|")
    with log.open("ab") as f:
        f.write(("y" * 200 + "\n").encode())
    state.read(log)
    assert state.last_log == "y" * 80
    log.write_bytes(b"epoch 1/4\n")  # truncated and rewritten: start over
    state.read(log)
    assert (state.stage, state.progress, state.offset) == ("Training", 25.0, 10)


def test_unterminated_last_line_counts_when_finished(tmp_path: Path) -> None:
    log = tmp_path / "output.log"
    log.write_bytes(b"step 1/2\nstep 2/2")
    state = LogProgress()
    state.read(log)
    assert state.progress == 50.0
    state.read(log, finished=True)
    assert state.progress == 100.0


PLAIN = """
import time
print("Loading dataset", flush=True)
for i in range(1, 41):
    print(f"step {i}/40 loss={1/i:.3f}", flush=True)
    if i == 10:
        time.sleep(60)
"""


async def test_plain_script_shows_stage_and_percent(api: Any) -> None:
    _, job = await api("queue", method="POST", json_body=command(PLAIN))
    job_id = job["id"]
    deadline = time.monotonic() + 20
    body: Any = None
    while time.monotonic() < deadline:
        code, body = await api("jobs", job_id, "inline-progress")
        assert code == 200
        if body["progress"] == 25.0:
            break
        await asyncio.sleep(0.1)
    assert body == {
        "job_id": job_id,
        "stage": "Training",
        "last_log": "step 10/40 loss=0.100",
        "progress": 25.0,
    }
    await api("jobs", job_id, "control", "kill", method="POST")
    await wait_for(api, job_id, {"aborted"})
    code, body = await api("jobs", job_id, "inline-progress")
    assert code == 200
    assert body["progress"] == 25.0
    code, body = await api("jobs", "nosuchjob", "inline-progress")
    assert code == 404


async def test_control_service_close_leaves_no_task_and_no_listener(tmp_path: Path) -> None:
    runtime = Runtime(ForgatherLabSettings(state_dir=str(tmp_path), gpu_backend="simulated"))
    job = runtime.db.call(
        lambda c: jobs_repo.insert(
            c, name="t", job_type="command", priority=0, requested_gpus=0, params={}
        )
    )
    finished: list[Any] = []
    runtime.bus.listen(lambda e: finished.append(e) if e.type == "job_finished" else None)
    try:
        control = runtime.control
        # A job end is announced in the background: the service owns that task.
        runtime.bus.publish("job_status_changed", job_id=job.id, status="cancelled")
        assert len(control._tasks) == 1
        await control.close()
        assert len(control._tasks) == 0
        assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("announce end")]
        # No longer listening: another end starts nothing (a closed task set would refuse).
        runtime.bus.publish("job_status_changed", job_id=job.id, status="cancelled")
        assert len(control._tasks) == 0
    finally:
        await runtime.stop()
    assert finished == []  # cancelled before it could announce
