"""Fair sharing between users: the order of equal priorities, and decayed GPU use.

Pure functions over plain data (the planner's inputs), so a pass stays a
deterministic function of durable state:

- ``fair_order``: within one priority, jobs go in rounds, each user's first
  queued job before anyone's second, and inside a round the user with the
  least decayed GPU-seconds first (ties: submission order). One user's burst
  of submissions therefore cannot hold the pool against a later user's first job.
- ``decayed``: GPU-seconds halve every ``half_life`` seconds.
- ``effective_usage``: what is stored plus what running jobs have used so far.

A queue without owners (or with a single one) keeps submission order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from operator import attrgetter

from .model import QueuedJob, RunningJob

_OWNER = attrgetter("owner")


def fair_order(order: list[QueuedJob], usage: Mapping[str, float]) -> list[QueuedJob]:
    """``order`` (priority descending, then submission) with equal priorities fair-shared."""
    if len(set(map(_OWNER, order))) <= 1:  # in C: a pass over a long queue asks every time
        return order
    rounds: dict[tuple[int, str | None], int] = {}
    keyed = []
    for q in order:  # already in submission order within each priority
        mark = (q.priority, q.owner)
        k = rounds.get(mark, 0)
        rounds[mark] = k + 1
        used = usage.get(q.owner, 0.0) if q.owner is not None else 0.0
        keyed.append(((-q.priority, k, used, q.seq), q))
    keyed.sort(key=lambda pair: pair[0])
    return [q for _, q in keyed]


def decayed(value: float, since: float, now: float, half_life: float) -> float:
    """``value`` GPU-seconds recorded at ``since``, as they weigh at ``now``."""
    if now <= since:
        return value
    return float(value * 0.5 ** ((now - since) / half_life))


def effective_usage(
    stored: Mapping[str, float], running: Iterable[RunningJob], now: float
) -> dict[str, float]:
    """Each owner's stored (already decayed) GPU-seconds plus their running jobs' so far."""
    usage = dict(stored)
    for job in running:
        if job.owner is None or job.started_at is None:
            continue
        usage[job.owner] = usage.get(job.owner, 0.0) + len(job.gpus) * max(
            0.0, now - job.started_at
        )
    return usage


def held_by_owner(running: Iterable[RunningJob]) -> dict[str, int]:
    """GPUs each owner's running (and starting) jobs hold."""
    held: dict[str, int] = {}
    for job in running:
        if job.owner is not None:
            held[job.owner] = held.get(job.owner, 0) + len(job.gpus)
    return held


__all__ = ["decayed", "effective_usage", "fair_order", "held_by_owner"]
