"""Trainers started outside the queue, and the Jupyter server's config file, on the wire."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ApiModel, Model
from .jobs import MAX_INT64, DescribeJob

#: The job type of a trainer that registered itself (never queued, never dispatched).
EXTERNAL = "external"


class RegisterExternal(ApiModel):
    """``POST /jobs/external``: a trainer started elsewhere (a terminal, a notebook) joins.

    The server reads the process's command line and working directory itself
    (psutil), so what is shown is what runs, not what the trainer claims.
    """

    pid: int = Field(ge=1, le=2**31 - 1, description="the trainer's process id (os.getpid())")
    name: str | None = Field(None, max_length=200, description="default: the script's name")
    cuda_visible_devices: str | None = Field(
        None,
        max_length=200,
        description="the process's CUDA_VISIBLE_DEVICES: shown with the job, never reserved",
    )
    python: str | None = Field(None, max_length=50, description="the interpreter's version")


class ExternalRegistration(Model):
    """The registered job and its callback token (shown once; the server keeps its hash).

    The reporter then posts to ``/jobs/{id}/callback`` with ``Authorization:
    Bearer <token>``, as a queued job's reporter does.
    """

    job: DescribeJob
    token: str = Field(description="the job's callback token")


class EndExternal(ApiModel):
    """``POST /jobs/external/{id}/end`` (job token auth): how the trainer ended, in its words."""

    outcome: Literal["done", "failed", "aborted"] = Field(
        description="done: closed normally; failed: an unhandled exception; aborted: Ctrl-C"
    )
    error: str | None = Field(None, max_length=2000, description="the exception, for failed")
    exit_code: int | None = Field(None, ge=-MAX_INT64, le=MAX_INT64)


# -- the Jupyter server's config file -----------------------------------------


class DescribeServerConfig(Model):
    """``POST /server-config``: where the config file is (created from a template if missing)."""

    path: str = Field(description="absolute path of jupyter_server_config.py")
    lab_path: str | None = Field(
        description="the path under the server's root_dir, when JupyterLab can open it there "
        "(not inside a hidden directory); null: edit it through /server-config/content"
    )
    created: bool = Field(description="whether this call wrote the template")
    size: int = Field(description="bytes")


class ServerConfigContent(Model):
    """``GET /server-config/content``: the file's text."""

    path: str
    content: str


class UpdateServerConfig(ApiModel):
    """``PUT /server-config/content``: the file's new text (UTF-8, no NUL, at most 1 MiB)."""

    content: str = Field(max_length=1_048_576)


__all__ = [
    "EXTERNAL",
    "DescribeServerConfig",
    "EndExternal",
    "ExternalRegistration",
    "RegisterExternal",
    "ServerConfigContent",
    "UpdateServerConfig",
]
