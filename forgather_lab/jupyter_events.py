"""Forgather events on Jupyter's own event system (jupyter_events).

Every bus event is re-emitted on the server's ``event_logger`` under one of
two registered schemas (``JOB_SCHEMA`` for events about a job, ``SERVER_SCHEMA``
for the rest), so JupyterLab reads them through ``serviceManager.events``
(``/api/events/subscribe``) and other extensions can listen the Jupyter way,
next to the SSE stream at ``/forgather/api/events`` that non-Lab clients use.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .events import Event, EventBus

log = logging.getLogger("forgather_lab.events")

SCHEMA_DIR = Path(__file__).with_name("event_schemas")
JOB_SCHEMA = "https://forgather.dev/events/job/v1"
SERVER_SCHEMA = "https://forgather.dev/events/server/v1"


def schemas() -> list[dict[str, Any]]:
    """The JSON schemas registered with the event logger."""
    return [json.loads((SCHEMA_DIR / n).read_text()) for n in ("job.v1.json", "server.v1.json")]


def capsule(event: Event) -> tuple[str, dict[str, Any]]:
    """The schema id and the data emitted for a bus event."""
    try:
        # Plain JSON, nothing shared with the publisher; the text the SSE streams send
        # (serialised once per event) is reused rather than encoded again here.
        data = json.loads(event.encoded)
    except TypeError:  # a value JSON cannot encode: as text, as before
        data = json.loads(json.dumps(event.to_dict(), default=str))
    job_id = event.data.get("job_id")
    if isinstance(job_id, str):
        out: dict[str, Any] = {
            "type": event.type,
            "event_id": event.id,
            "job_id": job_id,
            "data": data,
        }
        if isinstance(event.data.get("status"), str):
            out["status"] = event.data["status"]
        return JOB_SCHEMA, out
    return SERVER_SCHEMA, {"type": event.type, "event_id": event.id, "data": data}


def _heard(event_logger: Any, schema_id: str) -> bool:
    """Whether ``emit`` would reach anyone: the test ``EventLogger.emit`` starts with.

    Made before the capsule is built, which costs a JSON round trip per event
    (a 1,000-job batch publishes 1,000 events; issue 19). The listener tables
    are private to jupyter_events: without them, assume someone listens.
    """
    if event_logger.handlers:
        return True
    modified = getattr(event_logger, "_modified_listeners", None)
    unmodified = getattr(event_logger, "_unmodified_listeners", None)
    if modified is None or unmodified is None:
        return True
    return bool(modified.get(schema_id) or unmodified.get(schema_id))


def bridge(event_logger: Any, bus: EventBus) -> Callable[[], None]:
    """Register the schemas and forward every bus event; returns a function to stop."""
    for schema in schemas():
        if schema["$id"] not in event_logger.schemas:
            event_logger.register_event_schema(schema)

    def forward(event: Event) -> None:
        if event.ephemeral:  # GPU samples every few seconds are not news
            return
        job_event = isinstance(event.data.get("job_id"), str)  # as capsule() decides
        if not _heard(event_logger, JOB_SCHEMA if job_event else SERVER_SCHEMA):
            return
        schema_id, data = capsule(event)
        try:
            event_logger.emit(schema_id=schema_id, data=data)
        except Exception:  # a listener's problem must never break a publisher
            log.warning("could not emit %s on jupyter_events", event.type, exc_info=True)

    return bus.listen(forward)
