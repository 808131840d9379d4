"""The model side of the inference server: load a checkpoint, generate, stream.

Runs inside the server child only (imports torch and transformers, the
``inference`` extra). Generation is serialised by a lock: one model, one
forward pass at a time, which is what a single-GPU or CPU server can do anyway.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, GenerationConfig, StoppingCriteria
from transformers.generation.streamers import BaseStreamer

from .parameters import HF_PASSTHROUGH


class RequestError(ValueError):
    """A generation request the server cannot honour (answered as 400)."""


class GenerationFailed(RuntimeError):
    """Generation broke for a reason that is not the request's (answered as 500)."""


@dataclass
class Result:
    """A finished (or stopped) generation."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str


class _Stop(StoppingCriteria):
    """Stops generation when the client went away or a stop string appeared."""

    def __init__(self, event: threading.Event) -> None:
        self.event = event

    def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
        # On the inputs' device: a CPU flag next to CUDA inputs fails in generate.
        flag = self.event.is_set()
        return torch.full((input_ids.shape[0],), flag, dtype=torch.bool, device=input_ids.device)


class _TokenStreamer(BaseStreamer):
    """Hands each new token id to a queue; the first ``put`` is the prompt."""

    def __init__(self) -> None:
        self.queue: queue.Queue[int | None] = queue.Queue()
        self._prompt_seen = False

    def put(self, value: Any) -> None:
        if not self._prompt_seen:
            self._prompt_seen = True
            return
        for token in value.reshape(-1).tolist():
            self.queue.put(int(token))

    def end(self) -> None:
        self.queue.put(None)


class Engine:
    """A loaded causal LM and its tokenizer."""

    def __init__(self, model_path: str, device: str = "auto", dtype: str = "auto") -> None:
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        torch_dtype = None if dtype == "auto" else getattr(torch, dtype)
        self.device = device
        self.tokenizer = AutoTokenizer.from_pretrained(model_path)
        self.model = AutoModelForCausalLM.from_pretrained(model_path, dtype=torch_dtype)
        # transformers types the wrapper around ``to`` as if it were unbound.
        self.model.to(device).eval()  # type: ignore[arg-type]
        self.lock = threading.Lock()

    def chat_prompt(self, messages: list[dict[str, Any]]) -> str:
        """The prompt for a conversation: the model's chat template, else a plain one."""
        turns = [{"role": str(m["role"]), "content": _content_text(m)} for m in messages]
        if getattr(self.tokenizer, "chat_template", None):
            prompt = self.tokenizer.apply_chat_template(
                turns, tokenize=False, add_generation_prompt=True
            )
            return str(prompt)
        lines = [f"{t['role']}: {t['content']}" for t in turns]
        return "\n".join([*lines, "assistant:"])

    def generate(self, prompt: str, params: dict[str, Any]) -> Result:
        """Generate to the end and return the whole text."""
        pieces = list(self.stream(prompt, params, threading.Event()))
        return pieces[-1] if pieces and isinstance(pieces[-1], Result) else Result("", 0, 0, "stop")

    def stream(
        self, prompt: str, params: dict[str, Any], cancel: threading.Event
    ) -> Iterator[str | Result]:
        """Yield text deltas as tokens arrive, then a final ``Result``.

        ``cancel`` stops the generation (set it when the client disconnects).
        Decoding the whole completion again per token (and holding back a
        trailing partial UTF-8 character) keeps every delta exact, where
        transformers' text streamers wait for a space or a newline.
        """
        config, stops, max_tokens = self._config(params)
        ids = self.tokenizer(prompt, return_tensors="pt").input_ids.to(self.device)
        if ids.shape[1] == 0:
            ids = torch.tensor([[self._start_token()]], device=self.device)
        streamer = _TokenStreamer()
        stop_event = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            try:
                with self.lock, torch.inference_mode():
                    self.model.generate(
                        ids,
                        generation_config=config,
                        streamer=streamer,
                        stopping_criteria=[_Stop(stop_event)],
                    )
            except Exception as e:  # surfaced to the caller below
                failure.append(e)
                streamer.end()

        source: queue.Queue[int | None]
        if config.num_beams and config.num_beams > 1:
            source = _BeamCollector(self, ids, config, stop_event, failure).queue
        else:
            source = streamer.queue
            threading.Thread(target=run, name="generate", daemon=True).start()
        tokens: list[int] = []
        emitted = ""
        finish = "length"
        while True:
            token = source.get()
            if token is None:
                break
            if stop_event.is_set():
                continue  # stopped; drain until generate notices the flag
            if cancel.is_set():
                stop_event.set()
                finish = "cancelled"
                continue
            tokens.append(token)
            if token == self.tokenizer.eos_token_id:
                tokens.pop()
                finish = "stop"
                continue
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            assert isinstance(text, str)  # one sequence decodes to one string
            cut = _first_stop(text, stops)
            if cut is not None:
                text, finish = text[:cut], "stop"
                stop_event.set()
            elif text.endswith("\ufffd"):
                continue  # half of a multi-byte character; wait for the rest
            if len(text) > len(emitted):
                yield text[len(emitted) :]
                emitted = text
        if failure:
            if isinstance(failure[0], ValueError | TypeError):
                raise RequestError(f"generation failed: {failure[0]}")
            raise GenerationFailed(f"generation failed: {failure[0]}")
        if finish == "length" and len(tokens) < max_tokens:
            finish = "stop"
        yield Result(emitted, int(ids.shape[1]), len(tokens), finish)

    def _start_token(self) -> int:
        for candidate in (self.tokenizer.bos_token_id, self.tokenizer.eos_token_id, 0):
            if candidate is not None:
                return int(candidate)
        return 0

    def _config(self, params: dict[str, Any]) -> tuple[GenerationConfig, list[str], int]:
        if int(params.get("n") or 1) != 1:
            raise RequestError("n: only one choice per request is supported")
        max_tokens = int(params.get("max_completion_tokens") or params.get("max_tokens") or 128)
        if not 1 <= max_tokens <= 32768:
            raise RequestError("max_tokens must be between 1 and 32768")
        stop = params.get("stop") or []
        stops = [stop] if isinstance(stop, str) else [str(s) for s in stop]
        values: dict[str, Any] = {k: params[k] for k in HF_PASSTHROUGH if params.get(k) is not None}
        temperature = params.get("temperature")
        if temperature is not None:
            values["temperature"] = float(temperature) or 1.0
        if temperature is not None and not 0 <= float(temperature) <= 100:
            raise RequestError("temperature must be between 0 and 100")
        if params.get("top_p") is not None:
            values["top_p"] = float(params["top_p"])
            if not 0 < values["top_p"] <= 1:
                raise RequestError("top_p must be in (0, 1]")
        if "do_sample" not in values:
            values["do_sample"] = (
                (temperature is None or float(temperature) > 0)
                and int(values.get("num_beams") or 1) == 1
                and values.get("penalty_alpha") is None
            )
        if params.get("seed") is not None:
            torch.manual_seed(int(params["seed"]))
        eos = self.tokenizer.eos_token_id
        # GenerationConfig(**kwargs) is unannotated in transformers.
        config = GenerationConfig(  # type: ignore[no-untyped-call]
            max_new_tokens=max_tokens,
            pad_token_id=self.tokenizer.pad_token_id if self.tokenizer.pad_token_id else eos,
            eos_token_id=eos,
            **values,
        )
        try:
            # Not strict: flags unused by the chosen mode (top_k with greedy) only warn.
            config.validate()
        except ValueError as e:
            raise RequestError(f"invalid generation parameters: {e}") from e
        return config, stops, max_tokens


class _BeamCollector:
    """Beam search cannot stream; generate to the end, then queue the tokens."""

    def __init__(
        self, engine: Engine, ids: Any, config: Any, stop: threading.Event, failure: list[Any]
    ) -> None:
        self.queue: queue.Queue[int | None] = queue.Queue()
        try:
            with engine.lock, torch.inference_mode():
                out = engine.model.generate(
                    ids, generation_config=config, stopping_criteria=[_Stop(stop)]
                )
            for token in out[0, ids.shape[1] :].tolist():
                self.queue.put(int(token))
        except Exception as e:  # surfaced by Engine.stream
            failure.append(e)
        self.queue.put(None)


def _first_stop(text: str, stops: list[str]) -> int | None:
    found = [text.find(s) for s in stops if s and s in text]
    return min(found) if found else None


def _content_text(message: dict[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # [{"type": "text", "text": ...}, ...]
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return ""
