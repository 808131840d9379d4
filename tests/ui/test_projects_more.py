"""Projects beyond browsing: overrides, details, Clean Output, search roots, README images."""

from __future__ import annotations

import json
import shutil
import struct
import time
import zlib
from pathlib import Path
from typing import Any

import pytest

from .conftest import LabServer
from .pages import JupyterLabPage
from .pages_projects import ProjectsApi, ProjectsSection

pytestmark = pytest.mark.ui

HELLO, CHARLM = "Hello script", "Tiny char LM"


def test_edit_overrides_from_menu_and_config_view(page: Any, lab_server: LabServer) -> None:
    api = ProjectsApi(lab_server)
    ref = api.clear_overrides(HELLO, "count_words.yaml")
    projects = ProjectsSection(JupyterLabPage(page, lab_server))
    projects.open()
    projects.expand_project(HELLO)
    row = projects.config_row("count_words.yaml")
    row.click()  # opens the config view
    rendered = projects.config_view.get_by_test_id("forgather-rendered-yaml")
    rendered.get_by_text("steps: 20").wait_for()

    projects.context_menu(row, "Edit Overrides…")
    dialog = projects.dialog
    steps = dialog.get_by_label("steps")
    assert steps.input_value() == "20"
    assert dialog.get_by_label("delay").input_value() == "0.1"
    # A bad value: the server's 400 shows inline and the dialog stays open.
    steps.fill("many")
    dialog.get_by_role("button", name="Save").click()
    error = dialog.get_by_test_id("forgather-overrides-error")
    error.wait_for()
    assert "steps" in error.inner_text()
    projects.lab.screenshot("projects-overrides-error")
    steps.fill("7")
    dialog.get_by_role("button", name="Save").click()
    dialog.wait_for(state="detached")
    rendered.get_by_text("steps: 7").wait_for()
    stored = api.call("GET", "config/overrides", params=ref).json()
    assert stored["values"] == {"steps": 7}

    # The config view's button opens it pre-filled with the stored value; Reset clears it.
    projects.config_view.get_by_role("button", name="Edit Overrides…").click()
    assert dialog.get_by_label("steps").input_value() == "7"
    dialog.get_by_text("overridden").wait_for()
    projects.lab.screenshot("projects-overrides-dialog")
    dialog.get_by_role("button", name="Reset to Defaults").click()
    dialog.wait_for(state="detached")
    rendered.get_by_text("steps: 20").wait_for()
    projects.lab.run_command("Close All Tabs")


def _fake_outputs(output_dir: Path) -> None:
    run = output_dir / "runs" / "run-1"
    run.mkdir(parents=True, exist_ok=True)
    lines = [{"step": s, "loss": 3.0 - s / 100, "max_steps": 200} for s in range(10, 210, 10)]
    lines.append({"step": 200, "eval_loss": 1.5})
    (run / "metrics.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    (run / "tty.log").write_text("starting\nstep 200 loss 1.0000\ntraining done\n")
    pt = output_dir / "checkpoints" / "checkpoint-100"
    pt.mkdir(parents=True, exist_ok=True)
    (pt / "model.pt").write_bytes(b"\0" * 2048)
    (pt / "meta.json").write_text(
        json.dumps({"step": 100, "world_size": 1, "saved_at": time.time()})
    )
    hf = output_dir / "checkpoints" / "checkpoint-200"
    hf.mkdir(parents=True, exist_ok=True)
    (hf / "config.json").write_text("{}")


def test_run_and_checkpoint_details(page: Any, lab_server: LabServer) -> None:
    api = ProjectsApi(lab_server)
    out = Path(api.output_dir(api.project_dir(CHARLM), "train.yaml"))
    _fake_outputs(out)
    try:
        projects = ProjectsSection(JupyterLabPage(page, lab_server))
        projects.open()
        projects.expand_project(CHARLM)
        projects.config_row("train.yaml").click()
        projects.output_group("Runs").click()
        projects.output_row("run-1").click()
        details = page.get_by_test_id("forgather-run-details")
        assert details.get_by_test_id("forgather-fact-best-loss").inner_text() == "1.0000"
        assert details.get_by_test_id("forgather-fact-eval-loss").inner_text() == "1.5000"
        assert details.get_by_test_id("forgather-fact-steps").inner_text() == "200 / 200"
        assert details.get_by_test_id("forgather-fact-perplexity").inner_text() == "4.48"
        details.get_by_test_id("forgather-run-tty").get_by_text("training done").wait_for()
        projects.lab.screenshot("projects-run-details")

        projects.output_group("Checkpoints").click()
        projects.output_row("checkpoint-100").click()
        ckpt = page.get_by_test_id("forgather-checkpoint-details")
        assert ckpt.get_by_test_id("forgather-fact-step").inner_text() == "100"
        assert ckpt.get_by_test_id("forgather-fact-world-size").inner_text() == "1"
        assert "KiB" in ckpt.get_by_test_id("forgather-fact-size").inner_text()
        serve = ckpt.get_by_role("button", name="Serve Inference")
        ckpt.get_by_text("needs a Hugging Face checkpoint").wait_for()
        assert serve.is_disabled()
        assert "Hugging Face" in (serve.get_attribute("title") or "")
        projects.lab.screenshot("projects-checkpoint-details")

        projects.output_row("checkpoint-200").click()
        hf = page.get_by_test_id("forgather-checkpoint-details").filter(has_text="checkpoint-200")
        serve = hf.get_by_role("button", name="Serve Inference")
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=forgather-checkpoint-details]')]"
            ".some(n => n.textContent.includes('checkpoint-200') && "
            "[...n.querySelectorAll('button')]"
            ".some(b => b.textContent === 'Serve Inference' && !b.disabled))"
        )
        assert serve.is_enabled()
        projects.lab.run_command("Close All Tabs")
    finally:
        shutil.rmtree(out, ignore_errors=True)


def test_clean_output_with_typed_confirmation(page: Any, lab_server: LabServer) -> None:
    api = ProjectsApi(lab_server)
    out = Path(api.output_dir(api.project_dir(HELLO), "count_words.yaml"))
    (out / "runs" / "old").mkdir(parents=True, exist_ok=True)
    (out / "runs" / "old" / "tty.log").write_text("old\n")
    projects = ProjectsSection(JupyterLabPage(page, lab_server))
    projects.open()
    projects.expand_project(HELLO)
    row = projects.config_row("count_words.yaml")
    # A wrong name deletes nothing.
    projects.context_menu(row, "Clean Output…")
    projects.dialog.get_by_text(f'Type "{out.name}"').wait_for()
    projects.dialog.locator("input").fill("nope")
    projects.dialog.get_by_role("button", name="Delete").click()
    projects.dialog.get_by_text("nothing was deleted").wait_for()
    projects.dismiss()
    assert out.is_dir()
    projects.context_menu(row, "Clean Output…")
    projects.dialog.locator("input").fill(out.name)
    projects.lab.screenshot("projects-clean-output")
    projects.dialog.get_by_role("button", name="Delete").click()
    projects.dialog.wait_for(state="detached")
    deadline = time.monotonic() + 10
    while out.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not out.exists()
    # Nothing on disk any more: the server-side guard's answer shows, nothing breaks.
    projects.context_menu(row, "Clean Output…")
    projects.dialog.get_by_text("nothing to clean").wait_for()
    projects.dismiss()


def test_search_roots_and_new_workspace(page: Any, lab_server: LabServer) -> None:
    api = ProjectsApi(lab_server)
    extra = lab_server.root_dir / "extra_root"
    projects = ProjectsSection(JupyterLabPage(page, lab_server))
    projects.open()
    projects.header_menu("Add Search Root…")
    projects.dialog.get_by_label("Directory").fill(str(extra))
    projects.dialog.get_by_label("Create it if missing").check()
    projects.dialog.get_by_role("button", name="Add").click()
    projects.dialog.wait_for(state="detached")
    assert extra.is_dir()
    assert any(Path(p) == extra.resolve() for p in api.search_roots())

    projects.header_menu("New Workspace…")
    projects.dialog.get_by_label("Parent (a search root)").select_option(label="extra_root")
    projects.dialog.get_by_label("Name").fill("Scratch space")
    projects.dialog.get_by_label("Description").fill("made from the Lab")
    projects.lab.screenshot("projects-new-workspace")
    projects.dialog.get_by_role("button", name="Create").click()
    projects.dialog.wait_for(state="detached")
    projects.tree.get_by_test_id("forgather-workspace-Scratch space").wait_for()
    projects.lab.screenshot("projects-roots-tree")

    projects.header_menu("Remove Search Root…")
    projects.dialog.get_by_role("combobox", name="Search root").select_option(label="extra_root")
    projects.dialog.get_by_role("button", name="Remove").click()
    projects.dialog.wait_for(state="detached")
    assert all(Path(p) != extra.resolve() for p in api.search_roots())


def _png(width: int, height: int) -> bytes:
    """A small solid PNG, made with the standard library."""
    row = b"\x00" + b"\x30\x80\xd0" * width
    raw = zlib.compress(row * height)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def test_readme_images_use_the_asset_endpoint(page: Any, lab_server: LabServer) -> None:
    api = ProjectsApi(lab_server)
    project = Path(api.project_dir(HELLO))
    readme = project / "README.md"
    original = readme.read_text()
    (project / "docs").mkdir(exist_ok=True)
    (project / "docs" / "logo.png").write_bytes(_png(48, 24))
    readme.write_text(original + "\n![logo](docs/logo.png)\n")
    try:
        projects = ProjectsSection(JupyterLabPage(page, lab_server))
        projects.open()
        projects.expand_project(HELLO)
        projects.config_row("count_words.yaml").click()
        projects.config_view.get_by_role("tab", name="Info").click()
        img = projects.config_view.locator(".jp-forgather-markdown img[alt=logo]")
        img.wait_for()
        src = img.get_attribute("src") or ""
        assert "/forgather/api/project/asset?" in src
        assert "asset=docs%2Flogo.png" in src
        reply = page.request.get(src)
        assert reply.status == 200, reply.text()
        page.wait_for_function(
            "() => { const i = document.querySelector('.jp-forgather-markdown img[alt=logo]');"
            " return i && i.complete && i.naturalWidth > 0; }"
        )
        projects.lab.screenshot("projects-readme-image")
        projects.lab.run_command("Close All Tabs")
    finally:
        readme.write_text(original)
        shutil.rmtree(project / "docs", ignore_errors=True)
