"""Projects and configs over the wire: queries, bodies and replies, named by verb.

Every ``path`` is absolute on the server; ``lab_path`` is the same file
relative to the Jupyter root_dir (what JupyterLab's ``docmanager:open``
takes), or null when the file lies outside it.

One module for the 30 project endpoints' small models (over 400 lines, each
model a few lines), kept together so the API's shapes read in one place.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from .base import ApiModel, Model

# -- queries ---------------------------------------------------------------------------


class ProjectQuery(ApiModel):
    """``?project_dir=`` (absolute, or relative to the server root_dir)."""

    project_dir: str


class ConfigQuery(ProjectQuery):
    """``?project_dir=&config=``; config is a name under config_prefix (default: the
    project's default_config)."""

    config: str | None = None


class TrefsQuery(ConfigQuery):
    """``format``: ``json`` (nodes + edges) or ``dot`` (Graphviz)."""

    format: Literal["json", "dot"] = "json"


class AssetQuery(ProjectQuery):
    """A file the README embeds, relative to the project directory."""

    asset: str


class PathQuery(ApiModel):
    """``?path=`` of a file inside the search roots."""

    path: str


class OutputDirQuery(ApiModel):
    """``?output_dir=`` of a config (see ``GET /config/output-dir``)."""

    output_dir: str


class RunQuery(ApiModel):
    """``?run_dir=`` of one run."""

    run_dir: str


# -- bodies ----------------------------------------------------------------------------


class AddSearchRoot(ApiModel):
    """``POST /search-roots``; ``create`` makes the directory first."""

    path: str
    create: bool = False


class SetOverrides(ApiModel):
    """``POST /config/overrides``: replaces the stored values."""

    project_dir: str
    config: str | None = None
    values: dict[str, Any]


class SaveTemplateSource(ApiModel):
    """``PUT /template/source``; with ``expected_mtime`` a newer file on disk is a 409."""

    path: str
    content: str
    expected_mtime: float | None = None


class CreateWorkspace(ApiModel):
    """``POST /workspace/new``: ``parent_dir`` must be a search root."""

    parent_dir: str
    name: str
    description: str = ""
    workspace_dir_name: str | None = None


class InitWorkspace(ApiModel):
    """``POST /workspace/init-here``: an existing directory under a search root."""

    workspace_dir: str
    name: str
    description: str = ""


class CreateProject(ApiModel):
    """``POST /workspace/new-project``."""

    workspace_dir: str
    name: str
    description: str = ""
    config_prefix: str = "configs"
    default_config: str = "default.yaml"
    project_dir_name: str | None = None


class CreateTemplate(ApiModel):
    """``POST /project/new-template``: ``.yaml`` is appended; nested names allowed."""

    project_dir: str
    kind: Literal["config", "template"]
    name: str


class DeletePath(ApiModel):
    """``POST /fs/delete-dir`` and ``/fs/delete-file``: absolute path, confirmed."""

    path: str
    confirmed: bool = False


# -- replies ---------------------------------------------------------------------------


class SearchRoot(Model):
    path: str
    lab_path: str | None
    source: Literal["config", "user"]
    exists: bool


class ListSearchRoots(Model):
    """``GET /search-roots``."""

    search_roots: list[SearchRoot]


class ProjectSummary(Model):
    """A project row; ``error`` says why its meta.yaml could not be read."""

    path: str
    lab_path: str | None
    name: str
    description: str
    config_prefix: str
    default_config: str | None
    configs: list[str]
    error: str | None


class WorkspaceNode(Model):
    name: str
    description: str
    path: str
    lab_path: str | None
    error: str | None
    projects: list[ProjectSummary]
    workspaces: list[WorkspaceNode]


class ListProjects(Model):
    """``GET /projects``: workspaces (nested) and the Unaffiliated projects."""

    root_dir: str | None
    search_roots: list[SearchRoot]
    workspaces: list[WorkspaceNode]
    unaffiliated: list[ProjectSummary]


class DescribeProject(ProjectSummary):
    """``GET /project``."""

    workspace: str | None
    template_paths: list[str]
    has_readme: bool


class DescribeReadme(Model):
    path: str | None
    lab_path: str | None
    markdown: str


class TemplateEntry(Model):
    name: str
    path: str | None
    lab_path: str | None


class TemplateGroup(Model):
    group: str
    root: str | None = None
    templates: list[TemplateEntry]


class ListTemplates(Model):
    """``GET /project/templates``."""

    groups: list[TemplateGroup]


class DescribeTemplatePaths(Model):
    project_dir: str
    templates_dir: str
    configs_dir: str
    config_prefix: str
    search_path: list[str]


class DescribeConfigSource(Model):
    path: str | None
    lab_path: str | None
    config: str
    content: str
    mtime: float


class DescribeRenderedConfig(Model):
    """``GET /config/pp``; ``ignored`` are stored overrides the schema no longer has."""

    config: str
    yaml: str
    values: dict[str, Any]
    ignored: list[str]


class GraphNode(Model):
    id: str
    root: bool
    path: str | None
    lab_path: str | None


class GraphEdge(Model):
    source: str
    target: str
    kind: Literal["extends", "include", "import", "reference"]


class DescribeTemplateGraph(Model):
    """``GET /config/trefs``: nodes + edges (json) or ``dot``."""

    config: str
    format: Literal["json", "dot"]
    nodes: list[GraphNode] | None = None
    edges: list[GraphEdge] | None = None
    dot: str | None = None


class ListConfigTemplates(Model):
    config: str
    templates: list[TemplateEntry]


class DescribeConfigMeta(Model):
    config: str
    path: str | None
    lab_path: str | None
    config_name: str
    config_description: str
    config_class: str
    has_job: bool
    job_type: Literal["training", "eval"] | None = Field(
        None,
        description="what Run queues for this config: training, eval (an evaluation config), "
        "or none (a config of another class, or one without a job block: Overrides only)",
    )
    not_runnable: str | None = Field(None, description="why Run is not offered, when it is not")


class ResolvedJob(Model):
    """A config's resolved ``job`` block; ``argv`` is the single-process command line.

    Not ``DescribeJob``: that name is the job record's (``models/jobs.py``), and
    the OpenAPI document keys schemas by class name.
    """

    script: str | None
    module: str | None
    args: list[str]
    nproc_per_node: int | str
    gpus: int | None = Field(
        description="GPUs the config reserves; null when it does not say (training and eval "
        "then take at least one when the server has usable GPUs)"
    )
    output_dir: str
    cwd: str
    env: dict[str, str]
    argv: list[str]
    config_class: str = Field("", description="meta.config_class of the config (may be empty)")


class OutputCounts(Model):
    runs: int
    checkpoints: int
    evaluations: int


class DescribeOutputDir(Model):
    config: str
    output_dir: str | None
    lab_path: str | None
    exists: bool
    nproc_per_node: int | str | None
    gpus: int | None
    counts: OutputCounts | None
    job: ResolvedJob | None
    default_gpus: int | None = Field(
        None,
        description="GPUs a Run of this config reserves on this server when the request does "
        "not say: job.gpus, else at least one when the server has usable GPUs (null: the "
        "config is not run)",
    )


class DynamicArg(Model):
    name: str
    type: Literal["int", "float", "str", "bool", "path"]
    default: Any
    help: str
    choices: list[Any] | None
    action: Literal["store_true", "store_false"] | None


class DescribeDynamicArgs(Model):
    config: str
    args: list[DynamicArg]
    values: dict[str, Any]
    ignored: list[str]


class DescribeOverrides(Model):
    project_dir: str
    config: str
    values: dict[str, Any]


class DescribeTemplateSource(Model):
    """``GET /template/source`` (the mtime is also in the ``X-Mtime`` header)."""

    path: str | None
    lab_path: str | None
    content: str
    mtime: float


class SavedTemplateSource(Model):
    path: str | None
    lab_path: str | None
    mtime: float


class CreatedWorkspace(Model):
    workspace_dir: str
    lab_path: str | None


class CreatedProject(Model):
    project_dir: str
    lab_path: str | None


class CreatedTemplate(Model):
    path: str
    lab_path: str | None
    kind: Literal["config", "template"]


class Deleted(Model):
    deleted: str


class ModelOutput(Model):
    output_dir: str
    lab_path: str | None
    configs: list[str]
    exists: bool
    counts: OutputCounts


class ListModels(Model):
    """``GET /project/models``: one row per distinct output_dir."""

    models: list[ModelOutput]


class Run(Model):
    name: str
    path: str
    lab_path: str | None
    modified_at: float
    has_metrics: bool
    has_tty: bool


class ListRuns(Model):
    runs: list[Run]


class Checkpoint(Model):
    name: str
    path: str
    lab_path: str | None
    step: int | None
    size_bytes: int
    world_size: int | None
    saved_at: float | str | None


class ListCheckpoints(Model):
    checkpoints: list[Checkpoint]


class Evaluation(Model):
    name: str
    path: str
    lab_path: str | None
    modified_at: float
    results: dict[str, Any] | None


class ListEvaluations(Model):
    evaluations: list[Evaluation]


class DescribeRunSummary(Model):
    run_dir: str
    points: int
    malformed_lines: int
    total_steps: int | None
    max_steps: int | None
    best_loss: float | None
    last_loss: float | None
    eval_loss: float | None
    perplexity: float | None


class DescribeRunTty(Model):
    run_dir: str
    size_bytes: int
    truncated: bool
    text: str
