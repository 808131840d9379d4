"""A schema-driven fuzz of every operation in the OpenAPI document.

schemathesis generates requests from ``docs/openapi.json`` (kept identical to
what the server serves by tests/test_openapi.py): valid ones and, as often,
deliberately invalid ones. Against a real server process, each must be
answered without a 5xx, every 4xx must carry a JSON ``{"message"}``, and
every answer must conform to the document: a documented status code, a
documented content type and a body valid against the documented schema
(schemathesis' conformance checks, as tests/test_response_conformance.py runs
them on one real call of each operation).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.core.result import Err
from server_process import TOKEN, ServerProcess
from test_response_conformance import conform

from .conftest import FIGURES, FULL

DOCUMENT = Path(__file__).parents[2] / "docs" / "openapi.json"
# Requests carry the server token; generating broken credentials is the auth
# sweep's job (test_auth_live.py), here it would only hide the handlers.
SCHEMA = schemathesis.openapi.from_path(
    str(DOCUMENT),
    config=schemathesis.Config.from_dict({"generation": {"with-security-parameters": False}}),
)


def operations() -> list[Any]:
    """Every operation to fuzz: all but the SSE stream, which never ends by design
    (tests/test_events.py covers it)."""
    out = []
    for result in SCHEMA.get_all_operations():
        if isinstance(result, Err):  # an operation the document cannot describe
            raise result.err()
        if result.ok().path != "/forgather/api/events":
            out.append(result.ok())
    return out


OPERATIONS = operations()
MAX_HEADER_SIZE = 65536  # tornado's default for a request's head
EXAMPLES = 150 if FULL else 6


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """One server for the whole fuzz; the scheduler stays paused so no fuzzed argv runs."""
    srv = ServerProcess(
        tmp_path_factory.mktemp("fuzz"), "--ForgatherLab.scheduler_enabled=False"
    ).start()
    yield srv
    srv.stop()
    srv.kill_jobs()


def check_reply(label: str, status: int, content_type: str, text: str) -> None:
    """No 5xx; a 4xx says what was wrong, in JSON."""
    assert status < 500, f"{label} -> {status}: {text[:500]}"
    if 400 <= status < 500:
        assert content_type.startswith("application/json"), f"{label} -> {status} {content_type}"
        body = json.loads(text)
        assert isinstance(body.get("message"), str), f"{label} -> {status}: {text[:300]}"
        assert body["message"].strip(), f"{label} -> {status}: empty message"


def keep_paused(case: Any) -> None:
    """Never let the fuzz resume the scheduler: fuzzed argv must not run."""
    if case.operation.path.endswith("/queue/scheduler") and isinstance(case.body, dict):
        case.body = {**case.body, "enabled": False}


@pytest.mark.timeout(1800 if FULL else 300)
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_no_5xx_and_every_4xx_says_why(live: ServerProcess, operation: Any) -> None:
    headers = {"Authorization": f"token {TOKEN}"}
    counts: dict[int, int] = {}

    def fuzz(mode: GenerationMode) -> None:
        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            keep_paused(case)
            try:
                response = case.call(base_url=live.url, headers=headers, timeout=30)
            except requests.ConnectionError:
                # Tornado closes a connection whose request head passes its
                # max_header_size (64 KiB) unanswered, before any handler runs;
                # a shorter request must be answered.
                request = requests.Request(**case.as_transport_kwargs(base_url=live.url))
                if len(request.prepare().url or "") <= MAX_HEADER_SIZE:
                    raise
                return
            counts[response.status_code] = counts.get(response.status_code, 0) + 1
            check_reply(
                f"{case.method} {case.formatted_path} query={case.query} body={case.body!r:.200}",
                response.status_code,
                str(response.headers.get("content-type", [""])[0]),
                response.text,
            )
            conform(case, response)

        run()

    fuzz(GenerationMode.POSITIVE)
    # An operation with no parameters has no invalid form to generate.
    with contextlib.suppress(Unsatisfiable):
        fuzz(GenerationMode.NEGATIVE)
    FIGURES.setdefault("fuzz_statuses", {})[operation.label] = dict(sorted(counts.items()))
