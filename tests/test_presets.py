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


async def test_bare_parameters_are_the_body(api: Any) -> None:
    """PUT takes the parameters themselves, as Forgather's own API does."""
    params = {"temperature": 0.5, "top_p": 0.9, "top_k": 40, "stop": ["\n\n"]}
    status, saved = await api("generation-configs", "bare", method="PUT", json_body=params)
    assert status == 200, saved
    assert saved == {"name": "bare", "builtin": False, "params": params}
    _, got = await api("generation-configs", "bare")
    assert got["params"] == params


async def test_wrapped_parameters_store_any_names(api: Any) -> None:
    """The {"params": ...} form still works, and takes a server's own extensions."""
    params = {"temperature": 0.2, "my_server_knob": 3}
    status, saved = await api(
        "generation-configs", "wrapped", method="PUT", json_body={"params": params}
    )
    assert status == 200, saved
    _, got = await api("generation-configs", "wrapped")
    assert got["params"] == params


async def test_bare_body_with_unknown_names_is_400(api: Any) -> None:
    for body in ({"nope": 1}, {"temperature": 1, "params": {"top_p": 0.5}}, {"params": 3}):
        status, reply = await api("generation-configs", "x", method="PUT", json_body=body)
        assert status == 400, (body, reply)
        assert "Unknown generation parameter" in reply["message"], reply
        assert '{"params": {...}}' in reply["message"]
    assert (await api("generation-configs", "x"))[0] == 404
    status, reply = await api("generation-configs", "x", method="PUT", json_body=[1])
    assert status == 400
