"""Trainer control and visibility: commands, status, metrics, inline progress.

The core of issue 5, free of HTTP: ``ControlService`` takes what a job's
reporter sends (through the callback endpoint), stores it, publishes it on the
event bus, and hands queued control commands back to the trainer.
"""

from __future__ import annotations

from .service import ControlService

__all__ = ["ControlService"]
