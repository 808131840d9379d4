"""A tiny character-level language model (a small causal transformer) and its data.

Shared by train.py and evaluate.py. Small enough to train on a CPU in seconds.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import torch
from torch import nn


class Vocab:
    """Characters to ids and back."""

    def __init__(self, chars: list[str]) -> None:
        self.chars = chars
        self.index = {c: i for i, c in enumerate(chars)}

    @classmethod
    def from_text(cls, text: str) -> Vocab:
        return cls(sorted(set(text)))

    def encode(self, text: str) -> torch.Tensor:
        return torch.tensor([self.index.get(c, 0) for c in text], dtype=torch.long)

    def decode(self, ids: list[int]) -> str:
        return "".join(self.chars[i] for i in ids)


class CharLM(nn.Module):
    """Embedding, a few pre-norm transformer layers with a causal mask, a head."""

    def __init__(self, vocab_size: int, d_model: int, layers: int, heads: int, block: int):
        super().__init__()
        self.block = block
        self.tok = nn.Embedding(vocab_size, d_model)
        self.pos = nn.Embedding(block, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model, heads, 4 * d_model, dropout=0.0, batch_first=True, norm_first=True
        )
        self.body = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, vocab_size)
        mask = torch.triu(torch.full((block, block), float("-inf")), diagonal=1)
        self.register_buffer("mask", mask, persistent=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        t = ids.shape[1]
        x = self.tok(ids) + self.pos(torch.arange(t, device=ids.device))
        x = self.body(x, mask=self.mask[:t, :t], is_causal=True)
        return self.head(self.norm(x))

    @torch.no_grad()
    def generate(self, ids: torch.Tensor, n: int, temperature: float = 0.8) -> torch.Tensor:
        for _ in range(n):
            logits = self(ids[:, -self.block :])[:, -1] / temperature
            nxt = torch.multinomial(torch.softmax(logits, -1), 1)
            ids = torch.cat([ids, nxt], 1)
        return ids


def batches(data: torch.Tensor, block: int, batch: int, gen: torch.Generator):
    """Random (input, target) windows, forever."""
    while True:
        starts = torch.randint(0, len(data) - block - 1, (batch,), generator=gen)
        x = torch.stack([data[s : s + block] for s in starts])
        y = torch.stack([data[s + 1 : s + block + 1] for s in starts])
        yield x, y


def split(text: str, vocab: Vocab) -> tuple[torch.Tensor, torch.Tensor]:
    """90 % train, 10 % held out."""
    ids = vocab.encode(text)
    cut = int(len(ids) * 0.9)
    return ids[:cut], ids[cut:]


@torch.no_grad()
def evaluate_loss(model: CharLM, data: torch.Tensor, block: int, batches_n: int = 8) -> float:
    """Mean cross-entropy over fixed windows of ``data``."""
    model.eval()
    losses = []
    step = max(1, (len(data) - block - 1) // batches_n)
    for s in range(0, len(data) - block - 1, step)[:batches_n]:
        x = data[s : s + block].unsqueeze(0)
        y = data[s + 1 : s + block + 1].unsqueeze(0)
        logits = model(x)
        losses.append(nn.functional.cross_entropy(logits.transpose(1, 2), y).item())
    model.train()
    return sum(losses) / len(losses)


def latest_checkpoint(output_dir: Path) -> Path | None:
    """The checkpoint directory with the highest step, if any."""
    found = sorted(
        (p for p in (output_dir / "checkpoints").glob("checkpoint-*") if (p / "model.pt").exists()),
        key=lambda p: int(p.name.rsplit("-", 1)[-1]),
    )
    return found[-1] if found else None


def resume_checkpoint(output_dir: Path, job_id: str | None) -> Path | None:
    """The latest checkpoint saved by job ``job_id`` (the family shares ``output_dir``,
    so another run's checkpoint is never taken for this job's)."""
    if not job_id:
        return None
    found = []
    for p in (output_dir / "checkpoints").glob("checkpoint-*"):
        try:
            meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if meta.get("job_id") == job_id and (p / "model.pt").exists():
            found.append((int(meta.get("step", 0)), p))
    return max(found)[1] if found else None


def load(path: Path) -> tuple[CharLM, Vocab, dict]:
    """A model, its vocabulary and its hyperparameters from a checkpoint directory."""
    state = torch.load(path / "model.pt", map_location="cpu", weights_only=False)
    hp = state["hparams"]
    model = CharLM(len(state["vocab"]), hp["d_model"], hp["layers"], hp["heads"], hp["block"])
    model.load_state_dict(state["model"])
    return model, Vocab(state["vocab"]), state


class Tee:
    """Print to stdout and append to a log file (the run's tty.log)."""

    def __init__(self, path: Path) -> None:
        self.file = path.open("a", encoding="utf-8")

    def __call__(self, line: str) -> None:
        print(line, flush=True)
        self.file.write(line + "\n")
        self.file.flush()


def run_dir(output_dir: Path, prefix: str, kind: str = "runs") -> Path:
    """A fresh, uniquely named directory under ``output_dir/<kind>``."""
    name = f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}"
    path = output_dir / kind / name
    path.mkdir(parents=True, exist_ok=False)
    return path


def write_json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda asked for, but no CUDA device is available")
    return torch.device(name)
