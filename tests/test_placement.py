"""Placement: the seed's algorithm, with property tests for its invariants."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from forgather_lab.scheduler import GpuSlot, QueueItem, place


def q(job_id: str, priority: int = 0, gpus: int = 1, seq: int = 0) -> QueueItem:
    return QueueItem(job_id, priority, gpus, seq)


def test_priority_then_fifo() -> None:
    queue = [q("low", 0, 1, 0), q("high", 5, 1, 1), q("high2", 5, 1, 2)]
    decisions = place(queue, [GpuSlot(0), GpuSlot(1)])
    assert [d.job_id for d in decisions] == ["high", "high2"]


def test_best_fit_to_the_highest_gate_cleared() -> None:
    gpus = [GpuSlot(0), GpuSlot(5, min_priority=10)]
    decisions = place([q("vip", 10), q("pleb", 0, seq=1)], gpus)
    assert {d.job_id: d.gpus for d in decisions} == {"vip": (5,), "pleb": (0,)}


def test_gate_is_never_crossed() -> None:
    decisions = place([q("pleb", 0)], [GpuSlot(0, min_priority=1)])
    assert decisions == []


def test_skip_dont_block() -> None:
    queue = [q("big", 9, 4, 0), q("small", 0, 1, 1)]
    decisions = place(queue, [GpuSlot(0), GpuSlot(1)])
    assert [(d.job_id, d.gpus) for d in decisions] == [("small", (0,))]


def test_excluded_disabled_reserved_are_not_idle() -> None:
    gpus = [
        GpuSlot(0, excluded=True),
        GpuSlot(1, disabled=True),
        GpuSlot(2, reserved=True),
        GpuSlot(3),
    ]
    decisions = place([q("a"), q("b", seq=1)], gpus)
    assert [(d.job_id, d.gpus) for d in decisions] == [("a", (3,))]


def test_zero_gpu_jobs_always_dispatch() -> None:
    decisions = place([q("cpu", 0, 0)], [])
    assert [(d.job_id, d.gpus) for d in decisions] == [("cpu", ())]


def test_ties_by_index_and_result_sorted() -> None:
    gpus = [GpuSlot(3), GpuSlot(1), GpuSlot(2), GpuSlot(0)]
    decisions = place([q("two", 0, 2)], gpus)
    assert decisions[0].gpus == (0, 1)


# -- properties ----------------------------------------------------------------

gpu_lists = st.lists(
    st.builds(
        GpuSlot,
        index=st.integers(0, 0),
        min_priority=st.integers(0, 3),
        excluded=st.booleans(),
        disabled=st.booleans(),
        reserved=st.booleans(),
    ),
    max_size=8,
).map(
    lambda gs: [
        GpuSlot(i, g.min_priority, g.excluded, g.disabled, g.reserved) for i, g in enumerate(gs)
    ]
)

queues = st.lists(st.tuples(st.integers(-2, 5), st.integers(0, 4)), max_size=12).map(
    lambda items: [QueueItem(f"j{i}", p, n, i) for i, (p, n) in enumerate(items)]
)


@settings(max_examples=300, deadline=None)
@given(queues, gpu_lists)
def test_never_double_books_and_only_idle(queue: list[QueueItem], gpus: list[GpuSlot]) -> None:
    decisions = place(queue, gpus)
    used = [i for d in decisions for i in d.gpus]
    assert len(used) == len(set(used))
    idle = {g.index for g in gpus if g.idle}
    assert set(used) <= idle
    wanted = {item.job_id: item.requested_gpus for item in queue}
    for d in decisions:
        assert len(d.gpus) == wanted[d.job_id]


@settings(max_examples=300, deadline=None)
@given(queues, gpu_lists)
def test_never_places_below_a_gate(queue: list[QueueItem], gpus: list[GpuSlot]) -> None:
    gate = {g.index: g.min_priority for g in gpus}
    prio = {item.job_id: item.priority for item in queue}
    for d in place(queue, gpus):
        assert all(gate[i] <= prio[d.job_id] for i in d.gpus)


@settings(max_examples=200, deadline=None)
@given(queues, gpu_lists)
def test_deterministic_and_order_independent(queue: list[QueueItem], gpus: list[GpuSlot]) -> None:
    assert place(queue, gpus) == place(list(reversed(queue)), list(reversed(gpus)))


@settings(max_examples=300, deadline=None)
@given(queues, gpu_lists)
def test_a_job_that_fits_is_never_left_waiting(queue: list[QueueItem], gpus: list[GpuSlot]) -> None:
    """After the pass, no skipped job could still be placed on what is left idle."""
    decisions = place(queue, gpus)
    placed = {d.job_id for d in decisions}
    used = {i for d in decisions for i in d.gpus}
    left = [g for g in gpus if g.idle and g.index not in used]
    for item in queue:
        if item.job_id in placed:
            continue
        eligible = [g for g in left if g.min_priority <= item.priority]
        assert len(eligible) < item.requested_gpus, (item, left)
