"""The dataset-server registry and its proxy: the registry is the proxy's allow-list.

A real server (pytest-jupyter), a real dataset_server job, and a standalone
``python -m forgather_lab.datasets.server`` started here as a user-added one;
real SQLite underneath (the token must not be in it).
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path
from typing import Any

import pytest
from datasets_helpers import StandaloneServer, build_data, wait_server
from jobs_helpers import wait_for

pytestmark = pytest.mark.timeout(180)


@pytest.fixture
def forgather_config(state_dir: Path, tmp_path: Path) -> dict[str, Any]:
    return {
        "state_dir": str(state_dir),
        "gpu_backend": "simulated",
        "simulated_gpus": 1,
        "dataset_paths": [str(tmp_path / "data")],
    }


@pytest.fixture
def standalone(tmp_path: Path) -> Any:
    data = tmp_path / "elsewhere"
    data.mkdir()
    (data / "notes.jsonl").write_text('{"note": "a"}\n{"note": "b"}\n')
    server = StandaloneServer(data, tmp_path / "standalone.token").start()
    yield server
    server.stop()


def user_rows(state_dir: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(state_dir / "forgather.db") as conn:
        return list(conn.execute("SELECT id, label, url, has_token FROM dataset_servers"))


async def test_add_list_proxy_delete_a_user_server(
    api: Any, standalone: StandaloneServer, state_dir: Path
) -> None:
    token = standalone.token()
    status, added = await api(
        "dataset-servers",
        method="POST",
        json_body={"label": "Elsewhere", "url": standalone.url + "/", "auth_token": token},
    )
    assert status == 201, added
    server_id = added["id"]
    assert added["url"] == standalone.url  # normalised: no trailing slash
    assert added["status"] == "ready"
    assert added["datasets"] == ["notes.jsonl"]
    assert added["source"] == "user"
    assert added["has_token"] is True
    assert token not in str(added)

    # Kept in SQLite without its token; the token in a 0600 file under the state dir.
    assert user_rows(state_dir) == [(server_id, "Elsewhere", standalone.url, 1)]
    assert token.encode() not in (state_dir / "forgather.db").read_bytes()
    token_file = state_dir / "dataset_servers" / f"{server_id}.token"
    assert token_file.read_text() == token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(token_file.parent.stat().st_mode) == 0o700

    status, listing = await api("dataset-servers")
    assert status == 200
    assert [s["id"] for s in listing["servers"]] == [server_id]

    # The proxy reaches it with its token, by id and by a URL under it.
    status, body = await api("dataset-servers", server_id, "proxy", "datasets")
    assert status == 200, body
    assert body["datasets"][0]["name"] == "notes.jsonl"
    status, body = await api(
        "dataset-servers", server_id, "proxy", "rows", params={"dataset": "notes.jsonl"}
    )
    assert status == 200, body
    assert body["rows"] == [{"note": "a"}, {"note": "b"}]
    status, body = await api(
        "dataset-servers", "proxy", params={"url": f"{standalone.url}/length?dataset=notes.jsonl"}
    )
    assert status == 200, body
    assert body["num_rows"] == 2
    # The server's own error comes through as it is.
    status, body = await api("dataset-servers", server_id, "proxy", "rows", params={"limit": 501})
    assert status == 400
    assert "500" in body["message"]

    # The same URL again is a conflict, and stores nothing.
    status, body = await api(
        "dataset-servers", method="POST", json_body={"label": "Again", "url": standalone.url}
    )
    assert status == 409
    assert len(user_rows(state_dir)) == 1

    status, body = await api("dataset-servers", server_id, method="DELETE")
    assert status == 200
    assert body == {"id": server_id, "deleted": True}
    assert user_rows(state_dir) == []
    assert not token_file.exists()
    status, body = await api("dataset-servers", server_id, "proxy", "datasets")
    assert status == 403  # no longer registered
    status, body = await api("dataset-servers", server_id, method="DELETE")
    assert status == 404


async def test_a_wrong_token_is_reported(api: Any, standalone: StandaloneServer) -> None:
    status, added = await api(
        "dataset-servers",
        method="POST",
        json_body={"label": "Wrong", "url": standalone.url, "auth_token": "not-it"},
    )
    assert status == 201
    assert added["status"] == "unauthorized"
    assert added["datasets"] == []
    status, body = await api("dataset-servers", added["id"], "proxy", "datasets")
    assert status == 403  # the server's own refusal, passed on
    assert body["message"] == "the token is not this server's"
    await api("dataset-servers", added["id"], method="DELETE")


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"label": "two\r\nlines", "url": "http://127.0.0.1:9"}, 400, "label"),
        ({"label": "injected\nX-Evil: 1", "url": "http://127.0.0.1:9"}, 400, "label"),
        ({"label": "ok", "url": "http://127.0.0.1:9/\r\nX-Evil: 1"}, 400, "url"),
        ({"label": "ok", "url": "http://127.0.0.1:9", "auth_token": "a\r\nb"}, 400, "auth_token"),
        ({"label": "   ", "url": "http://127.0.0.1:9"}, 400, "label"),
        ({"label": "ok", "url": "file:///etc/passwd"}, 400, "http"),
        ({"label": "ok", "url": "http://user:pw@127.0.0.1:9"}, 400, "credentials"),
        ({"label": "ok", "url": "http://127.0.0.1:9/?x=1"}, 400, "query"),
        ({"label": "ok", "url": "http://127.0.0.1:99999"}, 400, "url"),
        ({"label": "ok", "url": "http://10.0.0.5:8000"}, 403, "loopback"),
        ({"label": "ok", "url": "http://example.com"}, 403, "loopback"),
        ({"label": "ok"}, 400, "url"),
    ],
)
async def test_bad_servers_are_refused_and_nothing_is_stored(
    api: Any, state_dir: Path, body: dict[str, Any], code: int, words: str
) -> None:
    status, reply = await api("dataset-servers", method="POST", json_body=body)
    assert status == code, reply
    assert words in reply["message"]
    assert user_rows(state_dir) == []
    assert list(state_dir.glob("dataset_servers/*")) == []  # no token file either
    status, listing = await api("dataset-servers")
    assert listing["servers"] == []


async def test_the_proxy_reaches_only_registered_servers(
    api: Any, standalone: StandaloneServer, tmp_path: Path
) -> None:
    # The standalone server answers, but nobody registered it: 403, by id and by URL.
    for parts, params in (
        (("dataset-servers", "nope", "proxy", "datasets"), None),
        (("dataset-servers", "proxy"), {"url": f"{standalone.url}/datasets"}),
        (("dataset-servers", "proxy"), {"url": "http://169.254.169.254/latest/meta-data"}),
        (("dataset-servers", "proxy"), {"url": "http://127.0.0.1:9/datasets"}),
    ):
        status, body = await api(*parts, params=params)
        assert status == 403, (parts, params, body)
        assert body["reason"] == "not_registered"

    # A dataset_server job is registered while it runs: reached by id and by URL.
    data = build_data(tmp_path / "data")
    status, job = await api(
        "queue",
        method="POST",
        json_body={"job_type": "dataset_server", "job_params": {"paths": [str(data)]}},
    )
    assert status == 201, job
    try:
        row = await wait_server(api, job["id"])
        assert row["label"] == "data"  # no label given: what it serves
        assert row["proxy_url"].endswith(f"/forgather/api/dataset-servers/{job['id']}/proxy/")
        status, body = await api(
            "dataset-servers", job["id"], "proxy", "splits", params={"dataset": "sonnets"}
        )
        assert status == 200, body
        assert [s["name"] for s in body["splits"]] == ["train", "test"]
        url = row["url"]
        status, body = await api("dataset-servers", "proxy", params={"url": f"{url}/datasets"})
        assert status == 200, body
        # Looking like it is not enough: another port, userinfo, a longer host, dot-dot.
        port = int(url.rsplit(":", 1)[1])
        for fake in (
            f"http://127.0.0.1:{port + 1}/datasets",
            f"http://127.0.0.1:{port}@169.254.169.254/datasets",
            f"http://127.0.0.1.nip.io:{port}/datasets",
            f"https://127.0.0.1:{port}/datasets",
        ):
            status, body = await api("dataset-servers", "proxy", params={"url": fake})
            assert status == 403, (fake, body)
        # A job's server is removed by stopping the job, not by DELETE.
        status, body = await api("dataset-servers", job["id"], method="DELETE")
        assert status == 409
    finally:
        await api("jobs", job["id"], "control", "kill", method="POST")
        await wait_for(api, job["id"], {"aborted", "done", "failed"}, timeout=30)
    status, body = await api("dataset-servers", job["id"], "proxy", "datasets")
    assert status == 403
    status, listing = await api("dataset-servers")
    assert listing["servers"] == []


async def test_registry_needs_jupyter_auth(
    jp_fetch: Any, jp_http_port: int, jp_base_url: str
) -> None:
    import httpx

    async with httpx.AsyncClient() as client:
        base = f"http://127.0.0.1:{jp_http_port}{jp_base_url}forgather/api/dataset-servers"
        assert (await client.get(base)).status_code == 403
        assert (await client.get(base + "/x/proxy/datasets")).status_code == 403
