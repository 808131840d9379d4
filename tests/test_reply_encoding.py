"""Pages of jobs as JSON from each record's kept JSON (models/encoding.py, issue 19)."""

from __future__ import annotations

import random
import time

from forgather_lab.models.encoding import record_json, reply_json
from forgather_lab.models.jobs import DescribeJob, JobsNode, ListJobs


def _job(i: int, **kw: object) -> DescribeJob:
    now = time.time()
    fields: dict[str, object] = {
        "id": f"{i:08x}",
        "name": f'job {i} \u00e9\u2603 "quoted"',
        "job_type": "command",
        "status": random.choice(["queued", "running", "done", "failed"]),
        "priority": random.randint(-5, 5),
        "requested_gpus": random.choice([0, 1, 2]),
        "gpus": random.choice([[], [0, 1]]),
        "pid": random.choice([None, 4242]),
        "pid_create_time": None,
        "exit_code": random.choice([None, 0, -9]),
        "error": random.choice([None, "it broke\n<script>"]),
        "log_path": None,
        "node": "here",
        "started_at": None,
        "ended_at": None,
        "params": {"argv": ["python", "-c", "print(1)"], "n": i, "nested": {"x": [1.5, None]}},
        "created_at": now,
        "queued_at": now,
        "position": random.choice([None, i]),
        "pending_reason": random.choice([None, "waiting for GPU 0"]),
    }
    fields.update(kw)
    return DescribeJob.model_validate(fields)


def test_a_page_is_exactly_what_pydantic_writes() -> None:
    random.seed(19)
    jobs = [_job(i) for i in range(60)]
    for _ in range(200):
        page = random.sample(jobs, random.randint(0, 20))
        extra: dict[str, object] = random.choice(
            [
                {},
                {"total": random.randint(0, 10**6)},
                {
                    "total": 3,
                    "nodes": [JobsNode(node_id="n1", hostname="h", is_self=True, reachable=True)],
                    "unreachable": ["n2"],
                },
            ]
        )
        listing = ListJobs(jobs=page, **extra)  # type: ignore[arg-type]
        assert reply_json(listing) == listing.model_dump_json()


def test_a_record_is_encoded_once_and_a_changed_copy_again() -> None:
    job = _job(1, name="before")
    assert record_json(job) is record_json(job)
    changed = job.model_copy(update={"name": "after"})
    assert '"name":"after"' in record_json(changed)
    assert '"name":"before"' in record_json(job)


def test_a_subclass_record_is_written_as_the_page_declares() -> None:
    class Wider(DescribeJob):
        secret: str = "not in the page"

    wide = Wider.model_validate(_job(2).model_dump())
    listing = ListJobs(jobs=[wide])
    assert reply_json(listing) == listing.model_dump_json()
