"""The HF Trainer callback in a real job: a tiny random local model honours save and stop."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from jobs_helpers import command, wait_for
from test_reporter import wait_status

pytest.importorskip("transformers")
pytest.importorskip("accelerate")

TRAIN = """
import os, sys, torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainingArguments
from forgather_lab.reporter_hf import ForgatherCallback

out = sys.argv[1]
torch.manual_seed(0)
model = GPT2LMHeadModel(GPT2Config(vocab_size=64, n_positions=32, n_embd=32, n_layer=1, n_head=2))
model.save_pretrained(os.path.join(out, "init"))  # a local model, no hub

class Data(torch.utils.data.Dataset):
    def __len__(self):
        return 1_000_000
    def __getitem__(self, i):
        ids = torch.randint(0, 64, (16,), generator=torch.Generator().manual_seed(i))
        return {"input_ids": ids, "labels": ids}

args = TrainingArguments(
    output_dir=out, max_steps=100_000, per_device_train_batch_size=2, logging_steps=1,
    save_strategy="no", report_to=[], use_cpu=True, disable_tqdm=True,
    dataloader_num_workers=0, learning_rate=1e-3,
)
callback = ForgatherCallback()
trainer = Trainer(model=GPT2LMHeadModel.from_pretrained(os.path.join(out, "init")),
                  args=args, train_dataset=Data(), callbacks=[callback])
result = trainer.train()
print("STOPPED_BY", callback.stopped_by, "AT", trainer.state.global_step, flush=True)
"""


async def test_hf_trainer_honours_save_and_stop(api: Any, tmp_path: Path) -> None:
    out = tmp_path / "run"
    body = command(TRAIN, name="hf")
    body["job_params"]["argv"].append(str(out))
    _, job = await api("queue", method="POST", json_body=body)
    job_id = job["id"]
    status = await wait_status(
        api, job_id, lambda s: s["has_reporter"] and (s["step"] or 0) >= 3, timeout=90
    )
    assert status["max_steps"] == 100_000
    assert status["stage"] == "Training"
    assert status["loss"] is not None
    assert status["lr"] is not None

    code, _ = await api("jobs", job_id, "control", "save", method="POST")
    assert code == 200
    status = await wait_status(api, job_id, lambda s: s["last_checkpoint"] is not None)
    first = Path(status["last_checkpoint"]["path"])
    assert first.parent == out
    assert (first / "trainer_state.json").is_file()

    code, _ = await api("jobs", job_id, "control", "stop", method="POST")
    assert code == 200
    done = await wait_for(api, job_id, {"done", "failed"}, timeout=60)
    _, log = await api("jobs", job_id, "tty")
    assert done["status"] == "done", log[-3000:]
    assert "STOPPED_BY stop" in log
    checkpoints = sorted(p.name for p in out.glob("checkpoint-*"))
    assert len(checkpoints) == 2, checkpoints  # the save, and the save before stopping
    last = out / checkpoints[-1] if len(checkpoints) == 2 else out
    state = json.loads((last / "trainer_state.json").read_text())
    assert state["global_step"] < 100_000
    final = await wait_status(api, job_id, lambda s: s["stage"] == "Stopped")
    assert all(c["acknowledged_at"] for c in final["commands"])
    code, metrics = await api("jobs", job_id, "metrics", params={"names": "loss"})
    assert len(metrics["series"]["loss"]) >= 3
