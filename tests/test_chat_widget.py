"""``ChatWidget``'s Python side: traits, validation and its part of the shared front end."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import traitlets

from forgather_lab.widgets import ChatWidget, GpuDashboard
from forgather_lab.widgets._live import STATIC

SOURCES = Path(__file__).resolve().parents[1] / "labextension" / "src"


def test_traits_reach_the_front_end() -> None:
    state = ChatWidget("job-1", system="Be brief.", preset="greedy").get_state()
    assert state["_view"] == "chat"
    assert (state["job_id"], state["system"], state["preset"]) == ("job-1", "Be brief.", "greedy")
    assert state["base"] == ""
    assert state["max_tokens"] == 256
    assert re.search(r"export\s*(default\b|\{[^}]*\bas default\s*\})", state["_esm"])
    assert ".fg-chat-log" in state["_css"]
    assert ".forgather-widget" in state["_css"]  # the shared styles too


def test_base_url_instead_of_a_job() -> None:
    w = ChatWidget(base="http://127.0.0.1:8137/v1/")
    assert (w.job_id, w.base) == ("", "http://127.0.0.1:8137/v1")
    assert ChatWidget().job_id == ""  # no job: the widget offers the running servers


@pytest.mark.parametrize("base", ["ftp://host/v1", "127.0.0.1:8000", "http://"])
def test_bad_base_is_refused(base: str) -> None:
    with pytest.raises(ValueError, match="http\\(s\\) URL"):
        ChatWidget(base=base)
    w = ChatWidget()
    with pytest.raises(traitlets.TraitError, match="http\\(s\\) URL"):
        w.base = base


def test_job_and_base_are_exclusive_and_max_tokens_bounded() -> None:
    with pytest.raises(ValueError, match="not both"):
        ChatWidget("job-1", base="http://127.0.0.1:1/v1")
    w = ChatWidget("job-1")
    w.max_tokens = 64
    assert w.max_tokens == 64
    for bad in (0, 100000):
        with pytest.raises(traitlets.TraitError, match="max_tokens"):
            w.max_tokens = bad


def test_front_end_has_the_chat_view() -> None:
    js = (STATIC / "forgather.js").read_text()
    assert "chat: renderChat" in (SOURCES / "widgets" / "index.ts").read_text()
    for endpoint in ("inference/servers", "generation-configs", "inference/chat/completions"):
        assert endpoint in js
    assert "query: { base }" in (SOURCES / "client" / "inference.ts").read_text()  # ?base=
    assert "AbortController" in js  # stop, and cleanup when the output is cleared
    session = (SOURCES / "widgets" / "chatSession.ts").read_text()
    assert "stream: true" in session
    assert "this._abort?.abort()" in session  # stop() and dispose()
    assert "life.own(" in (SOURCES / "widgets" / "chat.ts").read_text()  # disposed with the view
    # One module for every view: the chat widget loads the same front end.
    assert ChatWidget().get_state()["_esm"] == GpuDashboard().get_state()["_esm"]


def test_front_end_is_valid_javascript() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    src = (STATIC / "forgather.js").read_text()
    r = subprocess.run(
        [node, "--input-type=module", "--check"], input=src, capture_output=True, text=True
    )
    assert r.returncode == 0, r.stderr
