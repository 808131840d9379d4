"""Health of the extension."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class DescribeHealth(BaseModel):
    """``GET /forgather/api/health``."""

    status: Literal["ok", "error"]
    version: str
    gpu_backend: str
    gpu_count: int
    scheduler_enabled: bool
    state_dir: str
    schema_version: int | None
    message: str | None = None
