"""A dataset_server job started through POST /queue, and its endpoints over real HTTP.

The data is built by the test: a Hugging Face DatasetDict saved with
``save_to_disk`` (in a child, nothing downloaded), a JSONL file of 600 rows
and a CSV with a quoted field across lines. A command job queued with
``dataset_source`` then reads a batch through the token file it was given.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import httpx
import pytest
from datasets_helpers import (
    CSV_ROWS,
    JSONL_ROWS,
    build_data,
    build_parquet_and_cache,
    wait_server,
)
from jobs_helpers import PY, wait_for

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def forgather_config(state_dir: Path, tmp_path: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 2,
        "dataset_paths": [str(tmp_path / "data")],
        "dataset_hf_cache_dir": str(tmp_path / "hf-cache"),
    }


@pytest.fixture
def data(tmp_path: Path) -> Path:
    directory = build_data(tmp_path / "data")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.jsonl").write_text('{"secret": 1}\n')
    # A symlink inside the served directory that leads out of it is not served.
    (directory / "escape.jsonl").symlink_to(outside / "secret.jsonl")
    return directory


async def start_server(api: Any, paths: list[str], label: str = "test data") -> str:
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "dataset_server", "job_params": {"paths": paths, "label": label}},
    )
    assert status == 201, job
    assert job["requested_gpus"] == 0
    return str(job["id"])


async def stop(api: Any, job_id: str) -> None:
    await api("jobs", job_id, "control", "kill", method="POST")
    await wait_for(api, job_id, {"aborted", "done", "failed"}, timeout=30)


async def test_endpoints_of_a_dataset_server_job(api: Any, data: Path, state_dir: Path) -> None:
    job_id = await start_server(api, [str(data)])
    try:
        row = await wait_server(api, job_id)
        assert row["source"] == "job"
        assert row["label"] == "test data"
        assert row["url"].startswith("http://127.0.0.1:")
        assert sorted(row["datasets"]) == ["rows.jsonl", "sonnets", "table.csv"]  # no escape
        token_file = state_dir / "jobs" / job_id / "dataset_token"
        assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
        token = token_file.read_text().strip()
        # The token is in no argv of the job.
        status, described = await api("jobs", job_id)
        assert status == 200
        assert token not in json.dumps(described)
        await check_endpoints(row["url"], token)
    finally:
        await stop(api, job_id)


async def check_endpoints(url: str, token: str) -> None:
    auth = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=url, timeout=60, trust_env=False) as c:
        health = await c.get("/health")
        assert health.status_code == 200
        assert health.json() == {"status": "ok"}

        # Everything else wants the token: none is a 401, a wrong one a 403.
        missing = await c.get("/datasets")
        assert missing.status_code == 401
        assert missing.headers["www-authenticate"].startswith("Bearer")
        wrong = await c.get("/datasets", headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403
        assert "rows.jsonl" not in wrong.text

        listing = (await c.get("/datasets", headers=auth)).json()["datasets"]
        by_name = {d["name"]: d for d in listing}
        assert by_name["sonnets"]["format"] == "hf_disk"
        assert by_name["sonnets"]["splits"] == ["train", "test"]
        assert by_name["rows.jsonl"]["format"] == "jsonl"
        assert by_name["table.csv"]["splits"] == ["train"]

        splits = (await c.get("/splits", params={"dataset": "sonnets"}, headers=auth)).json()
        assert splits["splits"] == [
            {"name": "train", "num_rows": 12},
            {"name": "test", "num_rows": 2},
        ]
        length = await c.get("/length", params={"dataset": "rows.jsonl"}, headers=auth)
        assert length.json() == {"dataset": "rows.jsonl", "split": "train", "num_rows": JSONL_ROWS}
        csv_len = await c.get("/length", params={"dataset": "table.csv"}, headers=auth)
        assert csv_len.json()["num_rows"] == CSV_ROWS

        # Preview pages follow each other.
        async def page(offset: int, limit: int, **q: str) -> dict[str, Any]:
            query = {"dataset": "sonnets", "split": "train", "offset": offset, "limit": limit, **q}
            r = await c.get("/preview", params=query, headers=auth)
            assert r.status_code == 200, r.text
            return dict(r.json())

        first, second = await page(0, 5), await page(5, 5)
        assert first["columns"] == ["text", "n"]
        assert first["num_rows"] == 12
        assert [r["n"] for r in first["rows"]] == [0, 1, 2, 3, 4]
        assert [r["n"] for r in second["rows"]] == [5, 6, 7, 8, 9]
        last = await page(10, 5)
        assert [r["text"] for r in last["rows"]] == ["sonnet line 10", "sonnet line 11"]
        held = await page(0, 5, split="test")
        assert [r["n"] for r in held["rows"]] == [100, 101]
        table = await c.get("/preview", params={"dataset": "table.csv"}, headers=auth)
        assert table.json()["columns"] == ["id", "note"]
        assert table.json()["rows"][3] == {"id": "3", "note": "note 3\nsecond line"}

        # Batched iteration: 500 is the most a call takes.
        async def rows(offset: int, limit: int) -> httpx.Response:
            query = {"dataset": "rows.jsonl", "offset": offset, "limit": limit}
            return await c.get("/rows", params=query, headers=auth)

        full = (await rows(0, 500)).json()
        assert len(full["rows"]) == 500
        assert full["rows"][499] == {"i": 499, "text": "row 499"}
        assert full["next_offset"] == 500
        rest = (await rows(500, 500)).json()
        assert [r["i"] for r in rest["rows"]] == list(range(500, JSONL_ROWS))
        assert rest["next_offset"] is None
        too_many = await rows(0, 501)
        assert too_many.status_code == 400
        assert "500" in too_many.json()["message"]
        assert (await rows(-1, 10)).status_code == 400

        unknown = await c.get(
            "/length", params={"dataset": "../outside/secret.jsonl"}, headers=auth
        )
        assert unknown.status_code == 404
        no_split = await c.get(
            "/length", params={"dataset": "sonnets", "split": "nope"}, headers=auth
        )
        assert no_split.status_code == 404
        assert "train, test" in no_split.json()["message"]


async def test_paths_must_lie_under_dataset_paths(api: Any, data: Path, tmp_path: Path) -> None:
    before = (await api("jobs"))[1]
    for paths, expected in (
        ([str(tmp_path / "outside")], "outside the directories"),
        ([str(data / "escape.jsonl")], "outside the directories"),  # the symlink, resolved
        ([str(data / "missing.jsonl")], "No such file"),
        ([str(data), "bad\0path"], "NUL"),
        ([], "at least 1"),
    ):
        status, body = await api(
            "queue",
            method="POST",
            json_body={"job_type": "dataset_server", "job_params": {"paths": paths}},
        )
        assert status == 400, (paths, body)
        assert expected in body["message"], body
    status, body = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "dataset_server",
            "job_params": {"paths": [str(data)], "label": "two\r\nlines"},
        },
    )
    assert status == 400
    assert (await api("jobs"))[1] == before  # nothing queued


async def test_parquet_and_the_hf_cache(api: Any, tmp_path: Path, state_dir: Path) -> None:
    data = tmp_path / "data"
    build_parquet_and_cache(data, tmp_path / "hf-cache")
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "dataset_server",
            "job_params": {"paths": [str(data / "points.parquet")], "hf_cache": True},
        },
    )
    assert status == 201, job
    try:
        row = await wait_server(api, job["id"])
        cached = [n for n in row["datasets"] if n.startswith("hf-cache:json/")]
        assert "points.parquet" in row["datasets"]
        assert len(cached) == 1, row
        token = (state_dir / "jobs" / job["id"] / "dataset_token").read_text().strip()
        auth = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=row["url"], timeout=60, trust_env=False) as c:
            # A page across row groups (of 8) of the Parquet file.
            query = {"dataset": "points.parquet", "offset": 6, "limit": 12}
            page = (await c.get("/rows", params=query, headers=auth)).json()
            assert [r["x"] for r in page["rows"]] == list(range(6, 18))
            length = await c.get("/length", params={"dataset": "points.parquet"}, headers=auth)
            assert length.json()["num_rows"] == 30
            query = {"dataset": cached[0], "split": "train"}
            preview = (await c.get("/preview", params=query, headers=auth)).json()
            assert preview["rows"] == [{"q": "first"}, {"q": "second"}]
    finally:
        await stop(api, job["id"])


READER = """\
import os, stat, sys
from forgather_lab.datasets.client import DatasetClient, iterate
url = os.environ["FORGATHER_DATASET_SERVER"]
token_file = os.environ["FORGATHER_DATASET_SERVER_TOKEN_FILE"]
print("URL", url)
print("MODE", oct(stat.S_IMODE(os.stat(token_file).st_mode)))
print("LENGTH", DatasetClient().length("rows.jsonl"))
batches = list(iterate("rows.jsonl", batch_size=250))
print("BATCHES", [len(b) for b in batches], batches[-1][-1]["i"])
print("FIRST", DatasetClient().rows("sonnets", "test", 0, 1)["rows"][0]["text"])
"""


async def test_a_job_with_dataset_source_reads_the_server(
    api: Any, data: Path, state_dir: Path
) -> None:
    server = await start_server(api, [str(data)])
    try:
        row = await wait_server(api, server)
        status, job = await api(
            "queue",
            method="POST",
            json_body={
                "job_type": "command",
                "job_params": {"argv": [PY, "-c", READER]},
                "dataset_source": server,
            },
        )
        assert status == 201, job
        done = await wait_for(api, job["id"], {"done", "failed"}, timeout=60)
        log = (state_dir / "jobs" / job["id"] / "output.log").read_text()
        assert done["status"] == "done", log
        assert f"URL {row['url']}" in log
        assert "MODE 0o600" in log
        assert f"LENGTH {JSONL_ROWS}" in log
        assert "BATCHES [250, 250, 100] 599" in log
        assert "FIRST held out a" in log
        copy = state_dir / "jobs" / job["id"] / "dataset_server_token"
        assert copy.read_text() == (state_dir / "jobs" / server / "dataset_token").read_text()
        # The environment names the file, never the token itself.
        assert copy.read_text().strip() not in log
    finally:
        await stop(api, server)

    # An unknown source is refused at enqueue, and nothing is queued.
    status, body = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "command",
            "job_params": {"argv": [PY, "-c", "pass"]},
            "dataset_source": "no-such-server",
        },
    )
    assert status == 400
    assert "dataset_source" in body["message"]
    # An ended server is no longer a source either.
    status, body = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "command",
            "job_params": {"argv": [PY, "-c", "pass"]},
            "dataset_source": server,
        },
    )
    assert status == 400, body


def test_client_needs_a_server() -> None:
    from forgather_lab.datasets.client import DatasetClient, DatasetServerError

    env = {k: v for k, v in os.environ.items() if not k.startswith("FORGATHER_DATASET")}
    with pytest.raises(DatasetServerError, match="FORGATHER_DATASET_SERVER"):
        DatasetClient(url=env.get("FORGATHER_DATASET_SERVER"))
