"""Train (or fine-tune) the tiny character-level LM.

Writes <output-dir>/runs/<run>/{metrics.jsonl,tty.log,args.json} and
<output-dir>/checkpoints/checkpoint-<step>/{model.pt,meta.json}. Prints
progress lines like ``step 120/300 loss 2.31``.

Under forgather-lab it reports progress, metrics and checkpoints through
``forgather_lab.reporter`` and obeys the Lab's Save / Stop / Save & stop /
Abort buttons; anywhere else the reporter does nothing. When the job runs
again after a preemption or a retry (``FORGATHER_LAB_RESUME=1``) it resumes
from the latest checkpoint this job saved: model, optimizer, data order and
step counter continue where they stopped.
"""

from __future__ import annotations

import argparse
import json
import math
import os
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
    resume_checkpoint,
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


def save(
    model: CharLM,
    vocab: Vocab,
    hp: dict,
    output_dir: Path,
    step: int,
    training: dict,
) -> Path:
    """A checkpoint; ``training`` (optimizer, data order, schedule) lets a resumed job go on."""
    ckpt = output_dir / "checkpoints" / f"checkpoint-{step}"
    ckpt.mkdir(parents=True, exist_ok=True)
    state = {"model": model.state_dict(), "vocab": vocab.chars, "hparams": hp, "step": step}
    torch.save({**state, **training}, ckpt / "model.pt")
    meta = {"step": step, "world_size": 1, "saved_at": time.time()}
    job_id = os.environ.get("FORGATHER_LAB_JOB_ID")
    if job_id:
        meta["job_id"] = job_id  # which job may resume from it
    write_json(ckpt / "meta.json", meta)
    return ckpt


def resume_from(output_dir: Path, log: Tee) -> Path | None:
    """The checkpoint to resume from when the Lab runs this job again, else None."""
    if os.environ.get("FORGATHER_LAB_RESUME") != "1":
        return None
    attempt = os.environ.get("FORGATHER_LAB_ATTEMPT", "?")
    ckpt = resume_checkpoint(output_dir, os.environ.get("FORGATHER_LAB_JOB_ID"))
    if ckpt is None:
        log(f"attempt {attempt}: no checkpoint of this job to resume from; starting over")
    else:
        log(f"attempt {attempt}: resuming from {ckpt.name}")
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
    resumed: dict | None = None
    ckpt = resume_from(output_dir, log)
    if ckpt is not None:
        model, vocab, resumed = load(ckpt)
        hp, start_step = resumed["hparams"], int(resumed["step"])
    elif args.init_from_latest:
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
    # The schedule runs from `origin` to `total`; a resumed run keeps the one it began.
    origin, total = start_step, start_step + args.max_steps
    if resumed is not None and "optimizer" in resumed:
        opt.load_state_dict(resumed["optimizer"])
        gen.set_state(resumed["generator"])
        origin, total = int(resumed["origin"]), int(resumed["total"])
    data = batches(train_ids, hp["block"], args.batch_size, gen)
    metrics = (run / "metrics.jsonl").open("a", encoding="utf-8")
    reporter = connect() if connect is not None else None
    if reporter is not None:
        reporter.stage("training")
    t0 = time.monotonic()
    for step in range(start_step + 1, total + 1):
        # Cosine decay to 10 % keeps the short schedule stable.
        frac = (step - origin) / max(1, total - origin)
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
            training = {
                "optimizer": opt.state_dict(),
                "generator": gen.get_state(),
                "origin": origin,
                "total": total,
            }
            ckpt = save(model, vocab, hp, output_dir, step, training)
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
