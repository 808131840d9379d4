"""A dataset server, run as a ``dataset_server`` job (or by hand).

    python -P -m forgather_lab.datasets.server --path DIR [--path FILE ...]
        [--hf-cache DIR] [--token-file FILE] [--port 0]

Serves the datasets found under its paths (``sources``) as JSON on
127.0.0.1, and nowhere else. Every endpoint but ``/health`` wants
``Authorization: Bearer <token>``; the token lives in a 0600 file (its
*path* may be given, the token never is): an existing file is read (and
refused if others may read it), a missing one is created. Started by the
launcher, the server keeps it as ``dataset_token`` in its job directory and
announces its URL in ``endpoint.json`` there, as the inference server does.

Endpoints (all GET; errors are ``{"message": ...}``):

- ``/health``: ``{"status": "ok"}``, no token needed (readiness probes).
- ``/datasets``: ``{"datasets": [{"name", "format", "splits"}]}``.
- ``/splits?dataset=``: ``{"dataset", "splits": [{"name", "num_rows"}]}``.
- ``/length?dataset=&split=``: ``{"dataset", "split", "num_rows"}``.
- ``/preview?dataset=&split=&offset=&limit=``: a page for people: columns,
  rows with long values cut short and bytes summarised, ``num_rows``.
- ``/rows?dataset=&split=&offset=&limit=``: a batch for trainers, values
  whole (bytes as base64), and ``next_offset`` (null at the end).

``limit`` is at most 500 (``MAX_LIMIT``); more is a 400. Standard library
only (``http.server`` with a thread per request); the readers import pyarrow
and ``datasets`` only for the files that need them.
"""

from __future__ import annotations

import argparse
import hmac
import json
import secrets
import signal
import stat
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..inference.endpoint import job_dir_from_env, write_endpoint, write_private
from .protocol import MAX_LIMIT, TOKEN_FILE
from .readers import UnreadableRow
from .sources import Catalog
from .values import for_preview, for_training

DEFAULT_PREVIEW = 20


class HttpError(Exception):
    """An answer other than 200, with its message."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def load_token(path: Path) -> str:
    """The token in ``path``; a missing file is created (0600), a readable-by-others one refused."""
    if not path.exists():
        write_private(path, secrets.token_urlsafe(32))
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise SystemExit(f"{path}: the token file must be private (chmod 600), not {mode:o}")
    token = path.read_text().strip()
    if not token:
        raise SystemExit(f"{path}: the token file is empty")
    return token


class DatasetApp:
    """The endpoints, free of HTTP plumbing: (path, query) → JSON-ready answer."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def answer(self, path: str, query: dict[str, str]) -> dict[str, Any]:
        routes = {
            "/datasets": self.list_datasets,
            "/splits": self.splits,
            "/length": self.length,
            "/preview": self.preview,
            "/rows": self.rows,
        }
        route = routes.get(path.rstrip("/") or "/")
        if route is None:
            raise HttpError(404, f"no endpoint {path!r}; see /datasets")
        return route(query)

    def list_datasets(self, query: dict[str, str]) -> dict[str, Any]:
        return {
            "datasets": [
                {"name": d.name, "format": d.format, "splits": list(d.splits)}
                for d in self.catalog.datasets()
            ]
        }

    def _dataset(self, query: dict[str, str]) -> Any:
        name = query.get("dataset")
        if not name:
            raise HttpError(400, "dataset: required (a name from /datasets)")
        try:
            return self.catalog.get(name)
        except KeyError as e:
            raise HttpError(404, str(e.args[0])) from None

    def _split(self, query: dict[str, str]) -> tuple[Any, str, Any]:
        ds = self._dataset(query)
        try:
            reader = ds.split(query.get("split"))
        except KeyError as e:
            raise HttpError(404, str(e.args[0])) from None
        name = next(k for k, v in ds.splits.items() if v is reader)
        return ds, name, reader

    def splits(self, query: dict[str, str]) -> dict[str, Any]:
        ds = self._dataset(query)
        return {
            "dataset": ds.name,
            "splits": [{"name": k, "num_rows": r.length()} for k, r in ds.splits.items()],
        }

    def length(self, query: dict[str, str]) -> dict[str, Any]:
        ds, split, reader = self._split(query)
        return {"dataset": ds.name, "split": split, "num_rows": reader.length()}

    def _page(self, query: dict[str, str], default_limit: int) -> tuple[Any, str, Any, int, int]:
        offset = _int(query, "offset", 0)
        limit = _int(query, "limit", default_limit)
        if limit < 1 or limit > MAX_LIMIT:
            raise HttpError(400, f"limit: between 1 and {MAX_LIMIT}, not {limit}")
        if offset < 0:
            raise HttpError(400, f"offset: 0 or more, not {offset}")
        ds, split, reader = self._split(query)
        return ds, split, reader, offset, limit

    def preview(self, query: dict[str, str]) -> dict[str, Any]:
        ds, split, reader, offset, limit = self._page(query, DEFAULT_PREVIEW)
        rows = reader.rows(offset, limit)
        return {
            "dataset": ds.name,
            "split": split,
            "offset": offset,
            "limit": limit,
            "num_rows": reader.length(),
            "columns": reader.columns(rows),
            "rows": [for_preview(r) for r in rows],
        }

    def rows(self, query: dict[str, str]) -> dict[str, Any]:
        ds, split, reader, offset, limit = self._page(query, MAX_LIMIT)
        rows = reader.rows(offset, limit)
        return {
            "dataset": ds.name,
            "split": split,
            "offset": offset,
            "rows": [for_training(r) for r in rows],
            "next_offset": offset + len(rows) if len(rows) == limit else None,
        }


def _int(query: dict[str, str], key: str, default: int) -> int:
    raw = query.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise HttpError(400, f"{key}: an integer, not {raw[:40]!r}") from None


def make_handler(app: DatasetApp, token: str) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to ``app`` and ``token``."""
    expected = f"Bearer {token}".encode()

    class Handler(BaseHTTPRequestHandler):
        server_version = "forgather-datasets"
        sys_version = ""
        protocol_version = "HTTP/1.1"  # keep-alive: a trainer's batches reuse one connection

        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            try:
                if parts.path.rstrip("/") != "/health":
                    self._check_token()
                    query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
                    body = app.answer(parts.path, query)
                else:
                    body = {"status": "ok"}
                self._send(200, body)
            except HttpError as e:
                self._send(e.status, {"message": e.message})
            except UnreadableRow as e:
                self._send(422, {"message": str(e)})
            except OSError as e:  # a file that vanished or cannot be read
                self._send(503, {"message": f"cannot read the dataset: {e.strerror or e}"})

        def _check_token(self) -> None:
            given = self.headers.get("Authorization")
            if not given:
                raise HttpError(401, "Authorization: Bearer <token> required")
            if not hmac.compare_digest(given.strip().encode(), expected):
                raise HttpError(403, "the token is not this server's")

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, allow_nan=False, default=str).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            if status == 401:
                self.send_header("WWW-Authenticate", 'Bearer realm="forgather-datasets"')
            self.end_headers()
            self.wfile.write(data)

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            # Refusals only: a trainer's thousands of batches would bury the log (and
            # the job's inline progress, which shows its last line). Paths, never headers.
            if str(code).isdigit() and int(code) >= 400:
                sys.stderr.write(f"{self.command} {self.path.split('?')[0]}: {code}\n")

        def log_message(self, format: str, *args: Any) -> None:
            sys.stderr.write(f"{format % args}\n")  # http.server's own errors (bad requests)

    Handler.__name__ = "DatasetHandler"
    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Serve local datasets over HTTP on loopback")
    parser.add_argument("--path", action="append", required=True, help="a file or directory")
    parser.add_argument("--hf-cache", help="a Hugging Face datasets cache to serve as well")
    parser.add_argument("--token-file", help="0600 file holding the bearer token")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)

    job_dir = job_dir_from_env()
    if args.token_file:
        token_file = Path(args.token_file).expanduser()
    elif job_dir is not None:
        token_file = job_dir / TOKEN_FILE
    else:
        parser.error("--token-file is required outside a Forgather Lab job")
    token = load_token(token_file)
    catalog = Catalog(
        [Path(p).expanduser() for p in args.path],
        Path(args.hf_cache).expanduser() if args.hf_cache else None,
    )
    server = ThreadingHTTPServer(("127.0.0.1", args.port), make_handler(DatasetApp(catalog), token))
    server.daemon_threads = True
    url = f"http://127.0.0.1:{server.server_address[1]}"
    if job_dir is not None:
        write_endpoint(job_dir, url, f"{url}/health")
    count = len(catalog.datasets())
    print(f"Dataset server listening on {url}/ ({count} datasets)", flush=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
