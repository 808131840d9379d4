"""Inference options and helpers shared by the CLI and the ``%forgather`` magics.

``serve`` queues an ``inference`` job on a checkpoint, ``servers`` lists the
running ones and ``chat`` sends one prompt through the same-origin proxy. The
flags, their checks and their messages are the same in a terminal and a cell.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from ..models.inference import DescribeEndpoint
from ._args import nonneg_int
from ._tables import Table

if TYPE_CHECKING:
    from ._sync import Client


def positive_int(text: str) -> int:
    """An argparse type: an integer >= 1."""
    value = nonneg_int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def add_serve_arguments(p: argparse.ArgumentParser) -> None:
    """``MODEL_PATH --gpus --name --priority --device --dtype --model-name --port``."""
    p.add_argument("model_path", help="a transformers checkpoint directory")
    p.add_argument("--gpus", type=nonneg_int, default=None, help="GPUs to reserve (0: CPU)")
    p.add_argument("--name", help="a name to show in lists")
    p.add_argument("--priority", type=int, default=0, help="higher runs first (default 0)")
    p.add_argument("--device", help="auto (default), cpu, cuda or cuda:N")
    p.add_argument("--dtype", choices=["auto", "float32", "float16", "bfloat16"])
    p.add_argument("--model-name", help="the id /v1/models reports (default: the directory name)")
    p.add_argument("--port", type=nonneg_int, help="port to listen on (default: any free one)")


def serve_kwargs(ns: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of ``Client.serve_inference`` from parsed options."""
    if not str(ns.model_path).strip():
        raise ValueError("say which checkpoint to serve: MODEL_PATH")
    params = {
        "device": ns.device,
        "dtype": ns.dtype,
        "model_name": ns.model_name,
        "port": ns.port,
    }
    return {
        "model_path": ns.model_path,
        "requested_gpus": ns.gpus,
        "name": ns.name,
        "priority": ns.priority,
        **{k: v for k, v in params.items() if v is not None},
    }


def add_chat_arguments(p: argparse.ArgumentParser, prompt_required: bool) -> None:
    """``[JOB_ID] PROMPT --base --system --preset --max-tokens --temperature``."""
    p.add_argument(
        "words",
        nargs="+" if prompt_required else "*",
        metavar="JOB_ID|PROMPT",
        help="the inference job (default: the one ready server) and the prompt",
    )
    p.add_argument("--base", help="any OpenAI-compatible API base URL instead of a job")
    p.add_argument("--system", help="a system prompt")
    p.add_argument("--preset", help="a generation preset (see GET /generation-configs)")
    p.add_argument("--max-tokens", type=positive_int, default=128)
    p.add_argument("--temperature", type=float)


def check_words(words: list[str]) -> None:
    """ValueError unless ``words`` is ``[JOB_ID] [PROMPT]`` (checked before asking the server)."""
    if len(words) > 2:
        raise ValueError('too many words: quote the prompt, e.g. chat JOB "Hello there"')


def split_chat_words(words: list[str], job_ids: set[str]) -> tuple[str | None, str | None]:
    """``(job_id, prompt)`` from the positional words: ``[JOB_ID] [PROMPT]``.

    One word names a job when it is one of ``job_ids``, else it is the prompt.
    """
    check_words(words)
    if len(words) == 2:
        return words[0], words[1]
    if len(words) == 1:
        return (words[0], None) if words[0] in job_ids else (None, words[0])
    return None, None


class NotReady(ValueError):
    """No server to talk to: none named or ready, or the named one is not (yet) ready."""


def inference_rows(client: Client) -> list[DescribeEndpoint]:
    """Running inference servers (TensorBoards left out)."""
    return [r for r in client.inference_servers() if r.job_type == "inference"]


def _ready_base(row: DescribeEndpoint) -> str | None:
    return row.base_url if row.state == "ready" else None


def resolve_base(rows: list[DescribeEndpoint], job_id: str | None) -> tuple[str, str]:
    """``(job_id, base_url)`` of the named job, or of the one ready server."""
    if job_id is None:
        ready = [(r.job_id, base) for r in rows if (base := _ready_base(r))]
        if not ready:
            raise NotReady("no inference server is ready; start one with serve MODEL_PATH")
        if len(ready) > 1:
            ids = ", ".join(ident for ident, _ in ready)
            raise NotReady(f"several inference servers are ready ({ids}): name one")
        return ready[0]
    row = next((r for r in rows if r.job_id == job_id), None)
    if row is None:
        raise NotReady(f"{job_id} is not a running inference server (see servers)")
    base = _ready_base(row)
    if not base:
        raise NotReady(f"inference server {job_id} is {row.state}, not ready yet")
    return job_id, base


def chat_params(client: Client, ns: argparse.Namespace) -> dict[str, Any]:
    """Generation parameters: the preset's, then --max-tokens / --temperature."""
    params: dict[str, Any] = dict(client.preset(ns.preset).params) if ns.preset else {}
    params["max_tokens"] = ns.max_tokens
    if ns.temperature is not None:
        params["temperature"] = ns.temperature
    return params


def chat_messages(prompt: str, system: str | None) -> list[dict[str, str]]:
    """The turns of a one-shot chat."""
    turns = [{"role": "system", "content": system}] if system else []
    return [*turns, {"role": "user", "content": prompt}]


def servers_table(rows: list[DescribeEndpoint]) -> Table:
    """Inference servers as a table (HTML in a notebook, text in a terminal)."""
    cells = [[r.job_id, r.name, r.state, r.model, r.base_url] for r in rows]
    return Table(
        ["job", "name", "state", "model", "base_url"],
        [[str(v or "-") for v in row] for row in cells],
        "inference servers",
        empty="(no inference server running; start one with serve MODEL_PATH)",
    )
