"""Notebook widgets: live views (anywidget) and the enqueue form (ipywidgets).

``GpuDashboard()``, ``JobsTable()``, ``JobView(job_id)`` render in the
browser and talk to the server from there; ``EnqueueForm(project, config)``
is a kernel-side form. ``Compare(ids)`` overlays runs' curves.
``ChatWidget(job_id)`` chats with a running inference
server through the same-origin proxy.
"""

from __future__ import annotations

from ._form import EnqueueForm
from ._live import GpuDashboard, JobsTable, JobView
from .chat import ChatWidget
from .compare import Compare

__all__ = ["ChatWidget", "Compare", "EnqueueForm", "GpuDashboard", "JobView", "JobsTable"]
