"""Inference proxy against a direct connection (issue 7).

Not measured yet: the proxy needs a running inference job to sit in front
of, and this harness does not start one. The slot is reported as such
rather than left out, so the table shows what is missing.
"""

from __future__ import annotations

from ._common import Figure, Settings


def run(settings: Settings) -> list[Figure]:
    return [
        Figure(
            "proxy",
            "first token / tokens/s vs direct",
            None,
            "",
            target="+<= 5 ms TTFT; >= 0.95 tokens/s",
            note="not measured: no proxy benchmark yet",
        )
    ]
