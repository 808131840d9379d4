"""The routes a server registers at start: the generated table, and handlers loaded on use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
from server_process import ServerProcess

from forgather_lab.handlers import lazy


def test_the_generated_table_is_current() -> None:
    # python -m forgather_lab.handlers.lazy regenerates it after a route changes.
    assert Path(lazy.__file__).with_name("route_table.py").read_text() == lazy.generate()


async def test_stand_ins_serve_as_their_handlers_and_the_rest_gets_the_json_404(
    api: Any,
) -> None:
    status, health = await api("health")
    assert (status, health["status"]) == (200, "ok")
    status, queued = await api("queue", method="POST", json_body={"job_type": "nope"})
    assert status == 400
    assert "nope" in queued["message"]
    status, unknown = await api("no-such-thing")
    assert status == 404
    assert "/forgather/api/no-such-thing" in unknown["message"]


class _Recording(ServerProcess):
    """Records every answer to the health requests made while it starts."""

    statuses: list[int]

    def _answers(self) -> bool:
        try:
            status = self.get("health").status_code
        except httpx.TransportError:
            return False
        self.statuses.append(status)
        return status == 200


def test_requests_made_while_the_runtime_is_built_wait_for_it(tmp_path: Path) -> None:
    # The server listens before the runtime is built (app.py); the health requests
    # made from the moment it listens answer 200, never a 404, 500 or 503.
    server = _Recording(tmp_path)
    server.statuses = []
    try:
        server.start()
        assert server.statuses[-1] == 200
        assert set(server.statuses) == {200}
        assert server.get("queue").status_code == 200
    finally:
        server.stop()
