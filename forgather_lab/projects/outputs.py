"""What runs left behind: a project's models, and each output_dir's runs, checkpoints,
evaluations, run summaries and console tails.

``OutputsService`` checks every client path against the search roots and
hands the reading to ``output_files.py`` (the on-disk layout lives there).
Listing a project's models renders each config to learn its output_dir, so
it leans on ``ConfigsService``.
"""

from __future__ import annotations

from ..errors import ForgatherError
from ..models.projects import (
    DescribeRunSummary,
    DescribeRunTty,
    ListCheckpoints,
    ListEvaluations,
    ListModels,
    ListRuns,
    ModelOutput,
)
from . import output_files
from .configs import ConfigsService
from .roots import SearchRoots


class OutputsService:
    """The output endpoints: models, runs, checkpoints, evaluations, summary, tty."""

    def __init__(self, roots: SearchRoots, configs: ConfigsService) -> None:
        self.roots = roots
        self.configs = configs

    def models(self, project_dir: str) -> ListModels:
        """``GET /project/models``: one row per distinct output_dir of the configs."""
        project = self.roots.project(project_dir)
        rows: dict[str, ModelOutput] = {}
        for name in project.config_names():
            try:
                _, r = self.configs.render(str(project.root), name)
                job = self.configs.job_of(project, r)
            except ForgatherError:
                # A broken config (or one leading outside the roots) has no output
                # dir; its own view says why. It must not hide the others.
                continue
            if job is None:
                continue
            key = str(job.output_dir)
            if key not in rows:
                rows[key] = ModelOutput(
                    output_dir=key,
                    lab_path=self.roots.lab(job.output_dir),
                    configs=[],
                    exists=job.output_dir.is_dir(),
                    counts=output_files.counts(job.output_dir, self.roots.all()),
                )
            rows[key].configs.append(name)
        return ListModels(models=list(rows.values()))

    def runs(self, output_dir: str) -> ListRuns:
        """``GET /model/runs``: newest first."""
        path = self.roots.resolve(output_dir, "output_dir")
        return ListRuns(
            runs=output_files.list_runs(path, self.roots.lab_if_inside, self.roots.all())
        )

    def checkpoints(self, output_dir: str) -> ListCheckpoints:
        """``GET /model/checkpoints``: by step."""
        path = self.roots.resolve(output_dir, "output_dir")
        return ListCheckpoints(
            checkpoints=output_files.list_checkpoints(
                path, self.roots.lab_if_inside, self.roots.all()
            )
        )

    def evaluations(self, output_dir: str) -> ListEvaluations:
        """``GET /model/evaluations``."""
        path = self.roots.resolve(output_dir, "output_dir")
        return ListEvaluations(
            evaluations=output_files.list_evaluations(
                path, self.roots.lab_if_inside, self.roots.all()
            )
        )

    def run_summary(self, run_dir: str) -> DescribeRunSummary:
        """``GET /run/summary``: statistics from the run's metrics log."""
        path = self.roots.resolve(run_dir, "run_dir")
        return output_files.run_summary(path, self.roots.all())

    def run_tty(self, run_dir: str) -> DescribeRunTty:
        """``GET /run/tty``: the tail of the run's console log."""
        return output_files.run_tty(self.roots.resolve(run_dir, "run_dir"), self.roots.all())
