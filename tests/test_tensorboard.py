"""TensorBoard as a job, reached through the auth-gated proxy under /forgather/api/tb/{id}/.

Also its view link (``/forgather/api/tb-view/{id}/{grant}/``) and the
sandboxing policy on every answer; tests/ui/test_tensorboard_ui.py loads it
in Chromium.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from inference_helpers import wait_ready
from jobs_helpers import command, wait_for

from forgather_lab.tensorboard.sandbox import SHIM_SHA256, ViewGrants, inject_shim, is_navigation

pytestmark = pytest.mark.timeout(240)


def write_scalars(run_dir: Path, tag: str = "loss", steps: int = 20) -> None:
    """A TensorBoard event file with one scalar series, written without TensorFlow."""
    # tensorboard ships no type information.
    from tensorboard.compat.proto import event_pb2, summary_pb2  # type: ignore[import-untyped]
    from tensorboard.summary.writer.event_file_writer import (  # type: ignore[import-untyped]
        EventFileWriter,
    )

    run_dir.mkdir(parents=True, exist_ok=True)
    writer = EventFileWriter(str(run_dir))
    for step in range(steps):
        value = summary_pb2.Summary.Value(tag=tag, simple_value=1.0 / (step + 1))
        summary = summary_pb2.Summary(value=[value])
        writer.add_event(event_pb2.Event(wall_time=time.time(), step=step, summary=summary))
    writer.close()


def assert_sandboxed(response: httpx.Response) -> None:
    """The page runs as an opaque origin: sandboxed, never allow-same-origin."""
    csp = response.headers["content-security-policy"]
    assert "sandbox allow-scripts" in csp
    assert "allow-same-origin" not in csp
    assert "default-src 'self'" in csp
    assert "default-src 'none'" not in csp  # the old blank page
    assert f"'sha256-{SHIM_SHA256}'" in csp
    assert "unsafe-inline" not in csp.split("script-src", 1)[1].split(";", 1)[0]
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_tensorboard_through_proxy(
    api: Any, tmp_path: Path, jp_http_port: int, jp_base_url: str, jp_auth_header: dict[str, str]
) -> None:
    logdir = tmp_path / "runs"
    logdir.mkdir()
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "tensorboard", "job_params": {"logdir": str(logdir)}},
    )
    assert status == 201, job
    job_id = job["id"]
    try:
        row = await wait_ready(api, job_id, within=180)
        assert row["proxy_url"] == f"{jp_base_url}forgather/api/tb/{job_id}/"
        # TensorBoard itself only listens on loopback, under the proxy's path.
        assert row["base_url"].startswith("http://127.0.0.1:")
        assert row["base_url"].endswith(f"/forgather/api/tb/{job_id}")

        status, page = await api("tb", job_id, "index.html")
        assert status == 200
        assert "tb-relative-root" in page
        status, env = await api("tb", job_id, "data", "environment")
        assert status == 200
        assert env["data_location"] == str(logdir)
        status, runs = await api("tb", job_id, "data", "runs")
        assert status == 200
        assert runs == []

        view = await _check_view_link(job_id, logdir, jp_http_port, jp_base_url, jp_auth_header)

        # Refused without Jupyter's auth.
        url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/tb/{job_id}/"
        async with httpx.AsyncClient() as client:
            refused = await client.get(url)
            refused_data = await client.get(url + "data/environment")
        async with httpx.AsyncClient() as client:
            bare = await client.get(url.rstrip("/"), headers=jp_auth_header)
        assert bare.status_code == 302
        assert bare.headers["location"].endswith(f"{job_id}/")
        assert refused.status_code == 403
        assert refused_data.status_code == 403
        assert "data_location" not in refused_data.text
    finally:
        await api("jobs", job_id, "control", "kill", method="POST")
        await wait_for(api, job_id, {"aborted", "done", "failed"})
    status, body = await api("tb", job_id, "index.html")
    assert status == 409
    assert "aborted" in body["message"]
    async with httpx.AsyncClient() as client:
        ended = await client.get(view)
    assert ended.status_code == 409


async def test_tensorboard_errors(api: Any, tmp_path: Path) -> None:
    status, body = await api("tb", "nosuchjob", "index.html")
    assert status == 404
    status, job = await api("queue", method="POST", json_body=command("print(1)"))
    status, body = await api("tb", job["id"], "x")
    assert status == 404
    assert "No TensorBoard job" in body["message"]
    status, body = await api(
        "queue",
        method="POST",
        json_body={"job_type": "tensorboard", "job_params": {"logdir": str(tmp_path / "nope")}},
    )
    assert status == 400
    assert "not a directory" in body["message"]


async def _check_view_link(
    job_id: str, logdir: Path, port: int, base_url: str, auth: dict[str, str]
) -> str:
    """A browser's page load is sent to the view link, which works with no Jupyter credential.

    Returns the view link.
    """
    origin = f"http://127.0.0.1:{port}"
    entry = f"{origin}{base_url}forgather/api/tb/{job_id}/"
    async with httpx.AsyncClient(timeout=30) as client:
        # What a script or the CLI gets: the proxied page, sandboxed all the same.
        direct = await client.get(entry, headers=auth)
        assert direct.status_code == 200
        assert "tb-relative-root" in direct.text
        assert_sandboxed(direct)
        # A browser navigating (with Fetch Metadata, or an older one asking for HTML).
        for navigation in ({"Sec-Fetch-Mode": "navigate"}, {"Accept": "text/html,*/*"}):
            sent = await client.get(entry + "?x=1", headers={**auth, **navigation})
            assert sent.status_code == 302, sent.text
            location = sent.headers["location"]
            assert location.startswith(f"{base_url}forgather/api/tb-view/{job_id}/")
            assert location.endswith("/?x=1")
        view = origin + location.removesuffix("?x=1")
        grant = view.rstrip("/").rsplit("/", 1)[1]

        # The view link needs no Jupyter credential, and refuses to be anyone else's.
        page = await client.get(view, headers={"Cookie": "username-x=junk"})
        assert page.status_code == 200
        assert_sandboxed(page)
        assert page.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in page.headers
        assert "set-cookie" not in page.headers
        shim, bundle = page.text.find("<script>(function"), page.text.find('<script src="index.js')
        assert 0 < shim < bundle  # the shim runs before TensorBoard's bundle
        bare = await client.get(view.rstrip("/"))
        assert bare.status_code == 302
        assert bare.headers["location"].endswith(f"{grant}/")
        for bad in (
            view.replace(grant, grant[:-1] + ("A" if grant[-1] != "A" else "B")),
            view.replace(grant, "x"),
            view.replace(f"/{job_id}/", "/otherjob/"),
        ):
            refused = await client.get(bad + "data/environment")
            assert refused.status_code == 403, bad
            assert "data_location" not in refused.text

        # What the opaque page's own requests look like: Origin null, preflighted.
        preflight = await client.options(
            view + "data/runs",
            headers={
                "Origin": "null",
                "Access-Control-Request-Method": "GET",
                "Access-Control-Request-Headers": "x-tensorboard-feature-flags",
            },
        )
        assert preflight.status_code == 204
        assert "x-tensorboard-feature-flags" in preflight.headers["access-control-allow-headers"]
        assert preflight.headers["access-control-allow-origin"] == "*"
        env = await client.get(
            view + "data/environment",
            headers={"Origin": "null", "X-TensorBoard-Feature-Flags": "{}"},
        )
        assert env.status_code == 200
        assert env.json()["data_location"] == str(logdir)
        # TensorBoard's POST data queries carry no XSRF token; the link is enough.
        posted = await client.post(
            view + "experiment/defaultExperimentId/data/plugin/hparams/experiment",
            headers={"Origin": "null", "Content-Type": "application/json"},
            content=b'{"experimentName": "defaultExperimentId"}',
        )
        assert posted.status_code == 200, posted.text

        # Data written while it runs shows through the view link.
        write_scalars(logdir / "run-alpha")
        deadline = time.monotonic() + 60
        runs: list[str] = []
        while time.monotonic() < deadline and runs != ["run-alpha"]:
            runs = (await client.get(view + "data/runs", headers={"Origin": "null"})).json()
            await asyncio.sleep(0.5)
        assert runs == ["run-alpha"]
    return view


def test_sandbox_rules_without_a_server() -> None:
    grants = ViewGrants(b"k" * 32)
    grant = grants.issue("abc")
    assert grants.check("abc", grant)
    assert not grants.check("abd", grant)
    assert not grants.check("abc", grant[:-1])
    assert not grants.check("abc", "é")
    assert not ViewGrants(b"j" * 32).check("abc", grant)  # another server's key
    with pytest.raises(ValueError, match="16 bytes"):
        ViewGrants(b"short")
    assert inject_shim(b"<html><head></head><body><script src=a.js></script>").index(
        b"<script>"
    ) < inject_shim(b"<html><head></head><body><script src=a.js></script>").index(b"a.js")
    assert inject_shim(b"<html><HEAD lang=x><title>t</title>").startswith(
        b"<html><HEAD lang=x><script>"
    )
    assert inject_shim(b"plain").endswith(b"</script>plain")
    assert is_navigation({"Sec-Fetch-Mode": "navigate"})
    assert not is_navigation({"Sec-Fetch-Mode": "cors", "Accept": "text/html"})
    assert is_navigation({"Accept": "text/html,application/xhtml+xml"})
    assert not is_navigation({"Accept": "*/*"})
