"""Executors: where job processes run (this machine, a Slurm cluster, a Ray cluster).

The jobs service decides *what* runs and records it; an executor runs it,
tells when it ended and how, stops it, and finds it again after a restart.
``ForgatherLab.executor`` (``local`` | ``slurm`` | ``ray`` | a class path) or
``executor_class`` picks one; ``remote.py`` is what the Slurm and Ray ones share.
"""

from .base import Executor, ExecutorContext, Submitted

__all__ = ["Executor", "ExecutorContext", "Submitted"]
