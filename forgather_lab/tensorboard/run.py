"""TensorBoard inside a job: bind 127.0.0.1 port 0, announce the port, serve.

    python -m forgather_lab.tensorboard.run --logdir DIR [--reload-interval S]

TensorBoard has no authentication, so it only listens on loopback and is
reached through the server's auth-gated proxy at
``{base_url}forgather/api/tb/{job_id}/``; it is started with that path as
``--path_prefix`` so the links in its pages resolve through the proxy. The
prefix comes from the job's environment (``FORGATHER_LAB_URL`` and
``FORGATHER_LAB_JOB_ID``), so the job kind does not need to know its own id.
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from urllib.parse import unquote, urlparse

from ..inference.endpoint import job_dir_from_env, write_endpoint


def path_prefix(env: dict[str, str]) -> str:
    """The URL path TensorBoard is served under through the proxy."""
    # Decoded: TensorBoard compares the prefix with the decoded request path
    # (a Jupyter base_url like /user/a%40b/ arrives as /user/a@b/).
    base = unquote(urlparse(env.get("FORGATHER_LAB_URL", "")).path).rstrip("/")
    return f"{base}/forgather/api/tb/{env.get('FORGATHER_LAB_JOB_ID', 'standalone')}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="TensorBoard as a Forgather Lab job")
    parser.add_argument("--logdir", required=True)
    parser.add_argument("--reload-interval", type=float, default=5.0)
    args = parser.parse_args(argv)

    # tensorboard ships no type information.
    from tensorboard import program  # type: ignore[import-untyped]

    board = program.TensorBoard()
    board.configure(
        argv=[
            "tensorboard",
            "--logdir",
            args.logdir,
            "--host",
            "127.0.0.1",
            "--port",
            "0",
            "--path_prefix",
            path_prefix(dict(os.environ)),
            "--reload_interval",
            str(args.reload_interval),
        ]
    )
    url = board.launch().rstrip("/")  # serves on a background thread
    job_dir = job_dir_from_env()
    if job_dir is not None:
        write_endpoint(job_dir, url, f"{url}/data/environment")
    print(f"TensorBoard listening on {url}/", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, lambda *_: done.set())
    done.wait()


if __name__ == "__main__":
    main()
