"""Trainer control, status, progress, metrics and the reporter callback on the wire."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import Field

from .base import ApiModel, Model, Root
from .jobs import MAX_INT64, JobStatus, KillResult

#: Steps and ids are stored as SQLite integers: bounded here, so a bigger one is a 400.
Step = Annotated[int, Field(ge=0, le=MAX_INT64)]

TrainerCommand = Literal["save", "stop", "save-stop", "abort"]


class DescribeCommand(Model):
    """A control command queued for a job's trainer."""

    id: int
    job_id: str
    command: TrainerCommand
    created_at: float
    delivered_at: float | None = Field(description="first handed to the reporter")
    acknowledged_at: float | None = Field(description="taken by the training loop")


class ControlResult(Root[DescribeCommand | KillResult]):
    """``save|stop|save-stop|abort``: the queued command; ``kill|force-kill``: what the kill did.

    One documented response for one route whose answer depends on the action;
    on the wire it is the inner model, unwrapped.
    """


class Checkpoint(Model):
    """The last checkpoint a trainer reported."""

    path: str | None
    step: int | None
    time: float | None


class EvalResult(Model):
    """The last evaluation a trainer reported."""

    step: int
    metrics: dict[str, float | None]


class TrainerStatus(Model):
    """What the trainer reported last, folded from its records (nulls until it reports).

    Kept per job in the state database and published as ``job_progress``'s
    ``status``; ``GET /jobs/{id}/status`` adds the job's side to it.
    """

    step: int | None
    max_steps: int | None
    progress: float | None = Field(description="step / max_steps in percent")
    loss: float | None
    lr: float | None
    grad_norm: float | None
    epoch: float | None
    tokens_per_s: float | None
    peak_memory: float | None = Field(description="bytes, as the trainer reports it")
    stage: str | None
    last_checkpoint: Checkpoint | None
    eval: EvalResult | None
    metrics: dict[str, float | None] = Field(description="latest value of every metric")
    dropped: int = Field(description="reports the reporter dropped while the server was away")
    connected_at: float | None
    updated_at: float | None


class DescribeTrainerStatus(TrainerStatus):
    """``GET /jobs/{id}/status``: the trainer's latest report (nulls until it reports)."""

    job_id: str
    job_status: JobStatus = Field(description="the job's own status (queued, running, done...)")
    has_reporter: bool = Field(description="whether the job's code uses forgather_lab.reporter")
    commands: list[DescribeCommand] = Field(description="latest commands, newest first")


class DescribeInlineProgress(Model):
    """``GET /jobs/{id}/inline-progress``: what the job's log says (SimpleTuner's rules)."""

    job_id: str
    stage: str | None
    last_log: str | None = Field(description="the last log line, cut to 80 characters")
    progress: float | None = Field(description="percent from 'step N/M' or 'epoch N/M'")


class MetricsQuery(Model):
    """``GET /jobs/{id}/metrics``."""

    names: str | None = Field(None, description="comma-separated metric names (default: all)")
    since_step: int = Field(0, ge=0, le=MAX_INT64, description="only points at or after this step")
    max_points: int = Field(
        2000, ge=2, le=100_000, description="downsample above this, keeping each bucket's extremes"
    )


class ListMetrics(Model):
    """Metric series as ``[step, value]`` pairs (value null where NaN / inf was reported)."""

    series: dict[str, list[tuple[int, float | None]]]


class EventsQuery(Model):
    """``GET /events``."""

    since: int | None = Field(None, ge=0, le=MAX_INT64, description="resume after this event id")
    types: str | None = Field(
        None,
        description="comma-separated event types (default: every type but periodic samples, "
        "such as gpus_sampled, which come only when asked for by name)",
    )


# -- the reporter's side ------------------------------------------------------


class ReportRecord(ApiModel):
    """One thing the trainer reported."""

    kind: Literal["progress", "eval", "checkpoint", "stage"]
    time: float | None = None
    step: Step | None = None
    max_steps: Step | None = None
    metrics: dict[str, Any] = Field(default_factory=dict)
    path: str | None = Field(None, max_length=4096)
    name: str | None = Field(None, max_length=200)


class ReportBatch(ApiModel):
    """``POST /jobs/{id}/callback``: what the reporter sends every half second."""

    records: list[ReportRecord] = Field(default_factory=list, max_length=100_000)
    ack: list[Step] = Field(
        default_factory=list, max_length=100_000, description="command ids the trainer took"
    )
    dropped: int = Field(0, ge=0, le=MAX_INT64, description="reports dropped so far (buffer full)")
    hello: dict[str, Any] | None = Field(None, description="sent once when the reporter starts")
    final: bool = False


class PendingCommand(Model):
    """A command for the trainer."""

    id: int
    command: TrainerCommand


class ReportReply(Model):
    """What the callback answers: every command not yet acknowledged."""

    commands: list[PendingCommand]
