"""docs/quickstart.md, walked as a newcomer walks it, in Chromium.

From the Forgather panel: Run… on the tiny Llama's train.yaml (a short run via
its dynamic args), the loss curve drawn while it trains, the run ending, then
Serve Inference on its last checkpoint in the Projects tree, and the chat
panel, opened when the server is ready, answering. The screenshots the
quickstart shows are taken on the way (``FORGATHER_DOCS_SCREENSHOTS=1`` also
refreshes docs/images/).
"""

from __future__ import annotations

from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_jobs import ForgatherApi
from .pages_quickstart import Quickstart, docs_mode, shoot

pytestmark = [pytest.mark.ui, pytest.mark.timeout(420)]

NAME = "tiny-llama-quickstart"


def test_train_watch_and_chat(page: Any, lab_server: LabServer) -> None:
    pytest.importorskip("transformers")
    api = ForgatherApi(lab_server)
    lab = JupyterLabPage(page, lab_server)
    quick = Quickstart(lab)
    quick.open()

    # The docs' pictures come from the config's defaults (600 steps, about two
    # minutes); an ordinary run trains a tenth of that.
    steps = 600 if docs_mode() else 60
    form = quick.run_config("train.yaml")
    if not docs_mode():
        form.set("max_steps", steps)
        form.set("save_every", steps // 2)
    form.set("Name", NAME)
    form.scroll_to_top()
    shoot(lab, "run-form")
    form.submit()

    view = quick.watch(NAME)
    quick.loss_curve(view).wait_for(timeout=90_000)
    view.wait_for_log_text(f"step {steps // 3}/{steps}", timeout=120_000)
    shoot(lab, "training")
    view.status("done").wait_for(timeout=180_000)
    view.wait_for_log_text("sample:")
    shoot(lab, "trained")

    inference_id = None
    try:
        last = quick.last_checkpoint("train.yaml")
        row = quick.checkpoint_row("train.yaml", last)
        menu = quick.open_menu(row)
        serve = menu.get_by_role("menuitem", name="Serve Inference")
        serve.wait_for()
        shoot(lab, "serve-menu")
        serve.click()

        # The chat opens by itself once the server answers.
        quick.chat.wait_for(state="visible", timeout=180_000)
        jobs = api.call("GET", "jobs?status=running")["jobs"]
        inference_id = next(j["id"] for j in jobs if j["name"] == f"inference: {last}")
        quick.send("Shall I compare thee")
        reply = quick.reply()
        reply.locator(".jp-RenderedMarkdown").wait_for(timeout=90_000)
        page.get_by_role("button", name="Send").wait_for()  # Stop turned back into Send
        text = reply.inner_text().strip()
        assert text, "the reply stayed empty"
        assert text not in ("assistant\n…", "…"), text
        shoot(lab, "chat")
    finally:
        if inference_id is not None:
            quick.kill(inference_id)
        lab.run_command("Close All Tabs")
