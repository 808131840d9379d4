"""Choosing whom to preempt so a high-priority queued job can start.

Victims are running jobs marked ``preemptible`` with a strictly lower
priority than the job waiting, never one already being preempted (it is on
its way out and counts as freeing its cards). The choice is greedy: fewest
victims first, then the lowest priorities, then the most recently started
(the least work lost); a final pass drops any victim the job does not need.
A choice is made only if freeing the victims lets the job start.

The preemptor does not start in the same pass: the jobs service checkpoints
and requeues the victims, and the preemptor holds a reservation on the cards
meanwhile, so nobody else takes them.
"""

from __future__ import annotations

from .model import QueuedJob, RunningJob
from .packing import CardState, Pool


def select(
    pool: Pool, job: QueuedJob, now: float
) -> tuple[tuple[str, ...], tuple[int, ...]] | None:
    """(new victims, the cards the job would get) or None if preemption cannot make it fit.

    The victims may be empty when jobs already being preempted free enough.
    """
    mib, want = job.gpu_memory, job.requested_gpus
    going = {r.job_id for c in pool.cards for r in c.running if r.preempting}
    by_id: dict[str, RunningJob] = {}
    needed: dict[int, frozenset[str]] = {}
    cards: dict[int, CardState] = {}
    for card in pool.cards:
        if card.gate > job.priority or not card.could_ever_fit(mib):
            continue
        victims = _card_victims(card, job, mib, going, now)
        if victims is None:
            continue
        needed[card.index] = frozenset(v.job_id for v in victims)
        by_id.update((v.job_id, v) for v in victims)
        cards[card.index] = card
    chosen: set[str] = set()
    while sum(1 for n in needed.values() if n <= chosen) < want:
        open_cards = [i for i, n in needed.items() if not n <= chosen]
        if not open_cards:
            return None
        pick = min(open_cards, key=lambda i: _cost(needed[i] - chosen, by_id, i))
        chosen |= needed[pick]
    for victim in sorted(chosen, key=lambda v: (-by_id[v].priority, v)):
        rest = chosen - {victim}
        if sum(1 for n in needed.values() if n <= rest) >= want:
            chosen = rest
    gone = going | chosen
    ready = [c for c in cards.values() if c.fits_after(mib, gone)]
    if len(ready) < want:
        return None  # the greedy sets overlapped badly; do not preempt for nothing
    ready.sort(key=lambda c: (-c.gate, not c.empty, c.index))
    gpus = tuple(sorted(c.index for c in ready[:want]))
    order = sorted(chosen, key=lambda v: (by_id[v].priority, v))
    return tuple(order), gpus


def _card_victims(
    card: CardState, job: QueuedJob, mib: int | None, going: set[str], now: float
) -> list[RunningJob] | None:
    """The fewest, lowest-priority victims that make ``card`` fit ``job``; None if none do."""
    if card.fits_after(mib, going):
        return []
    allowed = sorted(
        (
            r
            for r in card.running
            if r.preemptible and r.priority < job.priority and not r.preempting
        ),
        key=lambda r: (r.priority, -(r.started_at if r.started_at is not None else now), r.job_id),
    )
    taken: list[RunningJob] = []
    gone = set(going)
    for victim in allowed:
        taken.append(victim)
        gone.add(victim.job_id)
        if card.fits_after(mib, gone):
            return taken
    return None


def _cost(new: frozenset[str], by_id: dict[str, RunningJob], index: int) -> tuple[int, int, int]:
    return (len(new), max((by_id[v].priority for v in new), default=-(2**62)), index)
