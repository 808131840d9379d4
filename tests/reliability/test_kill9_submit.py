"""``kill -9`` of the server while 16 clients submit: nothing acknowledged is lost.

Each client names its jobs uniquely and records what the server acknowledged
(a 201 with an id). A request in flight at the kill may or may not have
landed, so it is allowed to appear, once; anything else that appears, and any
acknowledged job missing or present twice, is a failure.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
import pytest
from server_process import TOKEN, ServerProcess

from .conftest import FIGURES, FULL

CLIENTS = 16
ROUNDS = 3 if FULL else 1


@dataclass
class Client:
    """One submitting client's record of what it sent and what was acknowledged."""

    number: int
    acknowledged: dict[str, str] = field(default_factory=dict)  # name -> id
    in_flight: str | None = None  # the name sent when the connection broke
    errors: list[str] = field(default_factory=list)

    def run(self, url: str, round_: int, stop: threading.Event) -> None:
        headers = {"Authorization": f"token {TOKEN}"}
        with httpx.Client(base_url=url, headers=headers, timeout=10) as http:
            n = 0
            while not stop.is_set():
                name = f"r{round_}-c{self.number}-{n}"
                n += 1
                self.in_flight = name
                try:
                    reply = http.post(
                        "/forgather/api/queue",
                        json={
                            "job_type": "command",
                            "job_params": {"argv": ["true"]},
                            "name": name,
                        },
                    )
                except httpx.TransportError:
                    return  # the server is gone; `name` may or may not have landed
                if reply.status_code != 201:
                    self.errors.append(f"{name}: {reply.status_code} {reply.text[:200]}")
                    self.in_flight = None
                    return
                self.acknowledged[name] = reply.json()["id"]
                self.in_flight = None


def all_jobs(server: ServerProcess) -> list[dict[str, object]]:
    """Every job, paging through GET /jobs."""
    jobs: list[dict[str, object]] = []
    while True:
        page = server.get("jobs", params={"limit": 1000, "offset": len(jobs)}).json()
        jobs.extend(page["jobs"])
        if not page["jobs"] or len(jobs) >= page["total"]:
            return jobs


@pytest.mark.timeout(300)
def test_kill9_while_16_clients_submit_loses_nothing_acknowledged(server: ServerProcess) -> None:
    # Paused, so the check is about the records alone (test_restart.py shows
    # that a queued job then runs exactly once after a restart).
    server.extra_args.append("--ForgatherLab.scheduler_enabled=False")
    server.start()
    acknowledged: dict[str, str] = {}
    maybe: set[str] = set()
    for round_ in range(ROUNDS):
        stop = threading.Event()
        clients = [Client(i) for i in range(CLIENTS)]
        threads = [
            threading.Thread(target=c.run, args=(server.url, round_, stop), daemon=True)
            for c in clients
        ]
        for t in threads:
            t.start()
        # Kill mid-stream: once a good number of jobs are acknowledged.
        deadline = time.monotonic() + 30
        while sum(len(c.acknowledged) for c in clients) < 150 and time.monotonic() < deadline:
            time.sleep(0.05)
        server.kill9()
        stop.set()
        for t in threads:
            t.join(15)
        assert not [e for c in clients for e in c.errors]
        for c in clients:
            acknowledged.update(c.acknowledged)
            if c.in_flight:
                maybe.add(c.in_flight)
        server.start()

    jobs = all_jobs(server)
    names = [str(j["name"]) for j in jobs]
    ids = [str(j["id"]) for j in jobs]
    assert len(set(ids)) == len(ids), "a job id is listed twice"
    assert len(set(names)) == len(names), "a submission landed twice"
    by_name = {str(j["name"]): str(j["id"]) for j in jobs}
    missing = [n for n in acknowledged if n not in by_name]
    assert not missing, f"{len(missing)} acknowledged jobs lost, e.g. {missing[:5]}"
    assert all(by_name[n] == i for n, i in acknowledged.items()), "an id changed"
    phantoms = set(by_name) - set(acknowledged) - maybe
    assert not phantoms, f"jobs nobody was told about: {sorted(phantoms)[:5]}"
    assert all(j["status"] == "queued" for j in jobs)
    FIGURES["kill9_submit"] = {
        "rounds": ROUNDS,
        "acknowledged": len(acknowledged),
        "in_flight_at_kill": len(maybe),
        "in_flight_that_landed": len(set(by_name) & maybe),
    }
