"""Health of the extension."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import Model


class DescribeHealth(Model):
    """``GET /forgather/api/health``."""

    status: Literal["ok", "error"]
    version: str
    gpu_backend: str
    gpu_count: int
    scheduler_enabled: bool
    state_dir: str
    schema_version: int | None
    message: str | None = None
    mode: Literal["single", "hub"] = "single"
    user: str | None = Field(None, description="who is asking (the Hub user in hub mode)")
    admin: bool = Field(False, description="whether the caller may act on every job and policy")
    run_as_owner: bool = Field(
        False,
        description="whether jobs' commands run as their owners' local accounts now "
        "(hub mode, the service as root, the local executor; ForgatherLab.run_as_owner)",
    )
    run_as_reason: str | None = Field(
        None, description="why jobs run as their owners, or whose account they run as instead"
    )
