"""The ``docs`` kind: a tiny MkDocs project served as a job, through the auth-gated proxy.

Real ``mkdocs`` in a real job process; the site listens on loopback only and
is reached under ``/forgather/api/docsite/{id}/`` (Jupyter's auth) or its view
link, sandboxed like TensorBoard.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from inference_helpers import wait_ready
from jobs_helpers import wait_for
from projects_tree import write

pytestmark = pytest.mark.timeout(120)


def make_site(root: Path) -> Path:
    """A two-page MkDocs project; returns its mkdocs.yml."""
    write(root / "docs" / "index.md", "# Hello docs\n\nSee [the page](sub/page.md).\n")
    write(root / "docs" / "sub" / "page.md", "# A sub page\n\nDeep text.\n")
    return write(root / "mkdocs.yml", "site_name: Tiny Docs\nnav:\n  - index.md\n  - sub/page.md\n")


def assert_sandboxed(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert csp.startswith("sandbox allow-scripts")
    assert "allow-same-origin" not in csp
    assert response.headers["referrer-policy"] == "no-referrer"


def listening_ips(pid: int) -> set[str]:
    """Addresses the job's processes listen on."""
    procs = [psutil.Process(pid), *psutil.Process(pid).children(recursive=True)]
    return {
        c.laddr.ip
        for p in procs
        for c in p.net_connections(kind="inet")
        if c.status == psutil.CONN_LISTEN
    }


async def test_docs_site_through_the_proxy(
    api: Any, jp_root_dir: Path, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    project = Path(jp_root_dir).resolve() / "site"
    make_site(project)
    status, job = await api(
        "queue",
        method="POST",
        json_body={
            "job_type": "docs",
            "project_dir": str(project),
            "job_params": {"config_file": "mkdocs.yml"},
        },
    )
    assert status == 201, job
    assert job["requested_gpus"] == 0
    assert job["params"]["config_file"] == str(project / "mkdocs.yml")
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id, within=90)
        assert row["job_type"] == "docs"
        assert row["proxy_url"] == f"{jp_base_url}forgather/api/docsite/{job_id}/"
        assert row["base_url"].startswith("http://127.0.0.1:")
        _, running = await api("jobs", job_id)
        assert listening_ips(running["pid"]) == {"127.0.0.1"}  # loopback only

        status, page = await api("docsite", f"{job_id}/")
        assert status == 200
        assert "Hello docs" in page
        assert "livereload" not in page  # its poller would reach Jupyter's origin
        status, sub = await api("docsite", job_id, "sub", "page/")
        assert status == 200
        assert "Deep text" in sub

        origin = f"http://127.0.0.1:{jp_http_port}"
        entry = f"{origin}{jp_base_url}forgather/api/docsite/{job_id}/"
        async with httpx.AsyncClient(timeout=30) as client:
            direct = await client.get(entry, headers=jp_auth_header)
            assert direct.status_code == 200
            assert_sandboxed(direct)
            # A folder without its slash: a relative redirect, so it stays under the proxy.
            folder = await client.get(entry + "sub/page", headers=jp_auth_header)
            assert folder.status_code == 302
            assert folder.headers["location"] == "page/"
            # A browser's page load (a Lab tab's frame) goes to the view link.
            nav = await client.get(entry, headers={**jp_auth_header, "Sec-Fetch-Mode": "navigate"})
            assert nav.status_code == 302
            location = nav.headers["location"]
            assert location.startswith(f"{jp_base_url}forgather/api/docsite-view/{job_id}/")
            view = origin + location
            page_view = await client.get(view)  # no Jupyter credential: the link is one
            assert page_view.status_code == 200
            assert "Hello docs" in page_view.text
            assert_sandboxed(page_view)
            assert "<script>(function" in page_view.text  # the storage shim, inlined
            grant = view.rstrip("/").rsplit("/", 1)[1]
            forged = await client.get(view.replace(grant, "x" * len(grant)))
            assert forged.status_code == 403
            assert "Hello docs" not in forged.text
            # A TensorBoard link of the same job opens nothing here (its own grant label).
            tb_view = view.replace("/docsite-view/", "/tb-view/")
            assert (await client.get(tb_view)).status_code in (403, 404)

        # Without Jupyter's auth (a fresh client: Jupyter set a login cookie on the one above):
        # refused, 403 for a script, the login page for a browser.
        async with httpx.AsyncClient(timeout=30) as client:
            refused = await client.get(entry)
            assert refused.status_code in (302, 403)
            assert "Hello docs" not in refused.text
            browser = await client.get(entry, headers={"Sec-Fetch-Mode": "navigate"})
            assert browser.status_code in (302, 403)
            if browser.status_code == 302:
                assert "docsite-view" not in browser.headers["location"]
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"})
    status, ended = await api("docsite", f"{job_id}/")
    assert status == 409
    assert "aborted" in ended["message"]


async def test_docs_bad_input(api: Any, jp_root_dir: Path) -> None:
    root = Path(jp_root_dir).resolve()
    for params, words in (
        ({}, "config_file"),
        ({"config_file": str(root / "nope.yml")}, "is not a file"),
        ({"config_file": str(root)}, "is not a file"),
        ({"config_file": "a\0b"}, "NUL"),
        ({"config_file": "x.yml", "extra": 1}, "extra"),
    ):
        status, body = await api(
            "queue", method="POST", json_body={"job_type": "docs", "job_params": params}
        )
        assert status == 400, (params, body)
        assert words in body["message"], body
    write(root / "notes.txt", "hi")
    status, body = await api(
        "queue",
        method="POST",
        json_body={"job_type": "docs", "job_params": {"config_file": str(root / "notes.txt")}},
    )
    assert status == 400
    assert "not a YAML file" in body["message"]
    status, body = await api("docsite", "nosuchjob/")
    assert status == 404
    assert "No Docs job" in body["message"]


async def test_broken_site_fails_the_job(api: Any, jp_root_dir: Path) -> None:
    root = Path(jp_root_dir).resolve() / "broken"
    config = write(root / "mkdocs.yml", "site_name: Broken\ndocs_dir: missing\n")
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "docs", "job_params": {"config_file": str(config)}},
    )
    assert status == 201, job
    ended = await wait_for(api, job["id"], {"failed", "done"}, timeout=60)
    assert ended["status"] == "failed"
