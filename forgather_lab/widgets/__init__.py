"""Notebook widgets: live views (anywidget) and the enqueue form (ipywidgets).

``GpuDashboard()``, ``JobsTable()``, ``JobView(job_id)`` render in the
browser and talk to the server from there; ``EnqueueForm(project, config)``
is a kernel-side form. A chat widget joins once the inference proxy (issue 7)
exists.
"""

from __future__ import annotations

from ._form import EnqueueForm
from ._live import GpuDashboard, JobsTable, JobView

__all__ = ["EnqueueForm", "GpuDashboard", "JobView", "JobsTable"]
