"""The planner's invariants, on random pools, queues and running jobs (hypothesis).

The final state of every card is recomputed here independently of
``scheduler/packing.py``, so the checks do not trust the code they check.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from hypothesis import given, settings
from hypothesis import strategies as st

from forgather_lab.scheduler import (
    Card,
    Dependency,
    GpuSlot,
    Plan,
    PlanOptions,
    QueuedJob,
    QueueItem,
    RunningJob,
    place,
    plan,
)

NOW = 1000.0
MIN_PREEMPT = 3


@dataclass
class World:
    cards: list[Card]
    running: list[RunningJob]
    queue: list[QueuedJob]
    options: PlanOptions = field(default_factory=PlanOptions)


@st.composite
def worlds(draw: st.DrawFn, packing: bool = True, extras: bool = True) -> World:
    n_cards = draw(st.integers(0, 6))
    cards = []
    for i in range(n_cards):
        total = draw(st.sampled_from([None, 4000, 8000, 16000])) if packing else None
        free = None
        if total is not None and draw(st.booleans()):
            free = draw(st.integers(0, total))
        cards.append(
            Card(
                i,
                min_priority=draw(st.integers(0, 3)),
                excluded=draw(st.integers(0, 9)) == 0,
                disabled=draw(st.integers(0, 6)) == 0,
                total_mib=total,
                free_mib=free,
            )
        )
    # Running jobs as a real pool holds them: a whole card is never shared.
    running: list[RunningJob] = []
    whole: set[int] = set()
    shared: set[int] = set()
    for r in range(draw(st.integers(0, 6)) if n_cards else 0):
        gpus = tuple(sorted(draw(st.sets(st.integers(0, n_cards - 1), min_size=1, max_size=2))))
        mib = draw(st.sampled_from([None, 1000, 3000])) if packing else None
        taken = whole | shared if mib is None else whole
        if set(gpus) & taken:
            continue
        (whole if mib is None else shared).update(gpus)
        running.append(
            RunningJob(
                f"r{r}",
                priority=draw(st.integers(-1, 5)),
                gpus=gpus,
                gpu_memory=mib,
                preemptible=extras and draw(st.booleans()),
                started_at=draw(st.sampled_from([None, NOW - 50, NOW - 500])),
                time_limit=draw(st.sampled_from([None, 30.0, 100.0, 1000.0])),
                preempting=extras and draw(st.integers(0, 4)) == 0,
            )
        )
    queue = []
    for q in range(draw(st.integers(0, 10))):
        deps: tuple[Dependency, ...] = ()
        if extras and draw(st.integers(0, 3)) == 0:
            status = draw(st.sampled_from([None, "done", "failed", "running", "queued"]))
            deps = (Dependency(f"d{q}", status),)
        queue.append(
            QueuedJob(
                f"j{q}",
                priority=draw(st.integers(-1, 5)),
                requested_gpus=draw(st.integers(0, 3)),
                seq=q,
                gpu_memory=draw(st.sampled_from([None, None, 1000, 2500, 9000]))
                if packing
                else None,
                time_limit=draw(st.sampled_from([None, 20.0, 200.0, 5000.0])),
                depends_on=deps,
                queued_at=draw(st.sampled_from([NOW, NOW - 100, NOW - 10_000])),
            )
        )
    after = draw(st.sampled_from([0.0, 500.0, math.inf])) if extras else math.inf
    options = PlanOptions(reservation_after=after, preemption_min_priority=MIN_PREEMPT)
    return World(cards, running, queue, options)


def run(w: World) -> Plan:
    return plan(w.queue, w.cards, w.running, NOW, w.options)


def end(job: QueuedJob) -> float:
    return math.inf if job.time_limit is None else NOW + job.time_limit


def fits_on(
    w: World, p: Plan, job: QueuedJob, skip: set[int], gone: frozenset[str] = frozenset()
) -> bool:
    """Whether ``job`` would fit on the pool ``p`` leaves behind, once ``gone`` left.

    An independent model of the card arithmetic: what a leaving job releases
    of NVML's free memory is taken to be what it declared.
    """
    by_id = {q.job_id: q for q in w.queue}
    ok = 0
    for card in w.cards:
        if card.excluded or card.disabled or card.min_priority > job.priority or card.index in skip:
            continue
        leaving = [r for r in w.running if card.index in r.gpus and r.job_id in gone]
        on = [r for r in w.running if card.index in r.gpus and r.job_id not in gone]
        new = [by_id[j] for j, gpus in p.starts if card.index in gpus]
        holders = [x.gpu_memory for x in on] + [x.gpu_memory for x in new]
        if job.gpu_memory is None or card.total_mib is None or None in holders:
            ok += not holders
            continue
        declared = sum(x.gpu_memory or 0 for x in on)
        fresh = sum(x.gpu_memory or 0 for x in new)
        left = card.total_mib - declared - fresh
        if card.free_mib is not None and all(r.gpu_memory for r in leaving):
            released = sum(r.gpu_memory or 0 for r in leaving)
            left = min(left, card.free_mib + released - fresh)
        ok += left >= job.gpu_memory
    return ok >= job.requested_gpus


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_cards_are_never_overcommitted(w: World) -> None:
    p = run(w)
    by_id = {q.job_id: q for q in w.queue}
    for card in w.cards:
        on = [r for r in w.running if card.index in r.gpus]
        new = [by_id[j] for j, gpus in p.starts if card.index in gpus]
        if not new:
            continue
        assert not card.excluded
        assert not card.disabled
        whole_new = [x for x in new if x.gpu_memory is None]
        if whole_new:  # a whole card goes to one job, on a card nobody holds
            assert len(new) == 1, (card, new)
            assert not on, (card, on)
            continue
        assert all(r.gpu_memory is not None for r in on), "shared a card held whole"
        fresh = sum(x.gpu_memory or 0 for x in new)
        if card.total_mib is None:
            assert len(new) == 1
            assert not on
            continue
        assert fresh + sum(r.gpu_memory or 0 for r in on) <= card.total_mib
        if card.free_mib is not None:
            assert fresh <= card.free_mib


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_starts_respect_gates_counts_and_dependencies(w: World) -> None:
    p = run(w)
    by_id = {q.job_id: q for q in w.queue}
    gate = {c.index: c.min_priority for c in w.cards}
    for job_id, gpus in p.starts:
        job = by_id[job_id]
        assert len(gpus) == max(job.requested_gpus, 0)
        assert list(gpus) == sorted(set(gpus))
        assert all(gate[i] <= job.priority for i in gpus)
        assert all(d.status == "done" for d in job.depends_on)
    for job_id, why in p.cancellations:
        assert any(d.status not in ("done", "running", "queued") for d in by_id[job_id].depends_on)
        assert why.startswith("dependency ")


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_no_reserved_gpu_goes_to_a_job_that_would_delay_the_reservation(w: World) -> None:
    p = run(w)
    hold = p.reservation
    if hold is None:
        return
    assert hold.earliest_start >= NOW
    assert hold.job_id in p.pending
    assert hold.job_id not in dict(p.starts)
    order = sorted(w.queue, key=lambda q: (-q.priority, q.seq))
    after = {q.job_id for q in order[[q.job_id for q in order].index(hold.job_id) + 1 :]}
    by_id = {q.job_id: q for q in w.queue}
    for job_id, gpus in p.starts:
        if job_id in after and set(gpus) & set(hold.gpus):
            assert end(by_id[job_id]) <= hold.earliest_start, (job_id, hold)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_preemption_targets_only_lower_preemptible_jobs_once(w: World) -> None:
    p = run(w)
    running = {r.job_id: r for r in w.running}
    by_id = {q.job_id: q for q in w.queue}
    victims = [v for v, _ in p.preemptions]
    assert len(victims) == len(set(victims))
    for victim, for_job in p.preemptions:
        r, q = running[victim], by_id[for_job]
        assert r.preemptible
        assert not r.preempting
        assert r.priority < q.priority
        assert q.priority >= MIN_PREEMPT
        assert p.reservation is not None
        assert p.reservation.job_id == for_job
        assert p.reservation.preemption
        assert for_job not in dict(p.starts)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_preemption_lets_the_job_start(w: World) -> None:
    """Freeing the victims (and those already leaving) makes the preemptor fit."""
    p = run(w)
    hold = p.reservation
    if hold is None or not hold.preemption:
        return
    gone = {v for v, _ in p.preemptions} | {r.job_id for r in w.running if r.preempting}
    job = next(q for q in w.queue if q.job_id == hold.job_id)
    assert fits_on(w, p, job, skip=set(), gone=frozenset(gone))


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_every_waiting_job_has_a_position_and_a_reason(w: World) -> None:
    p = run(w)
    started, cancelled = dict(p.starts), dict(p.cancellations)
    for q in w.queue:
        assert (q.job_id in started) + (q.job_id in cancelled) + (q.job_id in p.pending) == 1
    positions = sorted(pos for pos, _ in p.pending.values())
    assert positions == list(range(1, len(p.pending) + 1))
    assert all(why.strip() for _, why in p.pending.values())
    by_id = {q.job_id: q for q in w.queue}
    ranked = sorted(p.pending, key=lambda j: p.pending[j][0])
    keys = [(-by_id[j].priority, by_id[j].seq) for j in ranked]
    assert keys == sorted(keys)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_a_job_that_fits_is_never_left_waiting(w: World) -> None:
    """Skipped jobs cannot fit on what the pass leaves, reserved cards aside."""
    p = run(w)
    hold = p.reservation
    skip = set(hold.gpus) if hold else set()
    for q in w.queue:
        if q.job_id not in p.pending or q.job_id == (hold.job_id if hold else None):
            continue
        if any(d.status != "done" for d in q.depends_on):
            continue
        assert not fits_on(w, p, q, skip), (q, p)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_deterministic_and_order_independent(w: World) -> None:
    flipped = World(w.cards[::-1], w.running[::-1], w.queue[::-1], w.options)
    assert run(w) == run(flipped)


@settings(max_examples=100, deadline=None)
@given(worlds())
def test_paused_plans_acts_on_nothing(w: World) -> None:
    p = plan(w.queue, w.cards, w.running, NOW, replace(w.options, paused=True))
    assert not p.starts
    assert not p.preemptions
    assert not p.cancellations
    assert p.reservation is None
    assert {j: why for j, (_, why) in p.pending.items()} == {
        q.job_id: "scheduler paused" for q in w.queue
    }


@settings(max_examples=100, deadline=None)
@given(worlds(packing=False, extras=False))
def test_without_the_new_features_it_is_the_forgather_algorithm(w: World) -> None:
    """No memory, dependencies, preemption or reservation: exactly ``place``."""
    held = {i for r in w.running for i in r.gpus}
    slots = [
        GpuSlot(c.index, c.min_priority, c.excluded, c.disabled, c.index in held) for c in w.cards
    ]
    items = [QueueItem(q.job_id, q.priority, q.requested_gpus, q.seq) for q in w.queue]
    expected = [(d.job_id, d.gpus) for d in place(items, slots)]
    assert list(run(w).starts) == expected
