"""Check the NVML path and a real GPU job on a machine with an NVIDIA GPU.

Runs the core services directly (no Jupyter server needed): NVML telemetry,
placement on a real card, a CUDA training loop launched by the real launcher,
and PID → job attribution from NVML's process list. Prints JSON and exits
non-zero on the first failed check.

    python scripts/gpu_check.py
"""

from __future__ import annotations

import asyncio
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from forgather_lab.models.jobs import CreateJob
from forgather_lab.runtime import Runtime
from forgather_lab.settings import ForgatherLabSettings

TRAIN = """
import os, torch
assert torch.cuda.is_available(), "no CUDA in the job"
print("CVD=" + os.environ["CUDA_VISIBLE_DEVICES"], torch.cuda.get_device_name(0), flush=True)
w = torch.randn(4096, 4096, device="cuda", requires_grad=True)
opt = torch.optim.SGD([w], lr=1e-3)
for step in range(1, 401):
    loss = (w @ w).square().mean()
    opt.zero_grad(); loss.backward(); opt.step()
    if step % 100 == 0:
        torch.cuda.synchronize()
        print(f"step {step}/400 loss {loss.item():.4g}", flush=True)
"""


async def main() -> dict[str, object]:
    report: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as state:
        backend = "simulated" if "--simulated" in sys.argv else "nvml"  # a dry run here
        runtime = Runtime(ForgatherLabSettings(state_dir=state, gpu_backend=backend))
        assert runtime.error is None, runtime.error
        await runtime.start(server_url="")
        cards = [c.model_dump() for c in (await runtime.gpus.describe_pool()).gpus]
        report["backend"] = runtime.backend.name
        report["gpus"] = [
            {
                k: c[k]
                for k in (
                    "index",
                    "name",
                    "memory_total",
                    "utilization",
                    "temperature",
                    "power",
                    "simulated",
                )
            }
            for c in cards
        ]
        assert cards
        assert all(c["simulated"] == (backend == "simulated") for c in cards)
        job = await runtime.jobs.enqueue(
            CreateJob(
                job_type="command",
                job_params={
                    "argv": [sys.executable, "-c", TRAIN if backend == "nvml" else "print(1)"]
                },
                requested_gpus=1,
                name="gpu-check",
            )
        )
        attributed = None
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            current = await runtime.jobs.get(job.id)
            if current.status == "running" and attributed is None:
                for card in (await runtime.gpus.describe_pool()).gpus:
                    for proc in card.processes:
                        if proc.job_id == job.id:
                            attributed = {
                                "gpu": card.index,
                                "pid": proc.pid,
                                "memory_used": card.memory_used,
                            }
            if current.status in {"done", "failed", "aborted"}:
                break
            await asyncio.sleep(0.2)
        log = runtime.jobs.log_path(job.id).read_text()
        report["job"] = current.model_dump(include={"status", "gpus", "exit_code", "error"})
        report["attributed"] = attributed
        report["log"] = log.strip().splitlines()[-6:]
        await runtime.stop()
    assert current.status == "done", report
    assert backend == "simulated" or attributed, "NVML never showed the job's process on its GPU"
    assert backend == "simulated" or f"CVD={current.gpus[0]}" in log
    return report


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), indent=2))
