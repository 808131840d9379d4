"""Shared model configuration and the error reply."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ApiModel(BaseModel):
    """Base of every request model: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorReply(BaseModel):
    """Every 4xx and 5xx answer."""

    message: str = Field(description="what was wrong, in words")
    reason: str | None = Field(
        None, description="a stable code: bad_request, not_found, conflict, forbidden, ..."
    )
    details: dict[str, Any] | None = Field(None, description="structured context, if any")
