"""Executors: where job processes run (this machine today; Slurm and Ray next).

The jobs service decides *what* runs and records it; an executor runs it,
tells when it ended and how, stops it, and finds it again after a restart.
``ForgatherLab.executor_class`` picks one.
"""

from .base import Executor, ExecutorContext, Submitted

__all__ = ["Executor", "ExecutorContext", "Submitted"]
