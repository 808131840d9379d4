"""A stdlib OpenAI-style SSE server that emits tokens at a fixed gap (bench_proxy --fake-gap-ms).

    python -m benchmarks.sse_upstream PORT TOKEN_FILE GAP_MS

A model's own timing varies from reply to reply by more than the proxy costs,
so the proxy's share drowns in it; with a clock instead of a model, what the
proxy adds is what is left. It answers as the real server does (one HTTP
chunk per event, written and flushed at once, Nagle left on, a thread per
connection) and wants the job's bearer token, so the proxy's token lookup
is measured too. It runs as an inference job's ``command`` (it needs no torch).
"""

from __future__ import annotations

import hmac
import json
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKENS = 48


def serve(port: int, token: str, gap: float) -> None:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            self._json({"status": "ok", "model": "clock"})

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            given = self.headers.get("Authorization", "")
            if not hmac.compare_digest(given, f"Bearer {token}"):
                self._json({"error": "a valid bearer token is required"}, 401)
                return
            time.sleep(gap)  # the first token takes one gap too, like a prefill would
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            base = {"id": "chatcmpl-clock", "object": "chat.completion.chunk", "model": "clock"}
            self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
            for i in range(TOKENS):
                if i:
                    time.sleep(gap)
                delta = {"index": 0, "delta": {"content": f" t{i}"}, "finish_reason": None}
                self._event({**base, "choices": [delta]})
            self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "length"}]})
            self._chunk(b"data: [DONE]\n\n")
            self._chunk(b"")

        def _json(self, payload: dict[str, object], status: int = 200) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _event(self, payload: dict[str, object]) -> None:
            self._chunk(b"data: " + json.dumps(payload).encode() + b"\n\n")

        def _chunk(self, data: bytes) -> None:
            self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
            self.wfile.flush()

    ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()


if __name__ == "__main__":
    port, token_file, gap_ms = sys.argv[1:4]
    with open(token_file) as f:
        secret = f.read().strip()
    serve(int(port), secret, float(gap_ms) / 1000)
