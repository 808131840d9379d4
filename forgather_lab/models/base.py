"""Shared model configuration and the error reply."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field, RootModel

T = TypeVar("T")


class Model(BaseModel):
    """Base of every model here: its schema is built on first use, not at server start."""

    model_config = ConfigDict(defer_build=True)


class Root(RootModel[T], Generic[T]):
    """Base of every root model here, built on first use as ``Model`` is."""

    model_config = ConfigDict(defer_build=True)


class ApiModel(Model):
    """Base of every request model: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorReply(Model):
    """Every 4xx and 5xx answer."""

    message: str = Field(description="what was wrong, in words")
    reason: str | None = Field(
        None, description="a stable code: bad_request, not_found, conflict, forbidden, ..."
    )
    details: dict[str, Any] | None = Field(None, description="structured context, if any")
