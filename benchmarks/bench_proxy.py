"""Inference proxy against a direct connection (issue 7).

A real inference job serves a tiny random GPT-2 (built locally, no hub) on
CPU; streamed chat completions go alternately straight to the server (with
its bearer token) and through ``/forgather/api/inference/chat/completions``
(with the Jupyter token). Reported: time to first token and tokens/s (one
SSE event per token) through the proxy, as a ratio against the direct
connection measured in the same run.

    python -m benchmarks.bench_proxy          # prints a JSON summary
    python -m benchmarks.bench_proxy --fake-gap-ms 2   # a clock, not a model, upstream

With ``--fake-gap-ms`` the job is ``benchmarks/sse_upstream.py`` (an external
server command) emitting a token every so many milliseconds: the model's
own jitter is gone, and what differs between the two paths is the proxy.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from ._common import TOKEN, Figure, ServerProcess, Settings, running_server

# _common put tests/ on the path (ServerProcess); the tiny model builder lives there too.
from inference_helpers import build_in_subprocess  # isort: skip

# The model generates on one core: on these two cores torch's threads would otherwise
# take the core the proxy needs, and the proxy's figure would be the scheduler's.
MODEL_ENV = {"OMP_NUM_THREADS": os.environ.get("FORGATHER_BENCH_MODEL_THREADS", "1")}

BODY = {
    "messages": [{"role": "user", "content": "Tell me a story"}],
    "max_tokens": 48,
    "temperature": 0,
    "stream": True,
}


async def _one(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> tuple[float, float]:
    """(seconds to the first token, tokens per second after it) of one streamed reply."""
    started = time.perf_counter()
    first = 0.0
    tokens = 0
    async with client.stream("POST", url, json=BODY, headers=headers) as reply:
        reply.raise_for_status()
        async for line in reply.aiter_lines():
            if not line.startswith("data: ") or line == "data: [DONE]":
                continue
            choices = json.loads(line[6:]).get("choices") or [{}]
            if (choices[0].get("delta") or {}).get("content"):
                tokens += 1
                if tokens == 1:
                    first = time.perf_counter()
    end = time.perf_counter()
    rate = (tokens - 1) / (end - first) if tokens > 1 and end > first else 0.0
    return first - started, rate


def _job_params(fake_gap_ms: float | None) -> dict[str, Any]:
    if fake_gap_ms is None:
        model = build_in_subprocess(Path(tempfile.mkdtemp(prefix="bench-proxy-")) / "tiny")
        return {"model_path": str(model), "env": MODEL_ENV}
    with socket.socket() as s:  # a free port for the clock to bind
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    script = str(Path(__file__).with_name("sse_upstream.py"))
    gap = str(fake_gap_ms)
    return {"command": [sys.executable, script, "{port}", "{token_file}", gap], "port": port}


async def _measure(
    srv: ServerProcess, rounds: int, fake_gap_ms: float | None = None
) -> dict[str, Any]:
    params = _job_params(fake_gap_ms)
    auth = {"Authorization": f"token {TOKEN}"}
    async with httpx.AsyncClient(timeout=120) as client:
        job = (
            await client.post(
                f"{srv.url}/forgather/api/queue",
                headers=auth,
                json={"job_type": "inference", "job_params": params},
            )
        ).json()
        base = ""
        deadline = time.monotonic() + 300
        while not base and time.monotonic() < deadline:
            rows = await client.get(f"{srv.url}/forgather/api/inference/servers", headers=auth)
            for row in rows.json()["servers"]:
                if row["job_id"] == job["id"] and row["state"] == "ready":
                    base = row["base_url"]
            await asyncio.sleep(0.3)
        if not base:
            raise RuntimeError("the inference job never became ready")
        # The benchmark runs as the server's user, so it may read the job's token file.
        token = (srv.state / "jobs" / job["id"] / "inference_token").read_text().strip()
        direct = (f"{base}/chat/completions", {"Authorization": f"Bearer {token}"})
        proxied = (
            f"{srv.url}/forgather/api/inference/chat/completions?base={base}",
            auth,
        )
        results: dict[str, list[tuple[float, float]]] = {"direct": [], "proxy": []}
        await _one(client, *direct)  # warm-up: first generation compiles kernels
        await _one(client, *proxied)
        for _ in range(rounds):
            results["direct"].append(await _one(client, *direct))
            results["proxy"].append(await _one(client, *proxied))
        await client.post(f"{srv.url}/forgather/api/jobs/{job['id']}/control/kill", headers=auth)
    out: dict[str, Any] = {
        "rounds": rounds,
        "upstream": "model" if fake_gap_ms is None else f"clock, {fake_gap_ms} ms a token",
    }
    for path, samples in results.items():
        out[f"{path}_ttft_ms"] = round(statistics.median(s[0] for s in samples) * 1000, 2)
        out[f"{path}_tokens_per_s"] = round(statistics.median(s[1] for s in samples), 1)
    out["ttft_overhead_ms"] = round(out["proxy_ttft_ms"] - out["direct_ttft_ms"], 2)
    out["tokens_per_s_ratio"] = round(out["proxy_tokens_per_s"] / out["direct_tokens_per_s"], 3)
    return out


def main(rounds: int = 20, fake_gap_ms: float | None = None) -> dict[str, Any]:
    """Run against a fresh server; returns the figures as a dict."""
    with running_server() as srv:
        return asyncio.run(_measure(srv, rounds, fake_gap_ms))


def run(settings: Settings) -> list[Figure]:
    result = main(settings.n(20, 5))
    ttft_ok = result["ttft_overhead_ms"] <= 2
    rate_ok = result["tokens_per_s_ratio"] >= 0.98
    return [
        Figure(
            "proxy",
            "first token through the proxy, extra over direct",
            result["ttft_overhead_ms"],
            "ms",
            baseline=f"direct TTFT {result['direct_ttft_ms']} ms",
            target="+<= 2 ms TTFT",
            met=ttft_ok,
            note=f"median of {result['rounds']} streamed replies each way",
            raw=result,
        ),
        Figure(
            "proxy",
            "tokens/s through the proxy vs direct",
            result["tokens_per_s_ratio"],
            "x",
            baseline=f"direct {result['direct_tokens_per_s']} tokens/s",
            target=">= 0.98",
            met=rate_ok,
            raw=result,
        ),
    ]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--fake-gap-ms", type=float, help="a clock upstream, not a model")
    args = parser.parse_args()
    print(json.dumps(main(args.rounds, args.fake_gap_ms), indent=2))
