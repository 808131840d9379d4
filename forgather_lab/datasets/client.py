"""Read a dataset server from a training job: standard library only.

A job queued with ``dataset_source`` finds its server in its environment::

    from forgather_lab.datasets.client import iterate

    for batch in iterate("data/train.jsonl", split="train", batch_size=64):
        train_step(batch)  # a list of row dicts

``FORGATHER_DATASET_SERVER`` is the server's URL and
``FORGATHER_DATASET_SERVER_TOKEN_FILE`` the 0600 file holding its token;
``DatasetClient(url, token_file)`` names them by hand. The token is read from
the file, sent as a bearer header, and never logged or put in a URL.
"""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from .protocol import MAX_LIMIT, TOKEN_FILE_ENV, URL_ENV

MAX_BATCH = MAX_LIMIT


class DatasetServerError(RuntimeError):
    """The server answered an error (``status``) or could not be reached (``status`` 0)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}" if status else message)
        self.status = status


class DatasetClient:
    """Calls of one dataset server."""

    def __init__(
        self, url: str | None = None, token_file: str | None = None, timeout: float = 60.0
    ) -> None:
        url = url or os.environ.get(URL_ENV)
        token_file = token_file or os.environ.get(TOKEN_FILE_ENV)
        if not url:
            raise DatasetServerError(0, f"no dataset server: {URL_ENV} is not set")
        self.url = url.rstrip("/")
        self._token = Path(token_file).read_text().strip() if token_file else None
        self.timeout = timeout
        # No proxy from the environment: the token is for a loopback server only.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    def get(self, endpoint: str, **query: Any) -> Any:
        """``GET <url>/<endpoint>?query`` as parsed JSON."""
        params = {k: v for k, v in query.items() if v is not None}
        url = f"{self.url}/{endpoint}" + (f"?{urlencode(params)}" if params else "")
        request = urllib.request.Request(url)  # noqa: S310 (http(s) URL of the server)
        if self._token:
            request.add_header("Authorization", f"Bearer {self._token}")
        try:
            with self._opener.open(request, timeout=self.timeout) as response:
                return json.loads(response.read())
        except urllib.error.HTTPError as e:
            try:
                message = json.loads(e.read()).get("message", e.reason)
            except ValueError:
                message = e.reason
            raise DatasetServerError(e.code, str(message)) from None
        except (urllib.error.URLError, OSError) as e:
            raise DatasetServerError(0, f"cannot reach {self.url}: {e}") from None

    def datasets(self) -> list[dict[str, Any]]:
        """``[{name, format, splits}]``."""
        return list(self.get("datasets")["datasets"])

    def splits(self, dataset: str) -> list[dict[str, Any]]:
        """``[{name, num_rows}]``."""
        return list(self.get("splits", dataset=dataset)["splits"])

    def length(self, dataset: str, split: str | None = None) -> int:
        """Rows in a split (the default one if None)."""
        return int(self.get("length", dataset=dataset, split=split)["num_rows"])

    def rows(
        self, dataset: str, split: str | None = None, offset: int = 0, limit: int = 100
    ) -> dict[str, Any]:
        """One batch: ``{rows, next_offset, ...}``."""
        return dict(self.get("rows", dataset=dataset, split=split, offset=offset, limit=limit))

    def iterate(
        self, dataset: str, split: str | None = None, batch_size: int = 100, offset: int = 0
    ) -> Iterator[list[dict[str, Any]]]:
        """Batches of rows from ``offset`` to the end, ``batch_size`` (at most 500) each."""
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be between 1 and {MAX_BATCH}, not {batch_size}")
        next_offset: int | None = offset
        while next_offset is not None:
            page = self.rows(dataset, split, next_offset, batch_size)
            if page["rows"]:
                yield page["rows"]
            next_offset = page.get("next_offset")


def iterate(
    dataset: str, split: str | None = None, batch_size: int = 100, offset: int = 0
) -> Iterator[list[dict[str, Any]]]:
    """Batches of ``dataset``'s rows from the job's dataset server (see the module docstring)."""
    return DatasetClient().iterate(dataset, split, batch_size, offset)
