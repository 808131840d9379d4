"""The real Dispatcher on a real in-process event bus, reading a snapshot kept in memory.

The jobs service's actions (start, preempt, cancel) are recorded instead of
run: what is under test is what the dispatcher asks for, and when.
"""

from __future__ import annotations

import asyncio
import dataclasses
import random
import time
from typing import Any

import pytest

from forgather_lab.events import EventBus
from forgather_lab.models.jobs import DescribeJob, JobStatus
from forgather_lab.scheduler import Card
from forgather_lab.scheduler.dispatcher import NOT_PLANNED, Dispatcher, Snapshot


def job(job_id: str, status: JobStatus = JobStatus.QUEUED, **kw: Any) -> DescribeJob:
    fields: dict[str, Any] = {
        "id": job_id,
        "name": job_id,
        "job_type": "command",
        "status": status,
        "priority": 0,
        "requested_gpus": 1,
        "gpus": [],
        "params": {},
        "pid": None,
        "pid_create_time": None,
        "exit_code": None,
        "error": None,
        "log_path": None,
        "node": "here",
        "created_at": time.time(),
        "started_at": None,
        "ended_at": None,
        "queued_at": time.time(),
    }
    fields.update(kw)
    return DescribeJob(**fields)


class Pool:
    """The state a pass reads, and a ledger of what the dispatcher asked for."""

    def __init__(self, cards: int = 2) -> None:
        self.queued: list[DescribeJob] = []
        self.active: list[DescribeJob] = []
        self.cards = [Card(i, total_mib=24 * 1024) for i in range(cards)]
        self.dependencies: dict[str, str] = {}
        self.calls: list[tuple[str, str, Any]] = []
        self.fail_start: set[str] = set()
        self.seqs: list[int] | None = None  # the store's submission numbers, if given

    async def snapshot(self) -> Snapshot:
        return Snapshot(
            list(self.queued),
            list(self.active),
            self.cards,
            time.time(),
            self.dependencies,
            list(self.seqs) if self.seqs is not None else None,
        )

    async def start(self, j: DescribeJob, gpus: list[int]) -> None:
        self.calls.append(("start", j.id, gpus))
        if j.id in self.fail_start:
            raise OSError("launcher broke")

    async def preempt(self, job_id: str, reason: str) -> None:
        self.calls.append(("preempt", job_id, reason))

    async def cancel(self, job_id: str, reason: str) -> None:
        self.calls.append(("cancel", job_id, reason))


def dispatcher(pool: Pool, bus: EventBus, **kw: Any) -> Dispatcher:
    return Dispatcher(
        bus, pool.snapshot, pool.start, preempt=pool.preempt, cancel_queued=pool.cancel, **kw
    )


async def test_a_pass_acts_in_order_cancel_preempt_start() -> None:
    pool, bus = Pool(cards=2), EventBus()
    pool.active = [
        job("victim", JobStatus.RUNNING, gpus=[0], preemptible=True, started_at=time.time())
    ]
    pool.queued = [
        job("urgent", priority=200, requested_gpus=2),
        job("orphan", requested_gpus=0, depends_on=["gone1234"]),
        job("cpu", requested_gpus=0),
        job("one"),
    ]
    d = dispatcher(pool, bus, preemption_min_priority=100, reservation_after=1e9)
    await d.dispatch_once()
    # urgent holds card 1 while the victim leaves card 0, so "one" does not take it.
    assert pool.calls == [
        ("cancel", "orphan", "dependency gone1234 was deleted without ending done"),
        ("preempt", "victim", "preempted for job urgent (priority 200)"),
        ("start", "cpu", []),
    ]


async def test_preemption_is_asked_once_and_the_preemptor_holds_the_card() -> None:
    pool, bus = Pool(cards=1), EventBus()
    pool.active = [job("victim", JobStatus.RUNNING, gpus=[0], preemptible=True)]
    pool.queued = [job("urgent", priority=200), job("small", time_limit=1.0)]
    d = dispatcher(pool, bus)
    await d.dispatch_once()
    await d.dispatch_once()  # the victim still runs: it is not preempted again
    assert pool.calls == [("preempt", "victim", "preempted for job urgent (priority 200)")]
    urgent, small = d.annotate(pool.queued)
    assert urgent.pending_reason == "waiting for GPU 0: preempting job victim"
    assert small.position == 2
    pool.active = []  # requeued by the jobs service: the card is free
    await d.dispatch_once()
    assert pool.calls[-1] == ("start", "urgent", [0])


async def test_the_durable_view_of_preemptions_counts_too() -> None:
    pool, bus = Pool(cards=1), EventBus()
    pool.active = [job("victim", JobStatus.RUNNING, gpus=[0], preemptible=True)]
    pool.queued = [job("urgent", priority=200)]
    d = dispatcher(pool, bus, being_preempted=lambda: {"victim"})  # e.g. after a restart
    await d.dispatch_once()
    assert pool.calls == []
    assert d.annotate(pool.queued)[0].pending_reason == "waiting for GPU 0: preempting job victim"


async def test_paused_plans_and_says_so_but_acts_on_nothing() -> None:
    pool, bus = Pool(), EventBus()
    pool.queued = [job("a"), job("b", priority=3)]
    d = dispatcher(pool, bus, enabled=False)
    await d.dispatch_once()
    assert pool.calls == []
    a, b = d.annotate(pool.queued)
    assert (a.position, a.pending_reason) == (2, "scheduler paused")
    assert (b.position, b.pending_reason) == (1, "scheduler paused")
    d.enabled = True
    await d.dispatch_once()
    assert [c[1] for c in pool.calls] == ["b", "a"]


async def test_annotate_only_queued_jobs() -> None:
    pool, bus = Pool(cards=0), EventBus()
    pool.queued = [job("a")]
    d = dispatcher(pool, bus)
    await d.dispatch_once()
    done = job("done", JobStatus.DONE, position=3, pending_reason="stale")
    fresh = job("fresh")  # queued after the last pass
    a, finished, new = d.annotate([pool.queued[0], done, fresh])
    assert (a.position, a.pending_reason) == (1, "needs 1 GPU; this server has 0")
    assert (finished.position, finished.pending_reason) == (None, None)
    assert (new.position, new.pending_reason) == (None, NOT_PLANNED)
    assert pool.queued[0].position is None  # copies, the inputs are untouched


async def test_annotate_reuses_its_copy_until_the_record_or_its_place_changes() -> None:
    pool, bus = Pool(cards=0), EventBus()
    pool.queued = [job("a"), job("b")]
    d = dispatcher(pool, bus)
    await d.dispatch_once()
    first = d.annotate(pool.queued)
    again = d.annotate(pool.queued)
    assert [x is y for x, y in zip(first, again, strict=True)] == [True, True]
    # A new record of "a" (a change in the store), and "a" moved behind "b".
    pool.queued = [pool.queued[1], job("a", name="renamed")]
    await d.dispatch_once()
    b, a = d.annotate(pool.queued)
    assert (b.id, b.position, a.id, a.position, a.name) == ("b", 1, "a", 2, "renamed")
    assert b is not first[1]  # its position changed: a new copy
    assert d.annotate(pool.queued)[1] is a


async def test_queue_changed_only_when_reasons_change() -> None:
    pool, bus = Pool(cards=0), EventBus()
    pool.queued = [job("a")]
    d = dispatcher(pool, bus)
    sub = bus.subscribe({"queue_changed"})
    await d.dispatch_once()
    await d.dispatch_once()
    assert len(sub.queue) == 1
    pool.queued.append(job("b"))
    await d.dispatch_once()
    assert len(sub.queue) == 2


async def test_wakes_on_events_but_not_on_its_own_queue_changed() -> None:
    pool, bus = Pool(cards=0), EventBus()
    pool.queued = [job("a")]
    d = dispatcher(pool, bus, tick=60.0)
    d.start()
    try:
        await _until(lambda: d.passes == 1)
        await asyncio.sleep(0.05)
        assert d.passes == 1  # its own queue_changed did not wake it
        for n, event in enumerate(["queue_reordered", "job_queued", "gpu_policy_changed"], 2):
            bus.publish(event)
            await _until(lambda n=n: d.passes == n)
    finally:
        await d.stop()


async def test_a_job_starting_or_running_does_not_wake_it_but_one_ending_does() -> None:
    pool, bus = Pool(cards=0), EventBus()
    d = dispatcher(pool, bus, tick=60.0)
    d.start()
    try:
        await _until(lambda: d.passes == 1)
        # Its own claim, then the process running: nothing a pass would decide differently.
        bus.publish("job_status_changed", job_id="a", status="starting", previous="queued")
        bus.publish("job_status_changed", job_id="a", status="running", previous="starting")
        await asyncio.sleep(0.1)
        assert d.passes == 1
        bus.publish("job_status_changed", job_id="a", status="done", previous="running")
        await _until(lambda: d.passes == 2)
        # A job queued again (preempted, retried) is planned at once.
        bus.publish("job_status_changed", job_id="b", status="queued", previous="running")
        await _until(lambda: d.passes == 3)
    finally:
        await d.stop()


async def test_a_job_running_wakes_it_while_a_reservation_holds() -> None:
    # The reservation's start is computed from running jobs' time limits: a job that
    # now runs fixes when its limit ends it, which may let a shorter job backfill.
    pool, bus = Pool(cards=2), EventBus()
    now = time.time()
    pool.active = [job("long", JobStatus.STARTING, gpus=[0], time_limit=3600.0)]
    pool.queued = [job("big", requested_gpus=2, queued_at=now - 7200)]
    d = dispatcher(pool, bus, tick=60.0, reservation_after=600.0)
    d.start()
    try:
        await _until(lambda: d.passes == 1)
        assert d.last_plan.reservation is not None
        pool.active = [job("long", JobStatus.RUNNING, gpus=[0], time_limit=3600.0, started_at=now)]
        bus.publish("job_status_changed", job_id="long", status="running", previous="starting")
        await _until(lambda: d.passes == 2)
        # Without a reservation the same change asks for no pass.
        d.last_plan = dataclasses.replace(d.last_plan, reservation=None)
        bus.publish("job_status_changed", job_id="long", status="running", previous="starting")
        await asyncio.sleep(0.1)
        assert d.passes == 2
    finally:
        await d.stop()


async def test_one_failed_start_does_not_stop_the_rest() -> None:
    pool, bus = Pool(cards=2), EventBus()
    pool.queued = [job("a"), job("b")]
    pool.fail_start = {"a"}
    d = dispatcher(pool, bus)
    await d.dispatch_once()
    assert [c[1] for c in pool.calls] == ["a", "b"]


async def test_a_start_that_happened_wakes_no_pass_but_one_that_did_not_does() -> None:
    # A started job holds its cards as the start in flight did: a pass for it would
    # only repeat the last one. A start that did not happen gives its cards back.
    pool, bus = Pool(cards=1), EventBus()
    pool.queued = [job("ok"), job("refused")]
    answers = {"ok": True, "refused": False}

    async def start(j: DescribeJob, gpus: list[int]) -> bool:
        pool.calls.append(("start", j.id, gpus))
        pool.queued = [q for q in pool.queued if q.id != j.id]
        if answers[j.id]:
            pool.active = [job(j.id, JobStatus.RUNNING, gpus=gpus, started_at=time.time())]
        return answers[j.id]

    d = Dispatcher(bus, pool.snapshot, start, preempt=pool.preempt, cancel_queued=pool.cancel)
    d.tick = 60.0
    d.start()
    try:
        await _until(lambda: [c[1] for c in pool.calls] == ["ok"] and not d._starting)
        await asyncio.sleep(0.1)
        assert d.passes == 1
        pool.active = []  # "ok" ended
        bus.publish("job_status_changed", job_id="ok", status="done", previous="running")
        await _until(lambda: [c[1] for c in pool.calls] == ["ok", "refused"] and not d._starting)
        await _until(lambda: d.passes == 3)  # the one for its end, the one for the refusal
    finally:
        await d.stop()


async def _until(check: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def test_a_start_in_flight_holds_its_card_and_is_not_placed_again() -> None:
    # The loop's passes do not wait for their starts (a claim, a spawn, a record):
    # a pass while one is still on its way must neither start that job again
    # nor give its card to another, even though the store still says "queued".
    pool, bus = Pool(cards=1), EventBus()
    pool.queued = [job("first"), job("second")]
    release = asyncio.Event()
    started: list[str] = []

    async def slow_start(j: DescribeJob, gpus: list[int]) -> None:
        started.append(j.id)
        await release.wait()

    d = Dispatcher(bus, pool.snapshot, slow_start, preempt=pool.preempt, cancel_queued=pool.cancel)
    await d.dispatch_once(wait=False)
    await asyncio.sleep(0)  # the start runs as its own task
    assert started == ["first"]
    again = await d.dispatch_once(wait=False)  # the store has not caught up yet
    await asyncio.sleep(0)
    assert started == ["first"]
    assert again.starts == ()
    annotated = {j.id: j for j in d.annotate(pool.queued)}
    assert annotated["first"].pending_reason == "starting on GPU 0"
    assert annotated["second"].position == 1  # first in line: "first" is no longer waiting
    # Once the start is done and the store says so, the card is the store's business.
    release.set()
    await _until(lambda: not d._starting)
    pool.queued = [job("second")]
    pool.active = [job("first", JobStatus.RUNNING, gpus=[0], started_at=time.time())]
    assert (await d.dispatch_once(wait=False)).starts == ()
    pool.active = []
    assert (await d.dispatch_once(wait=False)).starts == (("second", (0,)),)
    release.set()
    await d.stop()


async def test_a_paused_queue_grown_at_its_end_plans_as_a_fresh_pass_would() -> None:
    # Paused passes over a queue that submissions only grow extend the last paused plan
    # (planner.extend_paused). They must say what a whole plan says, also when a second
    # owner's jobs arrive (fair sharing puts them ahead) or a job goes ahead of the end.
    pool, bus = Pool(cards=2), EventBus()
    kept = dispatcher(pool, bus, enabled=False)
    queued: list[DescribeJob] = []
    arrivals = [[f"a{i}" for i in range(k, k + 3)] for k in range(0, 30, 3)]
    arrivals[2] = ["urgent"]  # ahead of the queue's end
    arrivals[6] = ["b0"]  # bob's first job: ahead of ann's later ones
    for step, ids in enumerate(arrivals):
        for job_id in ids:
            priority = 5 if job_id == "urgent" else 0
            owner = "bob" if job_id.startswith("b") else "ann"
            queued.append(job(job_id, priority=priority, owner=owner))
        queued.sort(key=lambda j: -j.priority)  # stable: submission order within a priority
        pool.queued = list(queued)
        a = await kept.dispatch_once()
        b = await dispatcher(pool, bus, enabled=False).dispatch_once()
        assert (a.positions, a.reasons) == (b.positions, b.reasons), step
        assert len(a.positions) == len(queued)
    assert list(a.positions)[:2] == ["urgent", "a0"]
    assert a.positions["b0"] < a.positions["a1"]  # bob's first before ann's second


@pytest.mark.parametrize("with_seqs", [True, False])
async def test_views_kept_between_passes_plan_as_fresh_ones_would(with_seqs: bool) -> None:
    # A long-lived dispatcher keeps each unchanged record's planner view; a new one
    # builds all of them. Through random changes of records, order, dependencies and
    # seqs, both must plan the same.
    rng = random.Random(19)
    pool, bus = Pool(cards=3), EventBus()
    kept = dispatcher(pool, bus, enabled=False, reservation_after=1e9)
    jobs: dict[str, tuple[int, DescribeJob]] = {}  # id -> (seq, record)
    next_seq = 0
    for step in range(90):
        # One step in three only submits, without dependencies, which mostly grows the
        # queue at its end (the kept view is extended), and now and then ahead of it.
        # One in three only takes jobs away, as a drain does (every view is kept),
        # or also changes one record in place (its view is not).
        only_submits = step % 3 == 2
        if step % 3 == 1:
            for job_id in rng.sample(sorted(jobs), k=min(len(jobs), rng.randint(1, 3))):
                del jobs[job_id]
            if jobs and rng.random() < 0.5:
                job_id = rng.choice(sorted(jobs))
                seq, record = jobs[job_id]
                jobs[job_id] = (seq, record.model_copy(update={"priority": record.priority + 1}))
        for _ in range(0 if step % 3 == 1 else rng.randint(0, 4)):  # new submissions
            next_seq += 1
            deps = rng.sample(sorted(jobs), k=min(len(jobs), rng.randint(0, 2)))
            jobs[f"j{next_seq}"] = (
                next_seq,
                job(
                    f"j{next_seq}",
                    priority=0 if only_submits else rng.choice([0, 0, 5]),
                    depends_on=[] if only_submits else deps,
                ),
            )
        if only_submits:
            if rng.random() < 0.2:  # a submission ahead of the queue's end
                next_seq += 1
                jobs[f"j{next_seq}"] = (next_seq, job(f"j{next_seq}", priority=9))
        elif step % 3 == 0:
            for job_id in rng.sample(sorted(jobs), k=min(len(jobs), rng.randint(0, 2))):
                if rng.random() < 0.5:
                    del jobs[job_id]  # started or cancelled elsewhere
                else:  # the store changed the record: a new object, maybe a new priority
                    seq, record = jobs[job_id]
                    jobs[job_id] = (seq, record.model_copy(update={"priority": rng.choice([0, 5])}))
            pool.dependencies = {
                d: rng.choice(["queued", "running", "done", "failed"])
                for _, r in jobs.values()
                for d in r.depends_on
            }
        ordered = sorted(jobs.values(), key=lambda e: (-e[1].priority, e[0]))
        pool.queued = [r for _, r in ordered]
        pool.seqs = [q for q, _ in ordered] if with_seqs else None
        kept.enabled = fresh_enabled = step % 2 == 1  # planned paused and not
        fresh = dispatcher(pool, bus, enabled=fresh_enabled, reservation_after=1e9)
        a, b = await kept.dispatch_once(), await fresh.dispatch_once()
        assert (a.positions, a.reasons, a.starts, a.cancellations) == (
            b.positions,
            b.reasons,
            b.starts,
            b.cancellations,
        ), step
