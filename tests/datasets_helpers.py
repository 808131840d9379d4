"""Small datasets built by the tests (nothing downloaded), and a standalone dataset server."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

PY = sys.executable
JSONL_ROWS = 600  # more than one batch of 500
CSV_ROWS = 7

# Run in a child: importing `datasets` takes seconds and the test process needs none of it.
BUILD_HF = """\
import sys
from datasets import Dataset, DatasetDict
train = Dataset.from_dict({"text": [f"sonnet line {i}" for i in range(12)], "n": list(range(12))})
test = Dataset.from_dict({"text": ["held out a", "held out b"], "n": [100, 101]})
DatasetDict({"train": train, "test": test}).save_to_disk(sys.argv[1])
"""


BUILD_CACHE = """\
import sys
import pyarrow as pa, pyarrow.parquet as pq
from datasets import load_dataset
data, cache = sys.argv[1], sys.argv[2]
pq.write_table(pa.table({"x": list(range(30)), "y": [f"p{i}" for i in range(30)]}),
               f"{data}/points.parquet", row_group_size=8)
with open(f"{data}/cached.jsonl", "w") as f:
    f.write('{"q": "first"}\\n{"q": "second"}\\n')
load_dataset("json", data_files={"train": f"{data}/cached.jsonl"}, cache_dir=cache)
"""


def build_parquet_and_cache(directory: Path, cache: Path) -> None:
    """``points.parquet`` (30 rows, row groups of 8) in ``directory``, and a datasets cache
    holding what ``load_dataset("json", ...)`` built from ``cached.jsonl``."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [PY, "-c", BUILD_CACHE, str(directory), str(cache)],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )


def build_data(directory: Path) -> Path:
    """``directory`` with a saved DatasetDict (``sonnets``), ``rows.jsonl`` and ``table.csv``."""
    directory.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    subprocess.run(
        [PY, "-c", BUILD_HF, str(directory / "sonnets")],
        check=True,
        capture_output=True,
        env=env,
        timeout=120,
    )
    with (directory / "rows.jsonl").open("w") as f:
        for i in range(JSONL_ROWS):
            f.write(json.dumps({"i": i, "text": f"row {i}"}) + "\n")
    with (directory / "table.csv").open("w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "note"])
        for i in range(CSV_ROWS):
            writer.writerow([i, f"note {i}\nsecond line"])  # a quoted field across lines
    return directory


async def wait_server(api: Any, server_id: str, within: float = 60) -> dict[str, Any]:
    """Poll ``GET /dataset-servers`` until ``server_id`` is ready."""
    deadline = time.monotonic() + within
    row: dict[str, Any] = {}
    while time.monotonic() < deadline:
        status, body = await api("dataset-servers")
        assert status == 200, body
        row = next((s for s in body["servers"] if s["id"] == server_id), {})
        if row.get("status") == "ready":
            return row
        await asyncio.sleep(0.2)
    raise AssertionError(f"dataset server {server_id} not ready: {row}")


class StandaloneServer:
    """``python -m forgather_lab.datasets.server`` started by the test (a user-added server)."""

    def __init__(self, data: Path, token_file: Path) -> None:
        self.data = data
        self.token_file = token_file
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> StandaloneServer:
        self.proc = subprocess.Popen(
            [
                PY,
                "-P",
                "-m",
                "forgather_lab.datasets.server",
                "--path",
                str(self.data),
                "--token-file",
                str(self.token_file),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().decode()  # "Dataset server listening on URL/ (...)"
        assert "listening on" in line, line
        self.url = line.split("listening on ", 1)[1].split("/ ", 1)[0]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/health", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError("the standalone dataset server did not answer")

    def token(self) -> str:
        return self.token_file.read_text().strip()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc is not None and self.proc.stdout is not None:
            self.proc.stdout.close()
