"""The executed notebook of a notebook job, read from the job's directory."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .. import jobfiles as files
from ..errors import Conflict, NotFound
from ..models.jobs import DescribeJob, JobStatus
from ..models.notebook_jobs import ExecutedNotebook
from .kind import NotebookKind
from .parameters import EXECUTED_FILE

_NOT_STARTED = frozenset({JobStatus.QUEUED, JobStatus.STARTING})


class NotebookJobsService:
    """What the server knows of notebook jobs beyond their records."""

    def __init__(
        self, get_job: Callable[[str], Awaitable[DescribeJob]], job_dir: Callable[[str], Path]
    ) -> None:
        """``get_job`` answers a job record (404 when none), ``job_dir`` its directory."""
        self.get_job = get_job
        self.job_dir = job_dir

    async def executed(self, job_id: str) -> ExecutedNotebook:
        """The notebook as the job has executed it so far (404 for other kinds of job)."""
        job = await self.get_job(job_id)
        if job.job_type != NotebookKind.name:
            raise NotFound(
                f"Job {job.id} is a {job.job_type} job, not a notebook job: "
                "it has no executed notebook"
            )
        data = await asyncio.to_thread(_read, self.job_dir(job.id) / EXECUTED_FILE)
        if data is None:
            if job.status in _NOT_STARTED:
                raise Conflict(f"Job {job.id} is {job.status}: its notebook has not started yet")
            raise NotFound(
                f"Job {job.id} ({job.status}) left no executed notebook: it ended before "
                "the notebook could be read (see its log)"
            )
        try:
            return ExecutedNotebook.model_validate(data)
        except ValidationError as e:  # written by the job, so not the client's fault, but said
            raise NotFound(f"Job {job.id}'s executed notebook is not nbformat 4: {e}") from e


def _read(path: Path) -> Any:
    try:
        return json.loads(files.read_bytes(path))
    except FileNotFoundError:
        return None
    except ValueError:
        return None  # only a job killed mid-write outside the rename leaves that
