"""Shared model configuration and the error reply."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """Base of every request model: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorReply(BaseModel):
    """Every 4xx and 5xx answer."""

    message: str
    reason: str | None = None
