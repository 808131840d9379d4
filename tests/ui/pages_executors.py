"""Page objects for what the job view and the jobs list say of a job an engine runs."""

from __future__ import annotations

from typing import Any

from .pages_jobs import JobsPanel, JobView


class EngineJobView(JobView):
    """The job view, read for its engine fields: where it runs, why it waits."""

    @property
    def runs_on(self) -> Any:
        """The "Runs on" value of the details ("Slurm job 12 on node-a"); absent: local."""
        return self.root.locator(".jp-forgather-job-details .jp-forgather-engine")

    @property
    def waiting_banner(self) -> Any:
        """The banner saying why the job does not run yet."""
        return self.root.get_by_test_id("forgather-pending-reason")

    @property
    def subtitle(self) -> Any:
        """The line under the job's name: type, GPUs, priority, where (pid or engine id)."""
        return self.root.locator(".jp-forgather-job-title .jp-forgather-muted")


def open_engine_job(panel: JobsPanel, name: str) -> EngineJobView:
    """Open a job's view from its card in the Jobs section."""
    panel.job_card(name).get_by_role("button", name=name, exact=True).click()
    view = EngineJobView(panel.lab, name)
    view.root.wait_for(state="visible")
    return view
