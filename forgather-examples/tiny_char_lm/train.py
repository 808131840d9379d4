"""Train (or fine-tune) the tiny character-level LM.

Writes <output-dir>/runs/<run>/{metrics.jsonl,tty.log,args.json} and
<output-dir>/checkpoints/checkpoint-<step>/{model.pt,meta.json}. Prints
progress lines like ``step 120/300 loss 2.31``.

Under forgather-lab it reports progress, metrics and checkpoints through
``forgather_lab.reporter`` and obeys the Lab's Save / Stop / Save & stop /
Abort buttons; anywhere else the reporter does nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from pathlib import Path

import torch

try:
    from forgather_lab.reporter import connect
except ImportError:  # run outside forgather-lab: nobody to report to
    connect = None  # type: ignore[assignment]
from charlm import (
    CharLM,
    Tee,
    Vocab,
    batches,
    evaluate_loss,
    latest_checkpoint,
    load,
    pick_device,
    run_dir,
    split,
    write_json,
)


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--data", required=True)
    p.add_argument("--output-dir", required=True)
    p.add_argument("--max-steps", type=int, default=300)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--block-size", type=int, default=64)
    p.add_argument("--d-model", type=int, default=64)
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--lr", type=float, default=3e-3)
    p.add_argument("--log-every", type=int, default=10)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--save-every", type=int, default=100)
    p.add_argument("--seed", type=int, default=1337)
    p.add_argument("--device", default="cpu")
    p.add_argument(
        "--init-from-latest",
        action="store_true",
        help="fine-tune: start from the latest checkpoint in --output-dir",
    )
    return p.parse_args()


def save(model: CharLM, vocab: Vocab, hp: dict, output_dir: Path, step: int) -> Path:
    ckpt = output_dir / "checkpoints" / f"checkpoint-{step}"
    ckpt.mkdir(parents=True, exist_ok=True)
    torch.save(
        {"model": model.state_dict(), "vocab": vocab.chars, "hparams": hp, "step": step},
        ckpt / "model.pt",
    )
    write_json(ckpt / "meta.json", {"step": step, "world_size": 1, "saved_at": time.time()})
    return ckpt


def main() -> None:
    args = parse()
    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, min(4, torch.get_num_threads())))
    device = pick_device(args.device)
    output_dir = Path(args.output_dir).resolve()
    run = run_dir(output_dir, "finetune" if args.init_from_latest else "train")
    log = Tee(run / "tty.log")
    write_json(run / "args.json", vars(args))
    text = Path(args.data).read_text(encoding="utf-8")
    start_step = 0
    if args.init_from_latest:
        ckpt = latest_checkpoint(output_dir)
        if ckpt is None:
            raise SystemExit(f"no checkpoint in {output_dir}/checkpoints to fine-tune from")
        model, vocab, state = load(ckpt)
        hp, start_step = state["hparams"], int(state["step"])
        log(f"fine-tuning from {ckpt} (step {start_step})")
    else:
        vocab = Vocab.from_text(text)
        hp = {
            "d_model": args.d_model,
            "layers": args.layers,
            "heads": args.heads,
            "block": args.block_size,
        }
        model = CharLM(len(vocab.chars), hp["d_model"], hp["layers"], hp["heads"], hp["block"])
    model.to(device)
    train_ids, val_ids = split(text, vocab)
    params = sum(p.numel() for p in model.parameters())
    log(f"run {run.name}: {params} parameters, {len(train_ids)} training characters, {device}")
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr)
    gen = torch.Generator().manual_seed(args.seed)
    data = batches(train_ids, hp["block"], args.batch_size, gen)
    total = start_step + args.max_steps
    metrics = (run / "metrics.jsonl").open("a", encoding="utf-8")
    reporter = connect() if connect is not None else None
    if reporter is not None:
        reporter.stage("training")
    t0 = time.monotonic()
    for step in range(start_step + 1, total + 1):
        # Cosine decay to 10 % keeps the short schedule stable.
        frac = (step - start_step) / args.max_steps
        lr = args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * frac)))
        for group in opt.param_groups:
            group["lr"] = lr
        x, y = next(data)
        x, y = x.to(device), y.to(device)
        loss = torch.nn.functional.cross_entropy(model(x).transpose(1, 2), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        record: dict = {}
        if step % args.log_every == 0 or step == total:
            record = {
                "step": step,
                "max_steps": total,
                "loss": round(loss.item(), 4),
                "lr": lr,
                "elapsed": round(time.monotonic() - t0, 2),
            }
            log(f"step {step}/{total} loss {loss.item():.2f}")
        if step % args.eval_every == 0 or step == total:
            record = record or {"step": step, "max_steps": total}
            record["eval_loss"] = round(evaluate_loss(model, val_ids.to(device), hp["block"]), 4)
            log(f"step {step}/{total} eval_loss {record['eval_loss']:.2f}")
        if record:
            metrics.write(json.dumps(record) + "\n")
            metrics.flush()
        commands = []
        if reporter is not None:
            commands = reporter.report(step, max_steps=total, loss=loss.item(), lr=lr)
            if "eval_loss" in record:
                reporter.eval_result(step, eval_loss=record["eval_loss"])
        if "abort" in commands:
            log(f"aborted at step {step} (not saved)")
            break
        wants_save = {"save", "stop", "save-stop"} & set(commands)
        if wants_save or step % args.save_every == 0 or step == total:
            ckpt = save(model, vocab, hp, output_dir, step)
            log(f"saved {ckpt.name}")
            if reporter is not None:
                reporter.checkpoint(str(ckpt), step)
        if {"stop", "save-stop"} & set(commands):
            log(f"stopped at step {step} on request")
            break
    log(f"done in {time.monotonic() - t0:.1f}s")
    if reporter is not None:
        reporter.stage("done")
        reporter.close()


if __name__ == "__main__":
    main()
