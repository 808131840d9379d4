"""The planner by example: each pending reason, backfill, packing, preemption, dependencies."""

from __future__ import annotations

import math
from typing import Any

from forgather_lab.scheduler import (
    Card,
    Dependency,
    Plan,
    PlanOptions,
    QueuedJob,
    RunningJob,
    plan,
)

NOW = 10_000.0
GIB = 1024
NEVER = PlanOptions(reservation_after=math.inf)
AT_ONCE = PlanOptions(reservation_after=0)


def q(job_id: str, gpus: int = 1, priority: int = 0, seq: int = 0, **kw: Any) -> QueuedJob:
    kw.setdefault("queued_at", NOW)
    return QueuedJob(job_id, priority, gpus, seq, **kw)


def running(job_id: str, *gpus: int, **kw: Any) -> RunningJob:
    kw.setdefault("started_at", NOW - 10)
    return RunningJob(job_id, kw.pop("priority", 0), gpus, **kw)


def cards(n: int, **kw: Any) -> list[Card]:
    return [Card(i, **kw) for i in range(n)]


def why(p: Plan, job_id: str) -> str:
    return p.pending[job_id][1]


# -- reasons -------------------------------------------------------------------


def test_needs_n_gpus_m_idle() -> None:
    p = plan([q("big", 4)], cards(4), [running("a", 0), running("b", 1)], NOW, NEVER)
    assert why(p, "big") == "needs 4 GPUs, 2 idle"
    assert p.pending["big"][0] == 1


def test_gated_cards_are_named() -> None:
    gpus = [Card(0), Card(1), Card(2, min_priority=5), Card(3, min_priority=5)]
    p = plan([q("pleb", 4)], gpus, [], NOW, NEVER)
    assert why(p, "pleb") == "needs 4 GPUs; GPU 2 and 3 need priority ≥ 5"


def test_idle_cards_behind_a_gate_are_mentioned() -> None:
    gpus = [Card(0), Card(1, min_priority=100)]
    p = plan([q("two", 1, seq=0), q("three", 1, seq=1)], gpus, [running("a", 0)], NOW, NEVER)
    assert why(p, "two") == "needs 1 GPU, 0 idle; idle GPU 1 needs priority ≥ 100"


def test_disabled_and_missing_cards() -> None:
    gpus = [Card(0), Card(1, disabled=True), Card(2, excluded=True)]
    p = plan([q("two", 2), q("four", 4, seq=1)], gpus, [], NOW, NEVER)
    assert why(p, "two") == "needs 2 GPUs, 1 enabled (GPU 1 disabled)"
    assert why(p, "four") == "needs 4 GPUs; this server has 2"


def test_waiting_for_a_dependency() -> None:
    job = q("child", depends_on=(Dependency("3f2a1b0c", "running"),))
    p = plan([job], cards(1), [], NOW, NEVER)
    assert why(p, "child") == "waiting for job 3f2a1b0c to finish"
    assert not p.starts


def test_a_failed_or_deleted_dependency_cancels_naming_it() -> None:
    queue = [
        q("a", depends_on=(Dependency("11111111", "done"), Dependency("3f2a1b0c", "failed"))),
        q("b", seq=1, depends_on=(Dependency("9c1e0a2b", None),)),
        q("c", seq=2, depends_on=(Dependency("11111111", "done"),)),
    ]
    p = plan(queue, cards(1), [], NOW, NEVER)
    assert dict(p.cancellations) == {
        "a": "dependency 3f2a1b0c ended failed",
        "b": "dependency 9c1e0a2b was deleted without ending done",
    }
    assert p.starts == (("c", (0,)),)
    assert p.pending == {}


def test_memory_reason_names_what_is_free() -> None:
    gpus = cards(2, total_mib=8 * GIB)
    held = [running("a", 0, gpu_memory=3 * GIB), running("b", 1, gpu_memory=6 * GIB)]
    p = plan([q("m", gpu_memory=8 * GIB)], gpus, held, NOW, NEVER)
    assert why(p, "m") == "needs 8 GiB on one GPU, at most 5 GiB free"


def test_memory_larger_than_any_card() -> None:
    p = plan([q("m", gpu_memory=100 * GIB)], cards(2, total_mib=24 * GIB), [], NOW, AT_ONCE)
    assert why(p, "m") == "needs 100 GiB on one GPU; the largest GPU it may use has 24 GiB"
    assert p.reservation is None  # it can never start, so it holds nothing


def test_paused_says_so_for_every_job_in_order() -> None:
    queue = [q("low", seq=0), q("high", priority=5, seq=1)]
    p = plan(queue, cards(2), [], NOW, PlanOptions(paused=True))
    assert p.pending == {"high": (1, "scheduler paused"), "low": (2, "scheduler paused")}
    assert not p.starts


def test_positions_follow_priority_then_submission() -> None:
    queue = [q("a", 2, seq=0), q("b", 2, priority=5, seq=1), q("c", 2, seq=2)]
    p = plan(queue, cards(1), [], NOW, NEVER)
    assert {j: pos for j, (pos, _) in p.pending.items()} == {"b": 1, "a": 2, "c": 3}


# -- backfill with reservations (issue 14, item 6) ------------------------------


def backfill_world(options: PlanOptions) -> Plan:
    # Cards 0 and 1 free in 100 s (time limits); the big job waited an hour.
    held = [running("r0", 0, time_limit=110.0), running("r1", 1, time_limit=110.0)]
    queue = [
        q("big", 4, priority=5, seq=0, queued_at=NOW - 3600),
        q("short", 1, seq=1, time_limit=50.0),
        q("forever", 1, seq=2),
        q("long", 1, seq=3, time_limit=500.0),
    ]
    return plan(queue, cards(4), held, NOW, options)


def test_backfill_short_job_runs_unlimited_and_long_ones_wait() -> None:
    p = backfill_world(PlanOptions(reservation_after=600))
    assert p.reservation is not None
    assert p.reservation.job_id == "big"
    assert p.reservation.gpus == (0, 1, 2, 3)
    assert p.reservation.earliest_start == NOW + 100
    assert [j for j, _ in p.starts] == ["short"]
    held = "held for job big (reservation on GPU 0-3, free in about 2 min; only jobs"
    assert why(p, "forever").startswith(held)
    assert why(p, "long").startswith(held)
    assert why(p, "big") == (
        "needs 4 GPUs, 1 idle; holds a reservation on GPU 0-3, expected to start in about 2 min"
    )


def test_before_reservation_after_nothing_is_held() -> None:
    p = backfill_world(PlanOptions(reservation_after=7200))
    assert p.reservation is None
    assert [j for j, _ in p.starts] == ["short", "forever"]


def test_the_big_job_starts_as_soon_as_its_gpus_are_free() -> None:
    queue = [
        q("big", 4, priority=5, seq=0, queued_at=NOW - 3600),
        q("forever", 1, seq=2),
    ]
    p = plan(queue, cards(4), [], NOW + 100, PlanOptions(reservation_after=600))
    assert p.starts == (("big", (0, 1, 2, 3)),)
    assert why(p, "forever") == "needs 1 GPU, 0 idle"


def test_a_card_held_without_a_limit_never_frees() -> None:
    held = [running("r0", 0), running("r1", 1)]  # no time limits
    queue = [
        q("big", 3, priority=5, seq=0, queued_at=0),
        q("limited", 1, seq=1, time_limit=10_000.0),
        q("forever", 1, seq=2),
    ]
    p = plan(queue, cards(4), held, NOW, AT_ONCE)
    assert p.reservation is not None
    assert math.isinf(p.reservation.earliest_start)
    assert p.reservation.gpus == (0, 2, 3)
    assert p.starts == (("limited", (2,)),)  # any time limit ends before "never"
    assert why(p, "forever").startswith("held for job big (reservation on GPU 0, 2 and 3 until")
    assert "start unknown" in why(p, "big")


def test_jobs_off_the_reserved_cards_start_as_usual() -> None:
    gpus = [Card(0), Card(1), Card(2, min_priority=9)]
    held = [running("r0", 0, time_limit=100.0)]
    queue = [q("big", 2, priority=1, seq=0, queued_at=0), q("vip", 1, priority=9, seq=1)]
    p = plan(queue, gpus, held, NOW, AT_ONCE)
    # vip ranks first and takes its gated card; big reserves 0 and 1.
    assert p.starts == (("vip", (2,)),)
    assert p.reservation is not None
    assert p.reservation.gpus == (0, 1)


# -- packing (item 7) ------------------------------------------------------------


def test_declared_jobs_share_a_card_while_they_fit() -> None:
    queue = [q(f"m{i}", seq=i, gpu_memory=8 * GIB) for i in range(4)]
    p = plan(queue, cards(1, total_mib=24 * GIB), [], NOW, NEVER)
    assert p.starts == (("m0", (0,)), ("m1", (0,)), ("m2", (0,)))
    assert why(p, "m3") == "needs 8 GiB on one GPU, none free (each is used whole or full)"


def test_whole_card_jobs_never_share() -> None:
    gpus = cards(2, total_mib=24 * GIB)
    held = [running("packed", 0, gpu_memory=GIB), running("whole", 1)]
    p = plan([q("w"), q("m", seq=1, gpu_memory=GIB)], gpus, held, NOW, NEVER)
    assert p.starts == (("m", (0,)),)
    assert why(p, "w") == "needs 1 GPU, 0 idle"


def test_packing_prefers_shared_cards_so_whole_cards_stay_whole() -> None:
    gpus = cards(2, total_mib=24 * GIB)
    p = plan(
        [q("m", gpu_memory=GIB), q("w", seq=1)], gpus, [running("a", 1, gpu_memory=GIB)], NOW, NEVER
    )
    assert dict(p.starts) == {"m": (1,), "w": (0,)}


def test_a_multi_gpu_job_needs_its_memory_on_each_card() -> None:
    gpus = cards(2, total_mib=16 * GIB)
    held = [running("a", 1, gpu_memory=10 * GIB)]
    p = plan([q("m", 2, gpu_memory=8 * GIB)], gpus, held, NOW, NEVER)
    assert why(p, "m") == "needs 8 GiB on each of 2 GPUs, 1 has that free"


def test_nvml_free_memory_is_not_counted_twice() -> None:
    # 80 GiB card; a running job declared 8 and uses 6, a foreign process 20:
    # NVML says 54 free. What is offered: min(80 - 8, 54) = 54.
    card = Card(0, total_mib=80 * GIB, free_mib=54 * GIB)
    held = [running("a", 0, gpu_memory=8 * GIB)]
    fits = plan([q("m", gpu_memory=54 * GIB)], [card], held, NOW, NEVER)
    assert fits.starts == (("m", (0,)),)
    too_big = plan([q("m", gpu_memory=55 * GIB)], [card], held, NOW, NEVER)
    assert why(too_big, "m") == "needs 55 GiB on one GPU, at most 54 GiB free"
    # Without other processes NVML says 74 free, but 8 are promised: 72 offered.
    quiet = Card(0, total_mib=80 * GIB, free_mib=74 * GIB)
    assert why(plan([q("m", gpu_memory=73 * GIB)], [quiet], held, NOW, NEVER), "m").endswith(
        "at most 72 GiB free"
    )


# -- preemption selection (item 8) ---------------------------------------------


PREEMPT = PlanOptions(reservation_after=math.inf, preemption_min_priority=100)


def test_preempts_the_lowest_preemptible_and_holds_its_card() -> None:
    held = [
        running("pinned", 0, priority=0),  # not preemptible
        running("cheap", 1, priority=0, preemptible=True),
        running("dear", 2, priority=50, preemptible=True),
        running("vip", 3, priority=300, preemptible=True),
    ]
    queue = [q("urgent", priority=200, seq=0), q("other", seq=1, time_limit=1.0)]
    p = plan(queue, cards(4), held, NOW, PREEMPT)
    assert p.preemptions == (("cheap", "urgent"),)
    assert p.reservation is not None
    assert p.reservation.preemption
    assert p.reservation.gpus == (1,)
    assert why(p, "urgent") == "waiting for GPU 1: preempting job cheap"
    assert not p.starts


def test_fewest_victims_first() -> None:
    gpus = cards(2, total_mib=16 * GIB)
    held = [
        running("a", 0, gpu_memory=8 * GIB, preemptible=True),
        running("b", 0, gpu_memory=8 * GIB, preemptible=True),
        running("c", 1, gpu_memory=16 * GIB, preemptible=True, priority=5),
    ]
    p = plan([q("urgent", priority=200, gpu_memory=16 * GIB)], gpus, held, NOW, PREEMPT)
    assert p.preemptions == (("c", "urgent"),)


def test_no_preemption_below_the_minimum_or_against_equals() -> None:
    held = [running("a", 0, priority=100, preemptible=True)]
    assert plan([q("x", priority=99)], cards(1), held, NOW, PREEMPT).preemptions == ()
    assert plan([q("x", priority=100)], cards(1), held, NOW, PREEMPT).preemptions == ()
    assert plan([q("x", priority=101)], cards(1), held, NOW, PREEMPT).preemptions == (("a", "x"),)


def test_no_preemption_that_would_not_let_it_start() -> None:
    held = [running("a", 0, preemptible=True), running("b", 1)]
    p = plan([q("urgent", 2, priority=200)], cards(2), held, NOW, PREEMPT)
    assert p.preemptions == ()
    assert p.reservation is None


def test_a_victim_already_leaving_is_not_chosen_twice() -> None:
    held = [running("a", 0, preemptible=True, preempting=True), running("b", 1, preemptible=True)]
    p = plan([q("urgent", priority=200)], cards(2), held, NOW, PREEMPT)
    assert p.preemptions == ()
    assert p.reservation is not None
    assert p.reservation.gpus == (0,)
    assert why(p, "urgent") == "waiting for GPU 0: preempting job a"


def test_nobody_backfills_a_preemption_hold() -> None:
    held = [running("b", 1, preemptible=True)]
    queue = [q("urgent", 2, priority=200), q("small", seq=1, time_limit=5.0)]
    p = plan(queue, cards(2), held, NOW, PREEMPT)
    assert p.preemptions == (("b", "urgent"),)
    assert p.reservation is not None
    assert p.reservation.gpus == (0, 1)
    assert not p.starts  # card 0 is idle, but held for urgent
    assert why(p, "small").startswith("held for job urgent (reservation on GPU 0 and 1 while")
