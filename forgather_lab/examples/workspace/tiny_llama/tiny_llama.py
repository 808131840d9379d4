"""The tiny Llama's parts: its tokenizer, its model, its data and its checkpoints.

Shared by train.py and sample.py. Everything is built locally (no hub
download): the tokenizer is a byte-level BPE trained on the data itself, the
model a ``LlamaForCausalLM`` from a small ``LlamaConfig``. A checkpoint is a
``save_pretrained`` folder (model + tokenizer), so ``AutoModelForCausalLM`` /
``AutoTokenizer.from_pretrained(path)`` load it, and so does the Lab's
inference server.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import torch
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast
from transformers.utils import logging as hf_logging

EOS = "<|endoftext|>"
hf_logging.disable_progress_bar()  # "Writing model shards" bars would fill the tty log

# The model knows verse, not dialogue: the chat turns the last user message
# into the opening of a poem ("Shall I compare thee"), and the reply is the
# model's continuation of it (" to a summer's day?").
CHAT_TEMPLATE = (
    "{%- set ns = namespace(text='') -%}"
    "{%- for m in messages -%}"
    "{%- if m['role'] == 'user' -%}{%- set ns.text = m['content'] -%}{%- endif -%}"
    "{%- endfor -%}"
    "{{ eos_token }}{{ ns.text }}"
)


def build_tokenizer(text: str, vocab_size: int) -> PreTrainedTokenizerFast:
    """A byte-level BPE trained on ``text``: any input encodes, and common words are one token."""
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tok.train_from_iterator([text], trainer=trainer)
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token=EOS, eos_token=EOS, pad_token=EOS, unk_token=EOS
    )
    fast.chat_template = CHAT_TEMPLATE
    fast.model_max_length = 1_000_000  # the model's own context limit applies, not this
    return fast


def build_model(tokenizer: PreTrainedTokenizerFast, hp: dict[str, int]) -> LlamaForCausalLM:
    """A freshly initialised Llama of the sizes in ``hp``."""
    eos = tokenizer.eos_token_id
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=hp["hidden_size"],
        intermediate_size=hp["intermediate_size"],
        num_hidden_layers=hp["layers"],
        num_attention_heads=hp["heads"],
        num_key_value_heads=hp["heads"],
        max_position_embeddings=hp["context"],
        tie_word_embeddings=True,
        bos_token_id=eos,
        eos_token_id=eos,
        pad_token_id=eos,
    )
    return LlamaForCausalLM(config)


def encode_corpus(text: str, tokenizer: PreTrainedTokenizerFast) -> torch.Tensor:
    """The sonnets as one token stream, each poem after an end-of-text token."""
    poems = [p.strip() for p in text.split("\n\n") if p.strip()]
    ids: list[int] = []
    for poem in poems:
        ids.append(tokenizer.eos_token_id)
        ids.extend(tokenizer.encode(poem + "\n"))
    return torch.tensor(ids, dtype=torch.long)


def batches(data: torch.Tensor, block: int, batch: int, gen: torch.Generator) -> Any:
    """Random windows of ``block + 1`` tokens, forever (the model shifts labels itself)."""
    while True:
        starts = torch.randint(0, len(data) - block - 1, (batch,), generator=gen)
        yield torch.stack([data[s : s + block + 1] for s in starts])


@torch.no_grad()
def evaluate_loss(model: LlamaForCausalLM, data: torch.Tensor, block: int, n: int = 8) -> float:
    """Mean loss over ``n`` fixed windows of ``data`` (held out)."""
    model.eval()
    stride = max(1, (len(data) - block - 1) // n)
    windows = [data[s : s + block + 1] for s in range(0, len(data) - block - 1, stride)[:n]]
    x = torch.stack(windows).to(model.device)
    loss = float(model(input_ids=x, labels=x).loss.item())
    model.train()
    return loss


def checkpoints(output_dir: Path) -> list[Path]:
    """Saved checkpoints (folders with a ``config.json``), by step."""
    found = [
        p
        for p in (output_dir / "checkpoints").glob("checkpoint-*")
        if (p / "config.json").is_file() and p.name.rsplit("-", 1)[-1].isdigit()
    ]
    return sorted(found, key=lambda p: int(p.name.rsplit("-", 1)[-1]))


def save(
    model: LlamaForCausalLM,
    tokenizer: PreTrainedTokenizerFast,
    optimizer: torch.optim.Optimizer,
    output_dir: Path,
    step: int,
    hp: dict[str, Any],
) -> Path:
    """``checkpoint-<step>``: the model and tokenizer (``save_pretrained``), the
    optimizer for a resume, and ``meta.json`` for the Lab. Written next to the
    final name and renamed, so a folder with a ``config.json`` is always whole."""
    final = output_dir / "checkpoints" / f"checkpoint-{step}"
    tmp = final.with_name(f".{final.name}.partial")
    tmp.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(tmp)
    tokenizer.save_pretrained(tmp)
    torch.save(optimizer.state_dict(), tmp / "optimizer.pt")
    meta = {"step": step, "world_size": 1, "saved_at": time.time(), "hparams": hp}
    write_json(tmp / "meta.json", meta)
    if final.exists():  # the same step saved twice (a save command on a save step)
        for f in final.iterdir():
            f.unlink()
        final.rmdir()
    os.replace(tmp, final)
    return final


def load(path: Path, device: torch.device) -> tuple[LlamaForCausalLM, PreTrainedTokenizerFast]:
    """A checkpoint's model (on ``device``) and tokenizer."""
    model = LlamaForCausalLM.from_pretrained(path).to(device)
    tokenizer = PreTrainedTokenizerFast.from_pretrained(path)
    return model, tokenizer


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


def write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def pick_device(name: str) -> torch.device:
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    if name == "cuda" and not torch.cuda.is_available():
        sys.exit("--device cuda asked for, but no CUDA device is available")
    return torch.device(name)
