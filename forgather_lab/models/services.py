"""Auto-start services on the wire."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from .base import ApiModel, Model
from .jobs import JobStatus

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


ServiceSource = Literal["settings", "user"]


class UpsertService(ApiModel):
    """``POST /services``: create or replace ``<type>/<name>``."""

    type: str = Field(description="a job type: inference | tensorboard | command")
    name: str = Field(pattern=NAME_PATTERN, description="an operator-chosen label")
    enabled: bool = True
    args: dict[str, Any] = Field(default_factory=dict, description="the job's job_params")
    priority: int = Field(0, ge=-1000, le=1000)
    requested_gpus: int | None = Field(
        None, ge=0, description="default: 1 for inference (when the server has a GPU), else 0"
    )


class SetServiceEnabled(ApiModel):
    """``POST /services/{type}/{name}/enabled``."""

    enabled: bool


class DescribeService(Model):
    """A configured service and what is running for it."""

    type: str
    name: str
    enabled: bool
    args: dict[str, Any]
    priority: int
    requested_gpus: int
    source: ServiceSource = Field(
        description="settings: ForgatherLab.services (read-only, toggles are stored); "
        "user: created through the API"
    )
    signature: str
    running: bool = Field(description="a job with this signature is running")
    job_id: str | None = None
    status: JobStatus | None = Field(None, description="that job's status")
    base_url: str | None = None
    message: str | None = Field(None, description="why the service could not start, if so")


class ListServices(Model):
    """``GET /services``."""

    services: list[DescribeService]


class DeleteServiceResult(Model):
    """What a delete did."""

    deleted: bool
    stopped_job_id: str | None = None


class ServiceKind(Model):
    """A service kind the Lab has a launch dialog for."""

    # ``schema`` on the wire; the attribute cannot be called that (BaseModel.schema).
    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True)

    type: str = Field(description="the job type: inference | tensorboard | docs | dataset_server")
    label: str = Field(description="what the dialog is called (Inference, TensorBoard, ...)")
    schema_: dict[str, Any] = Field(
        alias="schema",
        serialization_alias="schema",
        description="the job_params as a flat JSON Schema: {type: object, properties: {name: "
        "{type: string | number | integer | boolean | array, title, description, default, "
        "enum, format: path, minimum, maximum, items}}, required}",
    )
    requested_gpus: int = Field(description="GPUs a service of this kind reserves by default")


class ListServiceKinds(Model):
    """``GET /services/kinds``."""

    kinds: list[ServiceKind]
