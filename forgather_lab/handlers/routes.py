"""The route table: every /forgather/api endpoint, in one place.

Each handler module ends with its own ``ROUTES`` group; this module joins
them. ``app.py`` registers the result, the OpenAPI document is generated from
it and the auth sweep in the tests walks it.
"""

from __future__ import annotations

from . import (
    callback,
    cluster,
    cluster_jobs,
    control,
    datasets,
    docsite,
    events,
    external,
    gpus,
    inference,
    jobs,
    meta,
    notebook_jobs,
    presets,
    projects,
    queue,
    runs,
    server_config,
    services,
    tensorboard,
)
from .base import ForgatherHandler, Route

ROUTES: list[Route] = [
    *meta.ROUTES,
    *queue.ROUTES,
    *external.ROUTES,  # before jobs: /jobs/{job_id} would take /jobs/external
    *jobs.ROUTES,
    *notebook_jobs.ROUTES,
    *control.ROUTES,
    *callback.ROUTES,
    *events.ROUTES,
    *gpus.ROUTES,
    *projects.ROUTES,
    *inference.ROUTES,
    *presets.ROUTES,
    *tensorboard.ROUTES,
    *docsite.ROUTES,
    *services.ROUTES,
    *runs.ROUTES,
    *datasets.ROUTES,
    *server_config.ROUTES,
    *cluster.ROUTES,
    *cluster_jobs.ROUTES,
]


def handlers() -> list[tuple[str, type[ForgatherHandler]]]:
    """(pattern, handler) pairs for ExtensionApp.handlers (base_url is joined there)."""
    return [(r.pattern, r.handler) for r in ROUTES]
