"""``ChatWidget``: chat with a running inference server from a notebook cell.

Like the other live widgets, the browser does the talking: it resolves the
job's ``base_url`` from ``GET /forgather/api/inference/servers``, fills the
preset dropdown from ``GET /forgather/api/generation-configs`` and streams
replies from the same-origin proxy
``POST /forgather/api/inference/chat/completions?base=<base>`` (SSE, with the
page's credentials; the proxy injects the upstream token). The kernel holds no
socket; clearing the output aborts a reply in flight.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import traitlets

from ._live import _ForgatherWidget


def check_base(value: str) -> str:
    """``value`` without a trailing slash if it is an http(s) URL (or empty); else ValueError."""
    value = value.strip().rstrip("/")
    parts = urlsplit(value)
    if value and (parts.scheme not in {"http", "https"} or not parts.netloc):
        raise ValueError(f"base must be an http(s) URL, got {value!r}")
    return value


class ChatWidget(_ForgatherWidget):
    """A chat box on one inference server: streamed replies, stop, presets, system prompt.

    ``ChatWidget()`` offers the running servers to pick from;
    ``ChatWidget(job_id="...")`` talks to that job (waiting until it is ready);
    ``ChatWidget(base="http://host:port/v1")`` to any OpenAI-compatible server
    the proxy may reach.
    """

    _view = traitlets.Unicode("chat").tag(sync=True)
    job_id = traitlets.Unicode("", help="the inference job to talk to; empty: pick one").tag(
        sync=True
    )
    base = traitlets.Unicode("", help="an upstream API base URL instead of a job").tag(sync=True)
    system = traitlets.Unicode("", help="the system prompt").tag(sync=True)
    preset = traitlets.Unicode("", help="a generation preset name; empty: none").tag(sync=True)
    max_tokens = traitlets.Int(256, help="the most tokens per reply").tag(sync=True)

    def __init__(
        self,
        job_id: str | None = None,
        *,
        base: str | None = None,
        system: str = "",
        preset: str = "",
        **kwargs: Any,
    ) -> None:
        if job_id and base:
            raise ValueError("ChatWidget takes a job_id or a base URL, not both")
        super().__init__(
            job_id=str(job_id or "").strip(),
            base=check_base(base or ""),
            system=system or "",
            preset=(preset or "").strip(),
            **kwargs,
        )

    @traitlets.validate("base")
    def _base(self, proposal: Any) -> str:
        try:
            return check_base(str(proposal["value"]))
        except ValueError as e:
            raise traitlets.TraitError(str(e)) from None

    @traitlets.validate("max_tokens")
    def _max_tokens(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 32768:
            raise traitlets.TraitError("max_tokens must be between 1 and 32768")
        return value
