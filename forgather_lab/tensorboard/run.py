"""TensorBoard inside a job: bind 127.0.0.1 port 0, announce the port, serve.

    python -m forgather_lab.tensorboard.run --logdir DIR [--reload-interval S] [--bind-all]

TensorBoard has no authentication, so by default it only listens on loopback
and is reached through the server's auth-gated proxy at
``{base_url}forgather/api/tb/{job_id}/``; it is started with that path as
``--path_prefix`` so the links in its pages resolve through the proxy. The
prefix comes from the job's environment (``FORGATHER_LAB_URL`` and
``FORGATHER_LAB_JOB_ID``), so the job kind does not need to know its own id.

``--bind-all`` (the job's ``bind_all``) makes it listen on every interface
too, with no authentication: anyone who can reach the port reads the
metrics. The announced URL stays ``127.0.0.1``, so the proxy (and the
readiness probe) still only ever reach the job over loopback.

On a Slurm or Ray node (``FORGATHER_LAB_BIND_HOST``, from
``engine_bind_host``) it listens on the node's address instead, since the
server is elsewhere; the server reaches it at the node the engine names,
and only there. Anyone who can reach that address on the cluster network
can read the metrics while it runs (TensorBoard has no authentication).
"""

from __future__ import annotations

import argparse
import os
import signal
import threading
from urllib.parse import unquote, urlparse, urlsplit

from ..inference.endpoint import bind_host, job_dir_from_env, url_host, write_endpoint


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
    parser.add_argument("--bind-all", action="store_true", help="listen on every interface")
    args = parser.parse_args(argv)

    # tensorboard ships no type information.
    from tensorboard import program  # type: ignore[import-untyped]

    host = bind_host()  # loopback, unless the job runs on an engine node
    board = program.TensorBoard()
    board.configure(
        argv=[
            "tensorboard",
            "--logdir",
            args.logdir,
            *(["--bind_all"] if args.bind_all else ["--host", host]),
            "--port",
            "0",
            "--path_prefix",
            path_prefix(dict(os.environ)),
            "--reload_interval",
            str(args.reload_interval),
        ]
    )
    launched = urlsplit(board.launch())  # serves on a background thread
    # With --bind_all it reports the host name; the proxy reaches it over loopback
    # (on an engine node the server puts the node's name in anyway).
    shown = "127.0.0.1" if args.bind_all else url_host(host)
    url = f"http://{shown}:{launched.port}{launched.path}".rstrip("/")
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
