"""Generation presets: bundled read-only, user presets shadow them, 403 on a bundled delete."""

from __future__ import annotations

from typing import Any

BUNDLED = {"greedy", "precise", "balanced", "creative", "beam_search", "contrastive"}


async def test_bundled_presets_listed(api: Any) -> None:
    status, body = await api("generation-configs")
    assert status == 200
    names = {p["name"] for p in body["presets"] if p["builtin"]}
    assert names == BUNDLED
    status, greedy = await api("generation-configs", "greedy")
    assert status == 200
    assert greedy["builtin"]
    assert greedy["params"]["do_sample"] is False


async def test_user_preset_shadows_and_delete_restores(api: Any) -> None:
    status, saved = await api(
        "generation-configs", "creative", method="PUT", json_body={"params": {"temperature": 2}}
    )
    assert status == 200
    assert saved["builtin"] is False
    _, body = await api("generation-configs")
    creative = next(p for p in body["presets"] if p["name"] == "creative")
    assert creative == {"name": "creative", "builtin": False, "shadowed": True}
    _, got = await api("generation-configs", "creative")
    assert got["params"] == {"temperature": 2}
    status, deleted = await api("generation-configs", "creative", method="DELETE")
    assert status == 200
    assert deleted["restored_builtin"] is True
    _, got = await api("generation-configs", "creative")
    assert got["builtin"] is True
    assert got["params"]["temperature"] == 1.1


async def test_user_preset_crud(api: Any) -> None:
    body = {"params": {"temperature": 0.5, "top_p": 0.9}}
    assert (await api("generation-configs", "mine", method="PUT", json_body=body))[0] == 200
    _, listed = await api("generation-configs")
    assert {"name": "mine", "builtin": False, "shadowed": False} in listed["presets"]
    assert (await api("generation-configs", "mine", method="DELETE"))[0] == 200
    assert (await api("generation-configs", "mine"))[0] == 404
    assert (await api("generation-configs", "mine", method="DELETE"))[0] == 404


async def test_deleting_bundled_is_403_with_hint(api: Any) -> None:
    status, body = await api("generation-configs", "greedy", method="DELETE")
    assert status == 403
    assert "read-only" in body["message"]
    assert "Save a preset named" in body["message"]


async def test_bad_input(api: Any) -> None:
    status, body = await api(
        "generation-configs", "bad name!", method="PUT", json_body={"params": {}}
    )
    assert status == 400
    assert "Invalid preset name" in body["message"]
    status, body = await api("generation-configs", "x", method="PUT", json_body={"nope": 1})
    assert status == 400
    status, body = await api(
        "generation-configs", "x", method="PUT", json_body={"params": {"a": "b" * 20000}}
    )
    assert status == 400
    assert "bytes" in body["message"]
