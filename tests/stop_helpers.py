"""Small trainers for the time-limit and preemption tests, and waits on what they do.

``trainer_job`` is a ``POST /queue`` body for a command job that reports a
step every few milliseconds through ``forgather_lab.reporter`` and, on
``save-stop``, writes its step to a checkpoint file, says so and exits 0.
On ``FORGATHER_LAB_RESUME=1`` it starts from that file's step. Its
behaviour is set in its environment (``EXIT_GATE``: a file to wait for
before exiting after the save; ``IGNORE_STOP``: acknowledge save-stop and
keep going; ``MAX_STEPS``: finish there).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

TRAINER = r"""
import os, time
from forgather_lab import reporter
ckpt = os.environ["CKPT"]
step = 0
resume = os.environ.get("FORGATHER_LAB_RESUME", "0")
if resume == "1" and os.path.exists(ckpt):
    step = int(open(ckpt).read())
print(f"start attempt={os.environ.get('FORGATHER_LAB_ATTEMPT')} resume={resume} step={step}",
      flush=True)
rep = reporter.connect(interval=0.1)
max_steps = int(os.environ.get("MAX_STEPS", "1000000"))
while step < max_steps:
    step += 1
    commands = rep.report(step, max_steps, loss=1.0 / step)
    if "save-stop" in commands:
        if os.environ.get("IGNORE_STOP"):
            print(f"ignoring save-stop at step {step}", flush=True)
            continue
        with open(ckpt, "w") as f:
            f.write(str(step))
        rep.checkpoint(ckpt, step)
        print(f"saved at step {step}", flush=True)
        rep.flush()
        gate = os.environ.get("EXIT_GATE")
        while gate and not os.path.exists(gate):
            time.sleep(0.05)
        rep.close()
        raise SystemExit(0)
    time.sleep(float(os.environ.get("STEP_TIME", "0.02")))
rep.close()
print(f"finished at step {step}", flush=True)
"""

SLEEPER = "import time\nprint('sleeping', flush=True)\ntime.sleep(120)"


def trainer_job(ckpt: Path, **fields: Any) -> dict[str, Any]:
    """A queue body for the reporting trainer; ``env`` adds variables, the rest are job fields."""
    env = {"CKPT": str(ckpt), **fields.pop("env", {})}
    return {
        "job_type": "command",
        "job_params": {"argv": [sys.executable, "-c", TRAINER], "env": env},
        **fields,
    }


def sleeper_job(code: str = SLEEPER, **fields: Any) -> dict[str, Any]:
    """A queue body for a job without a reporter."""
    return {"job_type": "command", "job_params": {"argv": [sys.executable, "-c", code]}, **fields}


async def until(check: Callable[[], Awaitable[Any]], timeout: float = 30.0) -> Any:
    """Await ``check()`` until it returns something truthy; that value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = await check()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")


def reasons(history: dict[str, Any], status: str | None = None) -> list[str]:
    """The reasons of a job's transitions (to ``status`` only, if given)."""
    return [
        t["reason"] or "" for t in history["transitions"] if status is None or t["status"] == status
    ]
