"""Evaluate the latest (or a given) checkpoint of the tiny LM and write a sample.

Writes <output-dir>/evaluations/<name>/results.json with eval_loss, perplexity
and a generated sample.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import torch
from charlm import Tee, evaluate_loss, latest_checkpoint, load, run_dir, split, write_json


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--checkpoint", default="", help="a checkpoint dir (default: the latest)")
    p.add_argument("--sample-chars", type=int, default=200)
    p.add_argument("--seed", type=int, default=1337)
    args = p.parse_args()
    torch.manual_seed(args.seed)
    output_dir = Path(args.output_dir).resolve()
    ckpt = Path(args.checkpoint) if args.checkpoint else latest_checkpoint(output_dir)
    if ckpt is None:
        raise SystemExit(f"no checkpoint in {output_dir}/checkpoints: run the train config first")
    out = run_dir(output_dir, "eval", kind="evaluations")
    log = Tee(out / "tty.log")
    model, vocab, state = load(ckpt)
    _, val_ids = split(Path(args.data).read_text(encoding="utf-8"), vocab)
    log(f"step 1/2 evaluating {ckpt.name}")
    loss = evaluate_loss(model, val_ids, state["hparams"]["block"], batches_n=16)
    log(f"step 2/2 sampling {args.sample_chars} characters")
    sample = model.generate(vocab.encode("Shall I ").unsqueeze(0), args.sample_chars)
    text = vocab.decode(sample[0].tolist())
    results = {
        "checkpoint": str(ckpt),
        "step": state["step"],
        "eval_loss": round(loss, 4),
        "perplexity": round(math.exp(loss), 3),
        "sample": text,
        "at": time.time(),
    }
    write_json(out / "results.json", results)
    log(f"eval_loss {loss:.3f} perplexity {math.exp(loss):.2f}")
    log(text)


if __name__ == "__main__":
    main()
