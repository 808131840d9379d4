"""anywidget views that talk to the server from the browser.

The kernel only says *what* to show (a job id, a filter); the front end
(``static/forgather.js``) fetches and streams from the Forgather API itself,
with the page's credentials. So a widget keeps updating while the kernel is
busy, shows nothing stale after a kernel restart, and never holds a socket in
the kernel.

``static/forgather.js`` and ``static/forgather.css`` are built from the
TypeScript in ``labextension/src/widgets/`` (``npm run build`` there, which
``scripts/setup.sh`` and ``pip install`` run); they ship in the wheel.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

STATIC = Path(__file__).parent / "static"

_NOT_BUILT = (
    "export default { render({ el }) { el.textContent = "
    '"Forgather widgets: the front end is not built (run scripts/setup.sh, '
    'or npm run build in labextension/)."; return () => {}; } };'
)


def _built(name: str, fallback: str) -> Path | str:
    """The built front-end file, or ``fallback`` so that importing never fails without it."""
    path = STATIC / name
    return path if path.is_file() else fallback


class _ForgatherWidget(anywidget.AnyWidget):
    """Shared front end; ``_view`` picks the renderer."""

    _esm = _built("forgather.js", _NOT_BUILT)
    _css = _built("forgather.css", "")
    _view = traitlets.Unicode("").tag(sync=True)
    base_url = traitlets.Unicode(
        "", help="Jupyter base URL to call; empty: the page's own (same origin)"
    ).tag(sync=True)


class GpuDashboard(_ForgatherWidget):
    """Live GPU cards (utilization, memory, temperature, power, policy, reservation).

    Fed by the ``/gpus/stream`` WebSocket; each card has a disable / enable button.
    """

    _view = traitlets.Unicode("gpus").tag(sync=True)


class JobsTable(_ForgatherWidget):
    """Jobs with status, progress and controls (save, stop, abort, kill, cancel).

    A queued job shows its place in the queue (``queued #3``) and, under its
    name, why it is not running yet (``needs 4 GPUs, 2 idle``); a requeued
    one its attempt. Refreshed on the server's events (SSE) with a slow poll
    as a safety net.
    """

    _view = traitlets.Unicode("jobs").tag(sync=True)
    limit = traitlets.Int(20, help="how many jobs, newest first").tag(sync=True)
    status = traitlets.Unicode("", help="comma-separated statuses to show; empty: all").tag(
        sync=True
    )

    @traitlets.validate("limit")
    def _limit(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if not 1 <= value <= 1000:
            raise traitlets.TraitError("limit must be between 1 and 1000")
        return value


class JobView(_ForgatherWidget):
    """One job: status and progress (while queued: its place and why it waits), controls,
    a metric chart and the live log."""

    _view = traitlets.Unicode("job").tag(sync=True)
    job_id = traitlets.Unicode(help="the job to show").tag(sync=True)
    metric = traitlets.Unicode("loss", help="the metric series to chart").tag(sync=True)

    def __init__(self, job_id: str, **kwargs: Any) -> None:
        if not job_id or not str(job_id).strip():
            raise ValueError("JobView needs a job id")
        super().__init__(job_id=str(job_id), **kwargs)
