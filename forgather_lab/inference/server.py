"""An OpenAI-compatible inference server for a local checkpoint.

    python -m forgather_lab.inference.server --model DIR [--host 127.0.0.1] [--port 0]

Serves ``/v1/models``, ``/v1/completions`` and ``/v1/chat/completions``
(``stream: true`` answers Server-Sent Events, one event per token) behind a
bearer token, and ``/health`` (also ``/v1/health``) open so readiness can be
probed before the model has loaded. The token comes from ``--token-file``; a
job started by Forgather Lab creates ``<job_dir>/inference_token`` (0600)
itself; standalone, a token is generated and printed on stderr unless
``--no-auth``. The token is never taken from argv.

It binds port 0 by default and reports the port it got: on stdout, and in
``<job_dir>/endpoint.json`` for the supervisor. Standard library HTTP (one
thread per connection) keeps the extra's dependencies to torch + transformers.
"""

from __future__ import annotations

import argparse
import hmac
import json
import signal
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from .endpoint import bind_host, job_dir_from_env, new_upstream_token, url_host, write_endpoint

MAX_BODY = 8 * 1024 * 1024


class State:
    """What every request handler shares."""

    engine: Any = None  # Engine once loaded; /health says "loading" until then
    model_name: str = "model"
    token: str | None = None
    error: str | None = None


class Handler(BaseHTTPRequestHandler):
    """One connection; ``state`` is set on the class by ``serve``."""

    protocol_version = "HTTP/1.1"
    server_version = "forgather-inference"
    state: State

    def log_message(self, format: str, *args: Any) -> None:
        sys.stderr.write(f"{self.address_string()} {format % args}\n")

    # -- routing ------------------------------------------------------------

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if path in ("/health", "/v1/health"):
            self._health()
        elif not self._authorized():
            return
        elif path == "/v1/models":
            self._json(200, {"object": "list", "data": [self._model_card()]})
        else:
            self._error(404, f"no such endpoint: GET {path}", "not_found")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0].rstrip("/")
        if not self._authorized():
            return
        if path not in ("/v1/completions", "/v1/chat/completions"):
            self._error(404, f"no such endpoint: POST {path}", "not_found")
            return
        body = self._body()
        if body is None:
            return
        if self.state.engine is None:
            self._error(503, self.state.error or "the model is still loading", "unavailable")
            return
        from .engine import GenerationFailed, RequestError

        try:
            if path == "/v1/completions":
                prompt = body.get("prompt", "")
                if isinstance(prompt, list):
                    if len(prompt) != 1:
                        raise RequestError("prompt: give one prompt per request")
                    prompt = prompt[0]
                self._generate(str(prompt), body, chat=False)
            else:
                messages = body.get("messages")
                if not isinstance(messages, list) or not all(
                    isinstance(m, dict) and "role" in m for m in messages
                ):
                    raise RequestError("messages: a list of {role, content} objects is required")
                self._generate(self.state.engine.chat_prompt(messages), body, chat=True)
        except RequestError as e:
            self._error(400, str(e), "invalid_request_error")
        except GenerationFailed as e:
            self._error(500, str(e), "server_error")

    # -- endpoints ----------------------------------------------------------

    def _health(self) -> None:
        if self.state.error:
            self._json(503, {"status": "error", "message": self.state.error})
        elif self.state.engine is None:
            self._json(503, {"status": "loading"})
        else:
            self._json(200, {"status": "ok", "model": self.state.model_name})

    def _model_card(self) -> dict[str, Any]:
        return {"id": self.state.model_name, "object": "model", "owned_by": "forgather-lab"}

    def _generate(self, prompt: str, body: dict[str, Any], chat: bool) -> None:
        engine = self.state.engine
        from .engine import Result

        rid = ("chatcmpl-" if chat else "cmpl-") + uuid.uuid4().hex[:24]
        base = {
            "id": rid,
            "object": "chat.completion" if chat else "text_completion",
            "created": int(time.time()),
            "model": self.state.model_name,
        }
        if not body.get("stream"):
            result = engine.generate(prompt, body)
            choice: dict[str, Any] = {"index": 0, "finish_reason": result.finish_reason}
            if chat:
                choice["message"] = {"role": "assistant", "content": result.text}
            else:
                choice["text"] = result.text
            self._json(200, {**base, "choices": [choice], "usage": _usage(result)})
            return
        # Beam search is generated whole by the engine, then sent token by token.
        cancel = threading.Event()
        pieces = engine.stream(prompt, body, cancel)
        first = next(pieces)  # parameter errors surface here, before the 200
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        kind = "chat.completion.chunk" if chat else "text_completion"
        usage = (body.get("stream_options") or {}).get("include_usage")
        try:
            if chat:
                self._event({**base, "object": kind, "choices": [_delta({"role": "assistant"})]})
            piece: str | Result = first
            while True:
                if isinstance(piece, Result):
                    last = _delta({}, piece.finish_reason) if chat else _text("", piece)
                    self._event({**base, "object": kind, "choices": [last]})
                    if usage:
                        self._event({**base, "object": kind, "choices": [], "usage": _usage(piece)})
                    break
                choice = _delta({"content": piece}) if chat else _text(piece, None)
                self._event({**base, "object": kind, "choices": [choice]})
                piece = next(pieces)
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError):
            cancel.set()  # the client went away: stop generating for nobody
            for _ in pieces:
                pass
            self.close_connection = True

    # -- plumbing -----------------------------------------------------------

    def _authorized(self) -> bool:
        token = self.state.token
        if token is None:
            return True
        given = self.headers.get("Authorization", "")
        scheme, _, value = given.partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token):
            return True
        self._error(401, "a valid bearer token is required", "invalid_api_key")
        return False

    def _body(self) -> dict[str, Any] | None:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            self._error(413, "request body too large", "invalid_request_error")
            return None
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            self._error(400, "the body is not valid JSON", "invalid_request_error")
            return None
        if not isinstance(data, dict):
            self._error(400, "the body must be a JSON object", "invalid_request_error")
            return None
        return data

    def _json(self, status: int, payload: dict[str, Any]) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, message: str, kind: str) -> None:
        self._json(status, {"error": {"message": message, "type": kind, "code": status}})

    def _event(self, payload: dict[str, Any]) -> None:
        self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

    def _chunk(self, data: bytes) -> None:
        # One HTTP chunk per event, flushed at once: no buffering between tokens.
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()


def _delta(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"index": 0, "delta": delta, "finish_reason": finish}


def _text(text: str, result: Any) -> dict[str, Any]:
    return {"index": 0, "text": text, "finish_reason": result.finish_reason if result else None}


def _usage(result: Any) -> dict[str, int]:
    return {
        "prompt_tokens": result.prompt_tokens,
        "completion_tokens": result.completion_tokens,
        "total_tokens": result.prompt_tokens + result.completion_tokens,
    }


def _resolve_token(args: argparse.Namespace) -> str | None:
    if args.no_auth:
        return None
    if args.token_file:
        return Path(args.token_file).read_text().strip()
    job_dir = job_dir_from_env()
    if job_dir is not None:  # started as a Forgather Lab job: the proxy reads this file
        return new_upstream_token(job_dir).read_text().strip()
    import secrets

    token = secrets.token_urlsafe(32)
    print(f"inference token (standalone, not a job): {token}", file=sys.stderr)
    return token


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a transformers checkpoint directory")
    parser.add_argument("--model-name", help="the id /v1/models reports (default: dir name)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 = any free port (reported)")
    parser.add_argument("--device", default="auto", help="auto | cpu | cuda | cuda:N")
    parser.add_argument("--dtype", default="auto", help="auto | float32 | float16 | bfloat16")
    parser.add_argument("--token-file", help="file holding the bearer token")
    parser.add_argument("--no-auth", action="store_true", help="serve without a token")
    args = parser.parse_args(argv)

    state = State()
    state.model_name = args.model_name or Path(args.model).resolve().name
    state.token = _resolve_token(args)
    handler = type("BoundHandler", (Handler,), {"state": state})
    # On an engine node a loopback default gives way to the node's address (the token holds).
    loopback = args.host in ("127.0.0.1", "::1", "localhost")
    listen = bind_host(args.host) if loopback else args.host
    httpd = ThreadingHTTPServer((listen, args.port), handler)
    httpd.daemon_threads = True
    bound, port = httpd.server_address[:2]
    host = bound.decode() if isinstance(bound, bytes | bytearray) else bound
    url = f"http://{url_host(host)}:{port}"
    # Report the port before loading: /health answers "loading" meanwhile.
    job_dir = job_dir_from_env()
    if job_dir is not None:
        write_endpoint(job_dir, f"{url}/v1", f"{url}/health", model=state.model_name)
    print(f"Forgather inference server listening on {url}/v1", flush=True)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=httpd.shutdown).start())
    threading.Thread(target=_load, args=(state, args), daemon=True).start()
    httpd.serve_forever()
    httpd.server_close()


def _load(state: State, args: argparse.Namespace) -> None:
    try:
        from .engine import Engine

        started = time.monotonic()
        state.engine = Engine(args.model, args.device, args.dtype)
        print(
            f"model {state.model_name} loaded on {state.engine.device} "
            f"in {time.monotonic() - started:.1f}s",
            flush=True,
        )
    except Exception as e:  # reported on /health; the job log has the traceback
        state.error = f"could not load {args.model}: {e}"
        import traceback

        traceback.print_exc()


if __name__ == "__main__":
    main()
