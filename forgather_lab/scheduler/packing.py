"""The pool during one pass: who holds each card, what memory is left, what fits.

A job without ``gpu_memory`` takes whole cards: only empty cards, never shared.
A job with it shares cards with other such jobs while their declarations fit.
What a card still offers (MiB) is defined once, in ``CardState.avail``:

* simulated (or any card without a free-memory reading): ``total - declared``,
  the sum declared by the jobs on it;
* NVML: ``min(total - declared, free - declared_this_pass)``. The first term is
  the promise made to the jobs already there (they may grow to their
  declaration); the second is the driver's truth about everything else (other
  processes, a job using more than it declared). NVML's free memory already
  excludes what running jobs *use*, so subtracting their declarations from it
  again would count that memory twice; only jobs placed in this very pass,
  which the driver has not seen yet, are subtracted from it.
"""

from __future__ import annotations

from collections.abc import Iterable

from .model import Card, RunningJob


class CardState:
    """One card in one pass (mutable; the planner's own copy)."""

    __slots__ = (
        "card",
        "declared",
        "fresh",
        "gate",
        "index",
        "placed",
        "running",
        "sharers",
        "usable",
        "whole",
    )

    def __init__(self, card: Card) -> None:
        self.card = card
        self.index = card.index
        self.gate = card.min_priority
        self.usable = not (card.excluded or card.disabled)
        self.whole: str | None = None  # a job holding the whole card
        self.declared = 0  # MiB declared by running jobs sharing it
        self.fresh = 0  # MiB declared by jobs placed in this pass
        self.sharers = 0  # jobs sharing it (running and placed in this pass)
        self.running: list[RunningJob] = []
        self.placed: list[tuple[str, int | None, float]] = []  # this pass: (job, MiB, end)

    @property
    def empty(self) -> bool:
        return self.whole is None and self.sharers == 0

    def avail(self) -> int | None:
        """MiB a new sharing job may declare here (None: unknown size, usable only empty)."""
        if not self.usable or self.whole is not None:
            return 0
        total = self.card.total_mib
        if total is None:
            return None if self.sharers == 0 else 0
        left = total - self.declared - self.fresh
        if self.card.free_mib is not None:
            left = min(left, self.card.free_mib - self.fresh)
        return max(left, 0)

    def fits(self, mib: int | None) -> bool:
        """Whether a job declaring ``mib`` (None: whole card) can go here now."""
        if not self.usable:
            return False
        if mib is None:
            return self.empty
        left = self.avail()
        return self.empty if left is None else left >= mib

    def fits_after(self, mib: int | None, gone: set[str]) -> bool:
        """Whether a job declaring ``mib`` would fit once the jobs in ``gone`` left."""
        if not self.usable:
            return False
        holders = [(j.job_id, j.gpu_memory) for j in self.running]
        holders += [(job_id, m) for job_id, m, _ in self.placed]
        left_behind = [m for job_id, m in holders if job_id not in gone]
        if mib is None or any(m is None for m in left_behind):
            return not left_behind
        total = self.card.total_mib
        if total is None:
            return not left_behind
        staying = sum(m for m in left_behind if m is not None)
        left = total - staying
        free = self.card.free_mib
        whole_gone = any(m is None for job_id, m in holders if job_id in gone)
        if free is not None and not whole_gone:
            # What leaving jobs release is taken to be what they declared.
            released = sum(j.gpu_memory or 0 for j in self.running if j.job_id in gone)
            fresh = sum(m or 0 for job_id, m, _ in self.placed if job_id not in gone)
            left = min(left, free + released - fresh)
        return left >= mib

    def could_ever_fit(self, mib: int | None) -> bool:
        """Whether it would fit once every job on the card ended."""
        if not self.usable:
            return False
        total = self.card.total_mib
        return mib is None or total is None or total >= mib


class Pool:
    """Every card's state; ``version`` changes with every placement or hold."""

    def __init__(self, cards: Iterable[Card], running: Iterable[RunningJob]) -> None:
        self.cards = [CardState(c) for c in sorted(cards, key=lambda c: c.index)]
        self.by_index = {c.index: c for c in self.cards}
        self.version = 0
        self.reserved: frozenset[int] = frozenset()
        for job in sorted(running, key=lambda j: j.job_id):
            for i in job.gpus:
                state = self.by_index.get(i)
                if state is None:
                    continue  # a card that is gone; its job still runs
                state.running.append(job)
                if job.gpu_memory is None:
                    state.whole = job.job_id
                else:
                    state.declared += job.gpu_memory
                    state.sharers += 1

    def choose(
        self, want: int, priority: int, mib: int | None, reserved_ok: bool
    ) -> tuple[int, ...] | None:
        """The cards a job would get now (sorted by index), or None if it does not fit.

        Best fit to the gate (the highest gate the job clears, then index), as the
        Forgather algorithm; cards outside a reservation before those in it; for
        sharing jobs, cards already shared and the tightest fit first, so whole
        cards stay whole for jobs that need them.
        """
        reserved = self.reserved
        found = [
            c
            for c in self.cards
            if c.gate <= priority and c.fits(mib) and (reserved_ok or c.index not in reserved)
        ]
        if len(found) < want:
            return None
        if mib is None:
            found.sort(key=lambda c: (c.index in reserved, -c.gate, c.index))
        else:
            found.sort(
                key=lambda c: (c.index in reserved, -c.gate, c.empty, _left(c, mib), c.index)
            )
        return tuple(sorted(c.index for c in found[:want]))

    def take(self, job_id: str, gpus: Iterable[int], mib: int | None, end: float) -> None:
        """Record a placement made in this pass (``end``: when it frees the cards at the latest)."""
        for i in gpus:
            state = self.by_index[i]
            state.placed.append((job_id, mib, end))
            if mib is None:
                state.whole = job_id
            else:
                state.fresh += mib
                state.sharers += 1
        self.version += 1

    def hold(self, gpus: Iterable[int]) -> None:
        """Reserve ``gpus`` for the rest of the pass."""
        self.reserved = frozenset(gpus)
        self.version += 1


def _left(card: CardState, mib: int) -> int:
    left = card.avail()
    return 0 if left is None else left - mib
