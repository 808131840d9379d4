"""The shipped example workspace: seeded on first start, renders, and really runs."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from forgather_lab.projects import ProjectsService


@pytest.fixture
def forgather_config(state_dir: Path) -> dict[str, Any]:
    return {"state_dir": str(state_dir)}  # seed_examples defaults to on


@pytest.fixture
def projects(jp_serverapp: Any) -> ProjectsService:
    return jp_serverapp.web_app.settings["forgather_runtime"].projects  # type: ignore[no-any-return]


def _run(projects: ProjectsService, project: str, config: str, **args: Any) -> Path:
    job = projects.resolve_job(project, config, args)
    subprocess.run(job.argv(), cwd=job.cwd, check=True, timeout=120, capture_output=True)
    return job.output_dir


async def test_examples_are_seeded_and_render(api: Any, jp_root_dir: Path) -> None:
    status, roots = await api("search-roots")
    assert roots["search_roots"][0]["lab_path"] == "forgather-examples"
    status, body = await api("projects")
    ws = body["workspaces"][0]
    assert ws["name"] == "Forgather examples"
    by = {p["name"]: p for p in ws["projects"]}
    assert by["Tiny char LM"]["configs"] == ["eval.yaml", "finetune.yaml", "train.yaml"]
    assert by["Hello script"]["configs"] == ["count_words.yaml"]
    for project in by.values():
        for config in project["configs"]:
            for endpoint in ("pp", "meta", "trefs", "output-dir", "dynamic-args"):
                q = {"project_dir": project["lab_path"], "config": config}
                status, reply = await api("config", endpoint, params=q)
                assert status == 200, (config, endpoint, reply)
    q = {"project_dir": "forgather-examples/tiny_char_lm", "config": "finetune.yaml"}
    status, out = await api("config", "output-dir", params=q)
    assert "--init-from-latest" in out["job"]["args"]
    assert out["nproc_per_node"] == 1
    status, graph = await api("config", "trefs", params=q)
    assert {"char_lm.yaml", "base/training_script.yaml", "char_lm_model.yaml"} <= {
        n["id"] for n in graph["nodes"]
    }


async def test_plain_script_job_runs_and_its_outputs_show(
    api: Any, projects: ProjectsService
) -> None:
    out = _run(projects, "forgather-examples/hello_script", "count_words.yaml", steps=5, delay=0)
    status, runs = await api("model", "runs", params={"output_dir": str(out)})
    assert status == 200
    assert len(runs["runs"]) == 1
    run_dir = runs["runs"][0]["path"]
    status, summary = await api("run", "summary", params={"run_dir": run_dir})
    assert summary["total_steps"] == 5
    assert summary["max_steps"] == 5
    status, tty = await api("run", "tty", params={"run_dir": run_dir})
    assert "step 5/5" in tty["text"]
    _, models = await api("project", "models", params={"project_dir": str(out.parent.parent)})
    assert models["models"][0]["counts"]["runs"] == 1


async def test_tiny_lm_trains_checkpoints_and_evaluates(
    api: Any, projects: ProjectsService
) -> None:
    pytest.importorskip("torch")
    project = "forgather-examples/tiny_char_lm"
    out = _run(projects, project, "train.yaml", max_steps=40)
    _run(projects, project, "eval.yaml", sample_chars=20)
    _, ckpts = await api("model", "checkpoints", params={"output_dir": str(out)})
    assert [c["step"] for c in ckpts["checkpoints"]] == [40]
    assert ckpts["checkpoints"][0]["size_bytes"] > 10_000
    _, evals = await api("model", "evaluations", params={"output_dir": str(out)})
    assert evals["evaluations"][0]["results"]["step"] == 40
    _, runs = await api("model", "runs", params={"output_dir": str(out)})
    _, summary = await api("run", "summary", params={"run_dir": runs["runs"][0]["path"]})
    assert summary["total_steps"] == 40
    assert summary["best_loss"] < 4.0
    assert summary["perplexity"] is not None
    _status, cfg = await api("config", "output-dir", params={"project_dir": project})
    assert cfg["exists"]
    assert cfg["counts"] == {"runs": 1, "checkpoints": 1, "evaluations": 1}
