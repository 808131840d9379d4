"""The projects services driven directly: typed answers, one noun per service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from projects_tree import make_tree

from forgather_lab.errors import BadRequest
from forgather_lab.models import projects as m
from forgather_lab.projects import JobSpec, ProjectsService, ProjectsSettings
from forgather_lab.store import Database


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ProjectsService]:
    root = (tmp_path / "root").resolve()
    make_tree(root)
    db = Database(tmp_path / "state" / "forgather.db")
    db.open()
    projects = ProjectsService(
        db, ProjectsSettings(root_dir=root, config_roots=[root], seed_examples=False)
    )
    projects.open()
    try:
        yield projects
    finally:
        db.close()


def test_each_noun_answers_its_model(service: ProjectsService) -> None:
    tree = service.catalog.tree()
    assert isinstance(tree, m.ListProjects)
    assert {w.name for w in tree.workspaces} == {"Main WS", "Empty"}
    assert isinstance(service.roots.describe(), m.ListSearchRoots)
    detail = service.catalog.detail("ws/alpha")
    assert isinstance(detail, m.DescribeProject)
    assert detail.configs == ["main.yaml", "sub/other.yaml"]
    out = service.configs.output_dir("ws/alpha", None)
    assert isinstance(out, m.DescribeOutputDir)
    assert out.job is not None
    assert out.job.script is not None
    assert out.job.argv[-3:] == [out.job.script, "--steps", "10"]
    assert out.job.script.endswith("ws/alpha/run.py")
    graph = service.configs.template_graph("ws/alpha", None, "json")
    assert graph.nodes is not None
    assert graph.nodes[0].root
    assert isinstance(service.templates.available("ws/alpha"), m.ListTemplates)
    assert isinstance(service.outputs.models("ws/alpha"), m.ListModels)


def test_resolved_job_round_trips_through_its_stored_form(service: ProjectsService) -> None:
    job = service.resolve_job("ws/alpha", "main.yaml", {"steps": 3})
    assert job == service.configs.resolve_job("ws/alpha", "main.yaml", {"steps": 3})
    stored = job.as_dict()
    assert stored == job.describe().model_dump()
    assert stored["args"] == ["--steps", "3"]
    assert JobSpec.from_resolved(m.ResolvedJob.model_validate(stored)) == job


async def test_run_maps_paths_the_os_refuses_to_a_400(service: ProjectsService) -> None:
    with pytest.raises(BadRequest, match="too long"):
        await service.run(service.catalog.detail, "x" * 5000)
    detail = await service.run(service.catalog.detail, project_dir="ws/alpha")
    assert detail.name == "Alpha"
