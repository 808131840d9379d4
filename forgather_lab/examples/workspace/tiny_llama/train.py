"""Train the tiny Llama on the sonnets (or resume it).

Writes <output-dir>/runs/<run>/{metrics.jsonl,tty.log,args.json} and
<output-dir>/checkpoints/checkpoint-<step>/ (a ``save_pretrained`` folder:
config.json, model.safetensors, the tokenizer, plus optimizer.pt and
meta.json). Prints progress lines like ``step 120/600 loss 3.10``.

With ``FORGATHER_LAB_RESUME=1`` in the environment (the Lab sets it when it
retries or resumes a job; ``FORGATHER_LAB_ATTEMPT`` counts the attempts) it
continues from the latest checkpoint, optimizer included.

Under forgather-lab it reports progress, metrics and checkpoints through
``forgather_lab.reporter`` and obeys the Lab's Save / Stop / Save & stop /
Abort buttons; anywhere else the reporter does nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import time
from pathlib import Path
from typing import Any

import torch

try:
    from forgather_lab.reporter import connect
except ImportError:  # run outside forgather-lab: nobody to report to
    connect = None  # type: ignore[assignment]
from tiny_llama import (
    Tee,
    batches,
    build_model,
    build_tokenizer,
    checkpoints,
    encode_corpus,
    evaluate_loss,
    load,
    pick_device,
    run_dir,
    save,
    write_json,
)

WARMUP = 30


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--max-steps", type=int, default=600)
    p.add_argument("--max-seconds", type=float, default=110, help="stop (and save) after this")
    p.add_argument("--batch-size", type=int, default=16)
    p.add_argument("--context", type=int, default=128, help="tokens per training window")
    p.add_argument("--hidden-size", type=int, default=64)
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--intermediate-size", type=int, default=256)
    p.add_argument("--vocab-size", type=int, default=512)
    p.add_argument("--lr", type=float, default=4e-3)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--save-every", type=int, default=200)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="cpu")
    return p.parse_args()


def lr_at(step: int, total: int, peak: float) -> float:
    """Linear warm-up, then cosine decay to 10 % of the peak."""
    if step <= WARMUP:
        return peak * step / WARMUP
    frac = (step - WARMUP) / max(1, total - WARMUP)
    return peak * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, frac))))


def sample(model: Any, tokenizer: Any, prompt: str, tokens: int = 60) -> str:
    """A short continuation of ``prompt`` (shown in the log at the end)."""
    model.eval()
    ids = tokenizer(tokenizer.eos_token + prompt, return_tensors="pt").input_ids.to(model.device)
    with torch.no_grad():
        out = model.generate(
            ids, max_new_tokens=tokens, do_sample=True, temperature=0.8, top_p=0.9,
            pad_token_id=tokenizer.eos_token_id,
        )  # fmt: skip
    model.train()
    return str(tokenizer.decode(out[0, ids.shape[1] :], skip_special_tokens=True))


def main() -> None:
    args = parse()
    torch.manual_seed(args.seed)
    # One thread: the matrices are tiny, and on a busy 2-core machine a second
    # OpenMP thread spinning at every barrier made a step ten times slower.
    torch.set_num_threads(1)
    device = pick_device(args.device)
    output_dir = Path(args.output_dir).resolve()
    text = Path(args.data).read_text(encoding="utf-8")
    resume = os.environ.get("FORGATHER_LAB_RESUME") == "1"
    latest = checkpoints(output_dir)[-1] if resume and checkpoints(output_dir) else None
    run = run_dir(output_dir, "resume" if latest else "train")
    log = Tee(run / "tty.log")
    write_json(run / "args.json", vars(args))
    start_step = 0
    hp = {
        "hidden_size": args.hidden_size,
        "intermediate_size": args.intermediate_size,
        "layers": args.layers,
        "heads": args.heads,
        "context": args.context,
    }
    if latest is not None:
        model, tokenizer = load(latest, device)
        meta = json.loads((latest / "meta.json").read_text(encoding="utf-8"))
        start_step = int(meta["step"])
        attempt = os.environ.get("FORGATHER_LAB_ATTEMPT", "?")
        log(f"resuming from {latest.name} (step {start_step}, attempt {attempt})")
    else:
        if resume:
            log("FORGATHER_LAB_RESUME=1 but no checkpoint yet: starting from scratch")
        tokenizer = build_tokenizer(text, args.vocab_size)
        model = build_model(tokenizer, hp).to(device)
    data = encode_corpus(text, tokenizer)
    cut = int(len(data) * 0.9)
    train_ids, val_ids = data[:cut], data[cut:]
    block = min(args.context, len(val_ids) - 2)
    params = sum(p.numel() for p in model.parameters())
    log(
        f"run {run.name}: {params} parameters, vocabulary {len(tokenizer)}, "
        f"{len(train_ids)} training tokens, {device}"
    )
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)
    if latest is not None and (latest / "optimizer.pt").is_file():
        opt.load_state_dict(torch.load(latest / "optimizer.pt", map_location=device))
    gen = torch.Generator().manual_seed(args.seed + start_step)
    stream = batches(train_ids, block, args.batch_size, gen)
    total = args.max_steps
    metrics = (run / "metrics.jsonl").open("a", encoding="utf-8")
    reporter = connect() if connect is not None else None
    if reporter is not None:
        reporter.stage("training")
    model.train()
    t0 = time.monotonic()
    step = start_step
    for step in range(start_step + 1, total + 1):
        lr = lr_at(step, total, args.lr)
        for group in opt.param_groups:
            group["lr"] = lr
        x = next(stream).to(device)
        loss = model(input_ids=x, labels=x).loss
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        elapsed = time.monotonic() - t0
        out_of_time = elapsed >= args.max_seconds
        record: dict[str, Any] = {}
        if step % args.log_every == 0 or step == total or out_of_time:
            record = {
                "step": step,
                "max_steps": total,
                "loss": round(loss.item(), 4),
                "lr": lr,
                "elapsed": round(elapsed, 2),
            }
            log(f"step {step}/{total} loss {loss.item():.2f}")
        if step % args.eval_every == 0 or step == total or out_of_time:
            record = record or {"step": step, "max_steps": total}
            record["eval_loss"] = round(evaluate_loss(model, val_ids, block), 4)
            log(f"step {step}/{total} eval_loss {record['eval_loss']:.2f}")
        if record:
            metrics.write(json.dumps(record) + "\n")
            metrics.flush()
        commands: list[str] = []
        if reporter is not None:
            commands = reporter.report(step, max_steps=total, loss=loss.item(), lr=lr)
            if "eval_loss" in record:
                reporter.eval_result(step, eval_loss=record["eval_loss"])
        if "abort" in commands:
            log(f"aborted at step {step} (not saved)")
            break
        wants_save = {"save", "stop", "save-stop"} & set(commands)
        if wants_save or step % args.save_every == 0 or step == total or out_of_time:
            ckpt = save(model, tokenizer, opt, output_dir, step, hp)
            log(f"saved {ckpt.name}")
            if reporter is not None:
                reporter.checkpoint(str(ckpt), step)
        if {"stop", "save-stop"} & set(commands):
            log(f"stopped at step {step} on request")
            break
        if out_of_time:
            log(f"stopped at step {step}: the time budget of {args.max_seconds:g}s is spent")
            break
    log(f"sample: {sample(model, tokenizer, 'Shall I compare thee')!r}")
    log(f"done in {time.monotonic() - t0:.1f}s")
    if reporter is not None:
        reporter.stage("done")
        reporter.close()


if __name__ == "__main__":
    main()
