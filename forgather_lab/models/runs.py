"""Runs on the wire: provenance, re-run, compare, the runs table, export."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import ApiModel, Model
from .jobs import JobStatus

#: Bounds on one compare request (the Lab asks for far less).
MAX_COMPARE_JOBS = 100
MAX_COMPARE_KEYS = 50
MIN_COMPARE_POINTS = 2
MAX_COMPARE_POINTS = 10_000

# -- provenance ----------------------------------------------------------------


class GitProvenance(Model):
    """The repository the job's working directory is in, at dispatch."""

    root: str = Field(description="the work tree's top directory")
    commit: str | None = Field(description="HEAD's full hash (null: no commit yet)")
    branch: str | None = Field(description="the checked-out branch (null: detached HEAD)")
    dirty: bool = Field(description="tracked changes or untracked files, as `git status` sees")
    diff_bytes: int = Field(description="size of the uncommitted diff against HEAD, in bytes")
    diff_truncated: bool = Field(
        False, description="the diff was bigger than the cap; the file holds its start"
    )
    untracked: list[str] = Field(
        default_factory=list, description="untracked files (not in the diff), at most 100"
    )


class PackageVersion(Model):
    """One installed distribution."""

    name: str
    version: str


class HostProvenance(Model):
    """The machine the job ran on."""

    hostname: str
    platform: str


class GpuIdentity(Model):
    """A card the job was given."""

    index: int
    name: str
    uuid: str


class ConfigProvenance(Model):
    """What a config job was made from."""

    project_dir: str
    config: str | None
    dynamic_args: dict[str, Any]
    rendered: str | None = Field(description="the rendered config text (null: render failed)")
    rendered_truncated: bool = False


class DescribeProvenance(Model):
    """``GET /jobs/{id}/provenance``: how a run was made, captured when it started."""

    job_id: str
    attempt: int = Field(description="the attempt this was captured for (retries re-capture)")
    captured_at: float
    argv: list[str]
    cwd: str | None
    env_keys: list[str] = Field(description="names of every variable the job got; never values")
    git: GitProvenance | None = Field(description="null outside a git repository")
    git_diff: str | None = Field(
        description="the file holding the uncommitted diff (GET /jobs/{id}/provenance/diff); "
        "null when there is none"
    )
    python: str = Field(description="the interpreter's version")
    python_executable: str | None = Field(description="the interpreter packages were read from")
    packages_source: str = Field(
        description="job: read from the job's own interpreter; server: the server's "
        "environment (the job's argv[0] is not a Python interpreter, or asking it failed)"
    )
    packages: list[PackageVersion]
    config: ConfigProvenance | None = Field(description="config jobs only")
    host: HostProvenance
    gpus: list[GpuIdentity]
    problems: list[str] = Field(
        default_factory=list, description="what could not be captured, and why"
    )


class ProvenanceQuery(ApiModel):
    """``GET /jobs/{id}/provenance``."""

    download: int = Field(0, ge=0, le=1, description="1 = as an attachment (a .json file)")


# -- re-run --------------------------------------------------------------------


class RerunJob(ApiModel):
    """``POST /jobs/{id}/rerun``: the original job again, with these changes."""

    dynamic_args: dict[str, Any] | None = Field(
        None, description="config jobs: merged over the original's dynamic args"
    )
    priority: int | None = Field(None, ge=-1000, le=1000)
    requested_gpus: int | None = Field(None, ge=0)
    name: str | None = Field(None, min_length=1, max_length=200)


# -- compare -------------------------------------------------------------------


#: What the x of a compare pair is.
CompareAxis = Literal["step", "time"]


class CompareQuery(ApiModel):
    """``GET /metrics/compare``."""

    jobs: str = Field(min_length=1, description=f"comma-separated job ids (<= {MAX_COMPARE_JOBS})")
    keys: str | None = Field(
        None,
        description=f"comma-separated metric names (<= {MAX_COMPARE_KEYS}); default: every "
        "metric of each job",
    )
    max_points: int = Field(1000, ge=MIN_COMPARE_POINTS, le=MAX_COMPARE_POINTS)
    axis: CompareAxis = Field(
        "step",
        description="x of each pair: step, or time (the unix seconds the point was "
        "recorded at; points stored without a time are left out)",
    )


class CompareMetrics(Model):
    """Each job's curves, downsampled (LTTB, first / last point and extremes kept)."""

    series: dict[str, dict[str, list[tuple[int | float, float]]]] = Field(
        description="job id → metric → [[x, value], ...]: x is the step (an integer, in step "
        "order) or, for axis=time, the unix seconds the point was recorded at (in time "
        "order; chosen as on the step axis from the points that have a time); a "
        "key the job never reported is an empty list"
    )
    axis: CompareAxis = Field("step", description="what x is (as asked)")
    untimed: dict[str, list[str]] = Field(
        default_factory=dict,
        description="axis=time only: job id → metrics some of whose points were left out "
        "for having no recorded time (stored by a server older than wall times)",
    )
    missing: list[str] = Field(
        default_factory=list, description="requested job ids that do not exist"
    )


# -- the runs table -------------------------------------------------------------


class RunsQuery(ApiModel):
    """``GET /runs``."""

    project_dir: str = Field(min_length=1, max_length=4096)
    config: str | None = Field(None, max_length=4096, description="default: every config")
    limit: int = Field(500, ge=1, le=5000)


class MetricSummary(Model):
    """A metric of one run: its last reported value and its range."""

    last: float | None = Field(description="the value at the highest step")
    last_step: int
    min: float | None
    max: float | None


class RunRow(Model):
    """One job of a project or config."""

    id: str
    name: str
    status: JobStatus
    owner: str | None = Field(description="who submitted it (null until there are owners)")
    job_type: str
    config: str | None
    dynamic_args: dict[str, Any]
    created_at: float
    started_at: float | None
    ended_at: float | None
    duration: float | None = Field(description="seconds run (so far, while running)")
    attempt: int
    rerun_of: str | None
    group: str | None
    metrics: dict[str, MetricSummary]


class ListRunsTable(Model):
    """``GET /runs``: newest first."""

    runs: list[RunRow]
    metric_keys: list[str] = Field(description="every metric name in any row, sorted")


# -- export --------------------------------------------------------------------


class MetricsCsvQuery(ApiModel):
    """``GET /jobs/{id}/metrics.csv``."""

    keys: str | None = Field(None, description="comma-separated metric names (default: all)")
