"""The reporter wired into the Hugging Face ``Trainer``.

    from forgather_lab.reporter_hf import ForgatherCallback
    trainer = Trainer(..., callbacks=[ForgatherCallback()])

Progress is reported at every step (global_step / max_steps), the Trainer's
logs (loss, learning_rate, grad_norm, epoch, ...) as metrics, evaluations,
checkpoints and stages as they happen. Commands from the Lab map onto the
Trainer's own control flags, checked right after each step:

- ``save``: ``should_save`` (a checkpoint at the end of this step);
- ``stop`` and ``save-stop``: save, then ``should_training_stop``;
- ``abort``: ``should_training_stop`` without saving.

This module imports ``transformers``; ``forgather_lab.reporter`` does not.
"""

from __future__ import annotations

import os
import time
from typing import Any

from .reporter import NullReporter, connect

try:
    from transformers import TrainerCallback
except ImportError as e:  # pragma: no cover - depends on the training environment
    raise ImportError(
        "forgather_lab.reporter_hf needs transformers: pip install 'forgather-lab[train]'"
    ) from e


class ForgatherCallback(TrainerCallback):
    """Reports a Trainer's progress to forgather-lab and obeys its commands."""

    def __init__(self, reporter: NullReporter | None = None) -> None:
        self.reporter = reporter if reporter is not None else connect()
        self.stopped_by: str | None = None
        self._tokens: tuple[float, int] | None = None

    # -- commands -------------------------------------------------------------

    def _obey(self, commands: list[str], control: Any) -> None:
        for command in commands:
            if command == "save":
                control.should_save = True
            elif command in ("stop", "save-stop"):
                control.should_save = True
                control.should_training_stop = True
                self.stopped_by = command
            elif command == "abort":
                control.should_training_stop = True
                self.stopped_by = command
        if self.stopped_by == "abort":
            control.should_save = False  # even if save_steps fell on this step

    # -- the Trainer's events -------------------------------------------------

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.reporter.stage("Training")
        self._obey(self.reporter.report(state.global_step, state.max_steps or None), control)

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        commands = self.reporter.report(state.global_step, state.max_steps or None)
        self._obey(commands, control)

    def on_log(
        self, args: Any, state: Any, control: Any, logs: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        metrics = {
            k: v
            for k, v in (logs or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and not k.startswith("eval_")
        }
        if not metrics:
            return
        tokens = getattr(state, "num_input_tokens_seen", 0) or 0
        now = time.monotonic()
        if tokens and self._tokens is not None and now > self._tokens[0]:
            metrics["tokens_per_s"] = (tokens - self._tokens[1]) / (now - self._tokens[0])
        if tokens:
            self._tokens = (now, tokens)
        peak = _peak_memory()
        if peak is not None:
            metrics["peak_memory"] = peak
        self._obey(
            self.reporter.report(state.global_step, state.max_steps or None, **metrics), control
        )

    def on_evaluate(
        self, args: Any, state: Any, control: Any, metrics: dict[str, Any] | None = None, **kw: Any
    ) -> None:
        values = {
            k: v
            for k, v in (metrics or {}).items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        }
        if values:
            self.reporter.eval_result(step=state.global_step, **values)

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        path = os.path.join(args.output_dir, f"checkpoint-{state.global_step}")
        self.reporter.checkpoint(path, state.global_step)

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self.reporter.report(state.global_step, state.max_steps or None)
        self.reporter.stage(
            {"abort": "Aborted", "stop": "Stopped", "save-stop": "Stopped"}.get(
                self.stopped_by or "", "Finished"
            )
        )
        self.reporter.flush(timeout=5.0)


def _peak_memory() -> float | None:
    """Peak CUDA memory of this process in bytes, when torch and a GPU are there."""
    try:
        import torch

        # torch.cuda.is_initialized carries no annotations (torch 2.x).
        initialized = torch.cuda.is_initialized()  # type: ignore[no-untyped-call]
        if torch.cuda.is_available() and initialized:
            return float(torch.cuda.max_memory_allocated())
    except Exception:  # telemetry must never break training
        return None
    return None


__all__ = ["ForgatherCallback"]
