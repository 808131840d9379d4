"""MkDocs inside a job: build the site, serve it on loopback port 0, announce the port.

    python -m forgather_lab.docsite.run --config-file mkdocs.yml [--strict] [--no-rebuild]

What ``mkdocs serve`` does (``mkdocs`` extra), with three differences that
let it live behind the server's auth-gated proxy
(``/forgather/api/docsite/{job_id}/``):

- it binds port 0 on loopback (on an engine node, the node's address:
  ``engine_bind_host``) and writes the port it got to the job's
  ``endpoint.json`` (no port is picked, closed and handed over);
- no live-reload script is injected: it polls an absolute ``/livereload/``
  path, which through the proxy would be Jupyter's. The site still rebuilds
  when a file changes (unless ``--no-rebuild``); reloading the tab shows it;
- a redirect to a folder's trailing slash is relative, so it stays under
  the proxy's path.

MkDocs links pages relatively, so the site works under any prefix.
"""

from __future__ import annotations

import argparse
import logging
import posixpath
import shutil
import signal
import sys
import tempfile
import threading
from collections.abc import Callable, Iterable
from typing import Any

from ..inference.endpoint import bind_host, job_dir_from_env, url_host, write_endpoint

# The poll endpoint answers at once for an epoch older than the site's: a
# health URL that does not depend on the site having an index page.
HEALTH_PATH = "/livereload/0/0"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="An MkDocs site as a Forgather Lab job")
    parser.add_argument("--config-file", required=True)
    parser.add_argument("--strict", action="store_true")
    parser.add_argument("--no-rebuild", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stdout)

    # mkdocs ships partial type information; these modules have none.
    from mkdocs.commands.build import build  # type: ignore[import-untyped,unused-ignore]
    from mkdocs.config import load_config  # type: ignore[import-untyped,unused-ignore]
    from mkdocs.livereload import LiveReloadServer  # type: ignore[import-untyped,unused-ignore]

    site_dir = tempfile.mkdtemp(prefix="forgather_docs_")

    def get_config() -> Any:
        # site_url empty: pages link relatively, whatever prefix serves them.
        # --strict only tightens: a site whose mkdocs.yml says strict stays strict.
        strict: dict[str, Any] = {"strict": True} if args.strict else {}
        return load_config(config_file=args.config_file, site_dir=site_dir, site_url="", **strict)

    def builder(config: Any = None) -> None:
        build(config if config is not None else get_config(), dirty=False)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    builder(config)  # a broken site fails the job here, with MkDocs' own message

    class Server(LiveReloadServer):
        """``LiveReloadServer`` without its script, with relative redirects, announcing."""

        def server_activate(self) -> None:
            super().server_activate()
            url = f"http://{url_host(host)}:{self.server_port}"
            job_dir = job_dir_from_env()
            if job_dir is not None:
                write_endpoint(job_dir, url, url + HEALTH_PATH)
            print(f"MkDocs site listening on {url}/", flush=True)

        def _inject_js_into_html(self, content: bytes, epoch: int) -> bytes:
            return content

        def serve_request(
            self, environ: dict[str, Any], start_response: Callable[..., Any]
        ) -> Iterable[bytes]:
            path = str(environ.get("PATH_INFO", ""))

            def relative(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
                if status.startswith("302"):
                    headers = [
                        (k, posixpath.basename(path.rstrip("/")) + "/")
                        if k.lower() == "location" and v.startswith("/") and path != "/"
                        else (k, v)
                        for k, v in headers
                    ]
                return start_response(status, headers, *rest)

            return super().serve_request(environ, relative)

    host = bind_host()  # loopback, unless the job runs on an engine node
    server = Server(builder=builder, host=host, port=0, root=site_dir)
    if not args.no_rebuild:
        for path in [config.docs_dir, config.config_file_path, *config.watch]:
            server.watch(path)

    def stop(*_: object) -> None:
        # shutdown() waits for serve_forever; it must not run on the serving thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        server.serve()  # type: ignore[no-untyped-call]  # mkdocs leaves serve() unannotated
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
