"""Fair sharing in the pure planner: per-user GPU caps and the order of equal priorities.

Examples first (the sentences users read), then invariants on random queues
(hypothesis): no owner's GPUs ever exceed ``user_gpu_limit`` after a pass, and
with one owner (or none) the order is exactly the one without fair sharing.
"""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st

from forgather_lab.scheduler import Card, PlanOptions, QueuedJob, RunningJob, plan
from forgather_lab.scheduler.fairness import decayed, effective_usage, fair_order

NOW = 1000.0
OWNERS = ("alice", "bob", "carol", None)


def q(job_id: str, owner: str | None, seq: int, gpus: int = 1, priority: int = 0) -> QueuedJob:
    return QueuedJob(job_id, priority, gpus, seq, owner=owner)


def test_one_users_second_job_waits_behind_another_users_first() -> None:
    queue = [q("a1", "alice", 0), q("a2", "alice", 1), q("a3", "alice", 2), q("b1", "bob", 3)]
    decided = plan(queue, [Card(0)], [], NOW)
    # a1 starts; then b1 (bob's first) before alice's second and third.
    assert decided.starts == (("a1", (0,)),)
    assert sorted(decided.positions, key=decided.positions.__getitem__) == ["b1", "a2", "a3"]


def test_the_least_used_user_goes_first_within_a_round() -> None:
    queue = [q("a1", "alice", 0), q("b1", "bob", 1)]
    usage = {"alice": 7200.0, "bob": 10.0}
    decided = plan(queue, [Card(0)], [], NOW, PlanOptions(usage=usage))
    assert decided.starts == (("b1", (0,)),)
    # Without usage, submission order decides the round.
    assert plan(queue, [Card(0)], [], NOW).starts == (("a1", (0,)),)


def test_priority_still_comes_first() -> None:
    queue = [q("a1", "alice", 0, priority=5), q("a2", "alice", 1, priority=5), q("b1", "bob", 2)]
    decided = plan(queue, [], [], NOW, PlanOptions(paused=True))
    assert sorted(decided.positions, key=decided.positions.__getitem__) == ["a1", "a2", "b1"]


def test_a_user_at_the_gpu_limit_waits_and_says_so() -> None:
    running = [RunningJob("r", 0, (0, 1), started_at=NOW - 60, owner="alice")]
    queue = [q("a1", "alice", 0, gpus=1), q("b1", "bob", 1, gpus=1), q("a2", "alice", 2, gpus=3)]
    cards = [Card(i) for i in range(8)]
    decided = plan(queue, cards, running, NOW, PlanOptions(user_gpu_limit=2))
    assert [s[0] for s in decided.starts] == ["b1"]
    assert decided.reasons["a1"] == "alice holds 2 of the 2 GPUs a user may hold (user_gpu_limit)"
    assert "more than user_gpu_limit (2)" in decided.reasons["a2"]


def test_starts_in_one_pass_count_towards_the_limit() -> None:
    queue = [q(f"a{i}", "alice", i, gpus=2) for i in range(4)]
    decided = plan(queue, [Card(i) for i in range(8)], [], NOW, PlanOptions(user_gpu_limit=4))
    assert [s[0] for s in decided.starts] == ["a0", "a1"]
    assert decided.reasons["a2"] == "alice holds 4 of the 4 GPUs a user may hold (user_gpu_limit)"


def test_decay_halves_per_half_life_and_running_jobs_count() -> None:
    assert decayed(100.0, 0.0, 86400.0, 86400.0) == 50.0
    assert decayed(100.0, 10.0, 5.0, 86400.0) == 100.0
    running = [RunningJob("r", 0, (0, 1), started_at=NOW - 30, owner="bob")]
    assert effective_usage({"alice": 5.0}, running, NOW) == {"alice": 5.0, "bob": 60.0}


@st.composite
def queues(draw: st.DrawFn) -> list[QueuedJob]:
    n = draw(st.integers(0, 25))
    return [
        QueuedJob(
            f"j{i}",
            draw(st.integers(0, 2)),
            draw(st.integers(0, 3)),
            i,
            owner=draw(st.sampled_from(OWNERS)),
        )
        for i in range(n)
    ]


@settings(max_examples=200, deadline=None)
@given(
    queue=queues(),
    n_cards=st.integers(0, 8),
    limit=st.integers(0, 4),
    busy=st.lists(st.sampled_from(OWNERS), max_size=3),
)
def test_no_owner_ever_exceeds_the_limit(
    queue: list[QueuedJob], n_cards: int, limit: int, busy: list[str | None]
) -> None:
    running = [
        RunningJob(f"r{i}", 0, (i,), started_at=NOW - 1, owner=o)
        for i, o in enumerate(busy[:n_cards])
    ]
    decided = plan(
        queue, [Card(i) for i in range(n_cards)], running, NOW, PlanOptions(user_gpu_limit=limit)
    )
    held: dict[str | None, int] = {}
    for r in running:
        held[r.owner] = held.get(r.owner, 0) + len(r.gpus)
    before = dict(held)
    by_id = {j.job_id: j for j in queue}
    for job_id, gpus in decided.starts:
        owner = by_id[job_id].owner
        held[owner] = held.get(owner, 0) + len(gpus)
    for owner, n in held.items():
        if limit and owner is not None and n > before.get(owner, 0):
            assert n <= limit, (owner, n, limit, decided)
    # Every job is either started, cancelled or waiting with a reason.
    assert {s[0] for s in decided.starts} | set(decided.reasons) == set(by_id)


@settings(max_examples=200, deadline=None)
@given(queue=queues(), owner=st.sampled_from(OWNERS), usage=st.floats(0, 1e6))
def test_one_owner_keeps_the_order_without_fair_sharing(
    queue: list[QueuedJob], owner: str | None, usage: float
) -> None:
    same = [replace(j, owner=owner) for j in queue]
    order = sorted(same, key=lambda j: (-j.priority, j.seq))
    assert fair_order(order, {"alice": usage}) == order


@settings(max_examples=200, deadline=None)
@given(queue=queues(), usage=st.dictionaries(st.sampled_from(OWNERS[:3]), st.floats(0, 1e6)))
def test_fair_order_is_a_permutation_by_priority_then_rounds(
    queue: list[QueuedJob], usage: dict[str, float]
) -> None:
    order = sorted(queue, key=lambda j: (-j.priority, j.seq))
    fair = fair_order(order, usage)
    assert sorted(j.job_id for j in fair) == sorted(j.job_id for j in queue)
    assert [j.priority for j in fair] == sorted((j.priority for j in fair), reverse=True)
    # Each owner's own jobs keep their submission order.
    for o in OWNERS:
        mine = [j.seq for j in fair if j.owner == o]
        by_priority: dict[int, list[int]] = {}
        for j in fair:
            if j.owner == o:
                by_priority.setdefault(j.priority, []).append(j.seq)
        for seqs in by_priority.values():
            assert seqs == sorted(seqs), (o, mine)
    # Within a priority, nobody's (k+1)-th job comes before another's k-th.
    for p in {j.priority for j in fair}:
        rounds: dict[str | None, int] = {}
        last = -1
        for j in (j for j in fair if j.priority == p):
            k = rounds.get(j.owner, 0)
            rounds[j.owner] = k + 1
            assert k >= last
            last = k
