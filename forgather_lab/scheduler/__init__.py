"""Scheduling: placement (a pure function) and the dispatcher that acts on it."""

from .placement import GpuSlot, Placement, QueueItem, place, pool_slots

__all__ = ["GpuSlot", "Placement", "QueueItem", "place", "pool_slots"]
