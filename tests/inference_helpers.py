"""A tiny random causal LM built locally (no hub): a byte-level GPT-2 of ~100k parameters."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def build_tiny_model(directory: Path) -> Path:
    """Save a random GPT-2 and a byte-level tokenizer under ``directory``; returns it."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import GPT2Config, GPT2LMHeadModel, PreTrainedTokenizerFast

    if (directory / "config.json").exists():
        return directory
    alphabet = pre_tokenizers.ByteLevel.alphabet()
    vocab = {ch: i for i, ch in enumerate(sorted(alphabet))}
    vocab["<|endoftext|>"] = len(vocab)
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    core.decoder = decoders.ByteLevel()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, eos_token="<|endoftext|>", bos_token="<|endoftext|>"
    )
    config = GPT2Config(
        vocab_size=len(vocab),
        n_positions=512,
        n_embd=64,
        n_layer=2,
        n_head=2,
        bos_token_id=vocab["<|endoftext|>"],
        eos_token_id=vocab["<|endoftext|>"],
    )
    import torch

    torch.manual_seed(0)
    model = GPT2LMHeadModel(config)
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory


def build_in_subprocess(directory: Path) -> Path:
    """Build the model in a child so the test process never imports torch."""
    import subprocess
    import sys

    code = (
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from inference_helpers import build_tiny_model; from pathlib import Path; "
        "build_tiny_model(Path(sys.argv[2]))"
    )
    subprocess.run(
        [sys.executable, "-c", code, str(Path(__file__).parent), str(directory)],
        check=True,
        capture_output=True,
    )
    return directory


async def wait_ready(api: Any, job_id: str, within: float = 240.0) -> dict[str, Any]:
    """Poll ``/inference/servers`` until the job's endpoint is ready."""
    import asyncio
    import time

    deadline = time.monotonic() + within
    row: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, body = await api("inference", "servers")
        assert status == 200, body
        rows = [r for r in body["servers"] if r["job_id"] == job_id]
        row = rows[0] if rows else {}
        if row.get("state") == "ready":
            return row
        if row.get("state") == "failed" or (not rows and time.monotonic() > deadline - 200):
            _, job = await api("jobs", job_id)
            if job["status"] not in ("starting", "running", "queued"):
                raise AssertionError(f"job ended: {job}")
        await asyncio.sleep(0.2)
    raise AssertionError(f"endpoint of {job_id} not ready: {row}")
