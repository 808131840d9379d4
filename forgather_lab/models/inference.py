"""Inference servers, TensorBoard, the proxy and generation presets on the wire."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import Field, WithJsonSchema, model_validator

from .base import ApiModel, Model, Root
from .jobs import Argv, Environment, JobStatus, check_command_size


class InferenceParams(ApiModel):
    """``job_params`` of an ``inference`` job: our server on a checkpoint, or any command."""

    model_path: str | None = Field(
        None, description="a transformers checkpoint directory served by Forgather's server"
    )
    command: Argv | None = Field(
        None,
        description="instead: any OpenAI-compatible server argv (vLLM, llama.cpp); "
        "placeholders {host}, {port}, {token_file} are filled in at launch",
    )
    model_name: str | None = Field(None, max_length=200, description="the id /v1/models reports")
    host: Literal["127.0.0.1", "::1", "0.0.0.0"] = Field(  # noqa: S104
        "127.0.0.1", description="0.0.0.0 exposes the server beyond loopback (the token holds)"
    )
    port: int = Field(0, ge=0, le=65535, description="0 = any free port, reported by the server")
    device: str = Field("auto", pattern=r"^(auto|cpu|cuda(:\d+)?)$")
    dtype: Literal["auto", "float32", "float16", "bfloat16"] = "auto"
    api_path: str = Field("/v1", pattern=r"^(/[A-Za-z0-9._-]+)*$", description="command only")
    health_path: str = Field("/health", pattern=r"^/[A-Za-z0-9._/-]*$", description="command only")
    token_env: str | None = Field(
        None,
        pattern=r"^[A-Z_][A-Z0-9_]*$",
        description="command only: environment variable the upstream reads its API key from",
    )
    cwd: str | None = None
    env: Environment = Field(default_factory=dict)

    @model_validator(mode="after")
    def _fits(self) -> Self:
        check_command_size(self.command, self.env)
        return self


class TensorBoardParams(ApiModel):
    """``job_params`` of a ``tensorboard`` job."""

    logdir: str = Field(description="directory of event files (searched recursively)")
    reload_interval: float = Field(5.0, gt=0, le=3600, description="seconds between rescans")
    bind_all: bool = Field(
        False,
        description="also listen on every network interface, without authentication: anyone "
        "who can reach the port reads the metrics (the Lab's proxy is unchanged)",
    )


class EndpointState(StrEnum):
    """Where a long-running job stands: starting → ready | failed; stopped once it ends."""

    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"
    STOPPED = "stopped"


class DescribeEndpoint(Model):
    """Where a long-running job (inference, TensorBoard) answers, and whether it is ready."""

    job_id: str
    job_type: str
    name: str
    status: JobStatus = Field(description="the job's status")
    state: EndpointState
    base_url: str | None = Field(None, description="the API base, e.g. http://127.0.0.1:PORT/v1")
    proxy_url: str | None = Field(None, description="same-origin path for the browser")
    model: str | None = None
    message: str | None = None


class ListEndpoints(Model):
    """``GET /inference/servers``."""

    servers: list[DescribeEndpoint]


class ProxyQuery(Model):
    """``?base=`` of the inference proxy."""

    base: str = Field(description="the upstream API base URL, e.g. http://127.0.0.1:8137/v1")


class OpenAIReply(Model):
    """Whatever the upstream answered (OpenAI-compatible JSON or an SSE stream)."""

    model_config = {"extra": "allow"}


class PresetSummary(Model):
    """One generation preset in the list."""

    name: str
    builtin: bool = Field(description="a bundled preset (read-only)")
    shadowed: bool = Field(False, description="bundled, but a user preset of that name wins")


class ListPresets(Model):
    """``GET /generation-configs``."""

    presets: list[PresetSummary]


class DescribePreset(Model):
    """One preset: the generation parameters it sets."""

    name: str
    builtin: bool
    params: dict[str, Any]


_PARAMS = {"type": "object", "additionalProperties": True}
_SAVE_PRESET_SCHEMA = {
    "anyOf": [
        {**_PARAMS, "description": "the generation parameters themselves (known names only)"},
        {
            "type": "object",
            "properties": {"params": _PARAMS},
            "required": ["params"],
            "additionalProperties": False,
            "description": "the same, wrapped: any names, a server's own extensions too",
        },
    ]
}


class SavePreset(Root[Annotated[dict[str, Any], WithJsonSchema(_SAVE_PRESET_SCHEMA)]]):
    """``PUT /generation-configs/{name}``: the generation parameters as the body.

    ``{"temperature": 0.7, "top_p": 0.9}``, as Forgather's own API takes them
    (OpenAI and HuggingFace names; an unknown name is a 400). The wrapped
    form ``{"params": {...}}`` is accepted too and stores any names (a
    server's own extensions).
    """

    @property
    def wrapped(self) -> bool:
        """Whether the body is the ``{"params": {...}}`` form."""
        return set(self.root) == {"params"} and isinstance(self.root["params"], dict)

    @property
    def params(self) -> dict[str, Any]:
        """The generation parameters, unwrapped."""
        inner = self.root["params"] if self.wrapped else self.root
        return dict(inner)


class DeletePresetResult(Model):
    """What deleting a user preset did."""

    name: str
    deleted: bool
    restored_builtin: bool
