"""Dataset servers: the ``dataset_server`` job's parameters and the registry's records.

A dataset server is either a ``dataset_server`` job (``source: "job"``, its
id is the job's) or one a user added by URL (``source: "user"``). What the
servers themselves answer (``/datasets``, ``/preview``, ``/rows``, ...) is
plain JSON documented in docs/datasets.md: the job side imports no models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .base import ApiModel, Model

#: Rows one ``/preview`` or ``/rows`` call of a dataset server answers, at most.
MAX_ROWS_PER_CALL = 500

DatasetServerStatus = Literal["starting", "ready", "unreachable", "unauthorized"]
DatasetServerSource = Literal["job", "user"]


class DatasetServerParams(ApiModel):
    """``job_params`` of a ``dataset_server`` job."""

    paths: list[str] = Field(
        min_length=1,
        max_length=32,
        description="files or directories to serve (JSONL, CSV, TSV, Parquet, text, Hugging "
        "Face datasets saved with save_to_disk); each must lie under a ForgatherLab."
        "dataset_paths directory. Relative paths start at the project_dir, else at root_dir",
    )
    label: str | None = Field(
        None, max_length=200, description="what the Lab shows for the server (default: its name)"
    )
    hf_cache: bool = Field(
        False,
        description="also serve what `datasets.load_dataset` left in the local Hugging Face "
        "datasets cache (ForgatherLab.dataset_hf_cache_dir)",
    )


class CreateDatasetServer(ApiModel):
    """``POST /dataset-servers``: register a dataset server that runs elsewhere."""

    label: str = Field(min_length=1, max_length=200)
    url: str = Field(
        min_length=1,
        max_length=2000,
        description="http(s) base URL of the server (its /health, /datasets, ... lie under it)",
    )
    auth_token: str | None = Field(
        None,
        max_length=4096,
        description="bearer token the server wants; kept in a 0600 file, never returned",
    )


class DescribeDatasetServer(Model):
    """One registered dataset server and what it answers now."""

    id: str
    label: str
    url: str = Field(description="where the server listens (jobs reach it there directly)")
    status: DatasetServerStatus = Field(
        description="starting (a job that has not announced its port), ready (its health "
        "answers), unreachable, or unauthorized (it refused the stored token)"
    )
    datasets: list[str] = Field(
        default_factory=list, description="dataset names it serves (empty unless ready)"
    )
    source: DatasetServerSource
    job_id: str | None = Field(None, description="the dataset_server job, for source job")
    has_token: bool = Field(description="whether a token is sent to it (the token never is)")
    proxy_url: str = Field(description="same-origin path of its API through the proxy")
    message: str | None = Field(None, description="why it is not ready, when known")


class ListDatasetServers(Model):
    """``GET /dataset-servers``: running dataset_server jobs and user-added servers."""

    servers: list[DescribeDatasetServer]


class DeleteDatasetServerResult(Model):
    """``DELETE /dataset-servers/{id}``."""

    id: str
    deleted: bool


class DatasetProxyQuery(ApiModel):
    """``GET /dataset-servers/proxy?url=``: a full URL under a registered server."""

    url: str = Field(min_length=1, max_length=4000)
