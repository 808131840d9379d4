"""Replies as JSON, with each job record's JSON text reused while the record is.

``GET /queue`` answers every queued job on every poll, and ``GET /jobs``
pages overlap from one poll to the next: under load (50 clients, thousands
queued) serialising those records was the server's largest cost after
annotating them (issue 19). Records are never changed in place (every
change is a ``model_copy``, see ``jobs/repository.py``), so a record that is
the same object as last time has the same JSON, and it is kept with the
object it was made from.
"""

from __future__ import annotations

import threading

from pydantic import BaseModel

from .jobs import DescribeJob, ListJobs

#: id(record) -> (record, its JSON). Holding the record keeps its id from being reused.
_ENCODED: dict[int, tuple[DescribeJob, str]] = {}
_ENCODED_MAX = 50_000
_LOCK = threading.Lock()
_EMPTY_HEAD = '{"jobs":['


def record_json(job: DescribeJob) -> str:
    """``job.model_dump_json()``, made once per record object."""
    key = id(job)
    entry = _ENCODED.get(key)
    if entry is not None and entry[0] is job:
        return entry[1]
    text = job.model_dump_json()
    with _LOCK:
        if len(_ENCODED) >= _ENCODED_MAX:
            _ENCODED.clear()
        _ENCODED[key] = (job, text)
    return text


def reply_json(payload: BaseModel) -> str:
    """``payload.model_dump_json()``; for a page of jobs, built from each record's kept JSON."""
    if type(payload) is not ListJobs or any(type(j) is not DescribeJob for j in payload.jobs):
        return payload.model_dump_json()  # a subclass's record would dump its own fields
    # The page without its jobs, then the jobs put back in: "jobs" is the first field.
    rest = payload.model_copy(update={"jobs": []}).model_dump_json()
    if not rest.startswith(_EMPTY_HEAD + "]"):
        return payload.model_dump_json()  # the model changed shape: the plain way
    jobs = ",".join(record_json(j) for j in payload.jobs)
    return _EMPTY_HEAD + jobs + rest[len(_EMPTY_HEAD) :]
