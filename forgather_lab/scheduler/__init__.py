"""Scheduling: placement and planning (pure functions) and the dispatcher that acts on them."""

from .model import Card, Dependency, Plan, PlanOptions, QueuedJob, Reservation, RunningJob
from .placement import GpuSlot, Placement, QueueItem, place, pool_slots
from .planner import plan

__all__ = [
    "Card",
    "Dependency",
    "GpuSlot",
    "Placement",
    "Plan",
    "PlanOptions",
    "QueueItem",
    "QueuedJob",
    "Reservation",
    "RunningJob",
    "place",
    "plan",
    "pool_slots",
]
