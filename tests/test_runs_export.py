"""Export: a job's metrics as CSV (streamed in pages), the provenance as a JSON file."""

from __future__ import annotations

import csv
import io
from typing import Any

from jobs_helpers import command, wait_for

from forgather_lab.control import metrics
from forgather_lab.runs import export


async def test_metrics_csv(api: Any, jp_fetch: Any, jp_serverapp: Any) -> None:
    status, job = await api("queue", method="POST", json_body=command("pass"))
    assert status == 201, job
    await wait_for(api, job["id"], {"done"})
    runtime = jp_serverapp.web_app.settings["forgather_runtime"]
    n = export.PAGE + 123  # more than one page
    rows: list[tuple[str, int, float | None]] = [("loss", s, 1.0 / (s + 1)) for s in range(n)]
    rows += [("eval,acc", 10, 0.5), ("eval,acc", 20, None)]  # a comma in the key, a missing value
    runtime.db.call(lambda c: metrics.append(c, job["id"], rows))
    response = await jp_fetch("forgather", "api", "jobs", job["id"], "metrics.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.body.decode())))
    assert table[0] == ["step", "key", "value"]
    assert table[1:3] == [["10", "eval,acc", "0.5"], ["20", "eval,acc", ""]]
    loss = table[3:]
    assert len(loss) == n
    assert [int(r[0]) for r in loss] == list(range(n))
    assert all(float(r[2]) == 1.0 / (int(r[0]) + 1) for r in loss)  # exact (repr round-trips)
    response = await jp_fetch(
        "forgather", "api", "jobs", job["id"], "metrics.csv", params={"keys": "eval,acc,nothing"}
    )
    # "eval,acc" cannot be named in a comma list: the filter splits it (and finds neither).
    assert response.body.decode() == export.HEADER
    status, _ = await api("jobs", "nosuchjob", "metrics.csv")
    assert status == 404
    status, _ = await api("jobs", job["id"], "metrics.csv", params={"bogus": "1"})
    assert status == 400
