"""Jobs: kinds (argv builders), the launcher, the repository and the service."""

from .model import TERMINAL, JobStatus

__all__ = ["TERMINAL", "JobStatus"]
