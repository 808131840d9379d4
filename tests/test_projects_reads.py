"""Files inside a project or a run never lead a read outside the search roots.

Closes the probe's "reads outside the roots through files inside a project
or run": a symlinked ``README.md``, ``tty.log`` (to ``/proc/self/environ``),
``metrics.jsonl``, ``meta.json``, ``results.json``, ``meta.yaml`` and
``workspace.yaml`` were followed, and ``template_paths: ["/"]`` walked the
whole filesystem. Each reader now goes through ``reads.open_inside``, and
template paths are checked when ``meta.yaml`` / ``workspace.yaml`` load.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from projects_tree import make_tree, open_service, write

from forgather_lab.errors import ForgatherError
from forgather_lab.projects import ProjectsService, reads

SECRET = "s3cr3t-planted-outside-0xC0FFEE"


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    root = (tmp_path / "root").resolve()
    tree = make_tree(root)
    outside = (tmp_path / "outside").resolve()
    write(outside / "secret.md", f"# {SECRET}\n\n{SECRET} paragraph\n")
    write(outside / "secret.yaml", f"name: {SECRET}\ndescription: {SECRET}\n")
    write(outside / "secret.json", json.dumps({"step": 7, "saved_at": SECRET, "x": SECRET}))
    write(outside / "metrics.jsonl", json.dumps({"step": 424242, "loss": 0.31337}) + "\n")
    (outside / "runs" / f"run-{SECRET}").mkdir(parents=True)
    out = tree["alpha"] / "output_models" / "main"
    for d in ("runs/r1", "checkpoints/step-5", "evaluations/e1"):
        (out / d).mkdir(parents=True)
    service, db = open_service(root, tmp_path / "state" / "forgather.db")
    try:
        yield {"service": service, "root": root, "outside": outside, "out": out, **tree}
    finally:
        db.close()


def refused(fn: Any, *args: Any, status: int = 403) -> ForgatherError:
    with pytest.raises(ForgatherError) as info:
        fn(*args)
    assert info.value.status == status, info.value.message
    assert SECRET not in info.value.message
    return info.value


def link(target: Path | str, at: Path) -> None:
    at.parent.mkdir(parents=True, exist_ok=True)
    if at.exists() or at.is_symlink():
        at.unlink()
    os.symlink(target, at)


# -- README, tty.log, metrics.jsonl: a 403 ---------------------------------------


def _targets(env: dict[str, Any], name: str, link_dir: Path) -> list[Path | str]:
    outside: Path = env["outside"]
    rel = os.path.relpath(outside / name, link_dir)
    return [outside / name, rel, "/proc/self/environ", outside]  # absolute, relative, /proc, a dir


@pytest.mark.parametrize("case", range(4))
def test_readme_links_leading_outside_are_refused(env: dict[str, Any], case: int) -> None:
    alpha: Path = env["alpha"]
    link(_targets(env, "secret.md", alpha)[case], alpha / "README.md")
    service: ProjectsService = env["service"]
    assert service.catalog.detail(str(alpha)).has_readme is False  # none worth a tab
    if case == 3:  # a README that is a directory is no README
        assert service.catalog.readme(str(alpha)).markdown == ""
        return
    refused(service.catalog.readme, str(alpha))


@pytest.mark.parametrize("case", range(4))
def test_run_tty_links_leading_outside_are_refused(env: dict[str, Any], case: int) -> None:
    run = env["out"] / "runs" / "r1"
    link(_targets(env, "secret.md", run)[case], run / "tty.log")
    service: ProjectsService = env["service"]
    refused(service.outputs.run_tty, str(run), status=404 if case == 3 else 403)
    listed = service.outputs.runs(str(env["out"])).runs
    assert [r.has_tty for r in listed if r.name == "r1"] == [False]


@pytest.mark.parametrize("case", range(3))
def test_run_summary_links_leading_outside_are_refused(env: dict[str, Any], case: int) -> None:
    run = env["out"] / "runs" / "r1"
    link(_targets(env, "metrics.jsonl", run)[case], run / "metrics.jsonl")
    refused(env["service"].outputs.run_summary, str(run))


def test_links_that_stay_inside_are_followed(env: dict[str, Any]) -> None:
    alpha: Path = env["alpha"]
    service: ProjectsService = env["service"]
    run = env["out"] / "runs" / "r1"
    write(env["root"] / "shared" / "README.md", "# Shared\n")
    write(env["root"] / "shared" / "tty.log", "hello\n")
    write(env["root"] / "shared" / "metrics.jsonl", '{"step": 3, "loss": 1.5}\n')
    link(env["root"] / "shared" / "README.md", alpha / "README.md")
    link(os.path.relpath(env["root"] / "shared" / "tty.log", run), run / "tty.log")
    link(env["root"] / "shared" / "metrics.jsonl", run / "metrics.jsonl")
    assert service.catalog.readme(str(alpha)).markdown == "# Shared\n"
    assert service.outputs.run_tty(str(run)).text == "hello\n"
    assert service.outputs.run_summary(str(run)).total_steps == 3


def test_fifos_are_refused_without_hanging(env: dict[str, Any]) -> None:
    alpha: Path = env["alpha"]
    run = env["out"] / "runs" / "r1"
    service: ProjectsService = env["service"]
    (alpha / "README.md").unlink()
    os.mkfifo(alpha / "README.md")
    os.mkfifo(run / "tty.log")
    os.mkfifo(env["outside"] / "fifo")
    link(env["outside"] / "fifo", run / "metrics.jsonl")
    start = time.monotonic()
    assert service.catalog.readme(str(alpha)).markdown == ""  # not a file: no README
    refused(service.outputs.run_tty, str(run), status=404)  # a FIFO is no log file
    refused(service.outputs.run_summary, str(run), status=404)
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("proc_fd", [True, False])
def test_open_inside_checks_the_opened_file(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch, proc_fd: bool
) -> None:
    # Both ways of telling what was opened: /proc/self/fd, and device + inode.
    if not proc_fd:
        monkeypatch.setattr(reads, "_PROC_FD", Path("/nonexistent-proc-fd"))
    roots = [env["root"]]
    inside = write(env["root"] / "ok.txt", "fine\n")
    with reads.open_inside(inside, roots) as f:
        assert f.read() == b"fine\n"
    link(env["outside"] / "secret.md", env["root"] / "bad.txt")
    for path, status in [(env["root"] / "bad.txt", 403), (env["root"] / "none.txt", 404)]:
        with pytest.raises(ForgatherError) as info, reads.open_inside(path, roots):
            pass
        assert info.value.status == status
    with pytest.raises(ForgatherError) as info, reads.open_inside(env["root"] / "ws", roots):
        pass
    assert info.value.status == 400  # a directory is not a regular file


# -- listings: what leads outside reads as absent ------------------------------------


def test_checkpoint_and_evaluation_files_leading_outside_read_as_absent(
    env: dict[str, Any],
) -> None:
    out: Path = env["out"]
    service: ProjectsService = env["service"]
    link(env["outside"] / "secret.json", out / "checkpoints" / "step-5" / "meta.json")
    link(env["outside"] / "secret.json", out / "evaluations" / "e1" / "results.json")
    ckpt = service.outputs.checkpoints(str(out)).checkpoints[0]
    assert ckpt.step == 5  # from the name, not the planted meta.json's 7
    assert ckpt.saved_at != SECRET
    evaluation = service.outputs.evaluations(str(out)).evaluations[0]
    assert evaluation.results is None
    # The same files inside the roots are read.
    (out / "checkpoints" / "step-5" / "meta.json").unlink()
    write(out / "checkpoints" / "step-5" / "meta.json", '{"step": 6}')
    assert service.outputs.checkpoints(str(out)).checkpoints[0].step == 6


@pytest.mark.parametrize("group", ["runs", "checkpoints", "evaluations"])
def test_output_groups_that_are_links_leading_outside_list_nothing(
    env: dict[str, Any], group: str
) -> None:
    out = env["alpha"] / "output_models" / "other"
    out.mkdir(parents=True)
    link(env["outside"] / "runs", out / group)
    service: ProjectsService = env["service"]
    listed = {
        "runs": service.outputs.runs,
        "checkpoints": service.outputs.checkpoints,
        "evaluations": service.outputs.evaluations,
    }[group](str(out))
    assert SECRET not in listed.model_dump_json()
    assert len(next(iter(listed.model_dump().values()))) == 0


# -- metadata files and template paths ---------------------------------------------


def test_meta_and_workspace_files_leading_outside_are_refused(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    alpha: Path = env["alpha"]
    link(env["outside"] / "secret.yaml", alpha / "meta.yaml")
    refused(service.catalog.detail, str(alpha))
    ws_file = env["inner"] / "forgather_workspace" / "workspace.yaml"
    link(env["outside"] / "secret.yaml", ws_file)
    link(env["outside"] / "secret.md", env["empty"] / "README.md")
    tree = service.catalog.tree()
    dumped = tree.model_dump_json()
    assert SECRET not in dumped
    main = next(w for w in tree.workspaces if w.name == "Main WS")
    assert next(p for p in main.projects if p.path == str(alpha)).error
    assert main.workspaces[0].error  # the inner workspace, its workspace.yaml refused
    assert next(w for w in tree.workspaces if w.path == str(env["empty"])).name == "Empty"


BAD_TEMPLATE_PATHS = [["/"], ["../../../../.."], "{outside}", ["link_out"], ["ok", "/etc"]]


@pytest.mark.parametrize("paths", BAD_TEMPLATE_PATHS)
@pytest.mark.parametrize("where", ["meta.yaml", "workspace.yaml"])
def test_template_paths_leaving_the_roots_are_a_400(
    env: dict[str, Any], paths: list[str] | str, where: str
) -> None:
    service: ProjectsService = env["service"]
    alpha: Path = env["alpha"]
    os.symlink(env["outside"], alpha / "link_out")
    os.symlink(env["outside"], env["ws"] / "link_out")
    value = [str(env["outside"])] if paths == "{outside}" else paths
    if where == "meta.yaml":
        meta = "name: Alpha\ndefault_config: main.yaml\n"
        (alpha / "meta.yaml").write_text(meta + f"template_paths: {json.dumps(value)}\n")
    else:
        ws_file = env["ws"] / "forgather_workspace" / "workspace.yaml"
        ws_file.write_text(f"name: Main WS\ntemplate_paths: {json.dumps(value)}\n")
    start = time.monotonic()
    for call in (service.templates.available, service.templates.paths, service.catalog.detail):
        err = refused(call, str(alpha), status=400)
        assert where in err.message
        assert "template_paths" in err.message
        assert "outside the project search roots" in err.message
    rows = service.catalog.tree().model_dump_json()
    assert "outside the project search roots" in rows  # the listing shows why, row by row
    assert time.monotonic() - start < 5  # never a walk of the filesystem


def test_template_paths_inside_the_roots_may_climb_or_be_absolute(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    alpha: Path = env["alpha"]
    write(env["root"] / "shared" / "t1.yaml", "a: 1\n")
    write(env["root"] / "more" / "t2.yaml", "b: 1\n")
    more = str(env["root"] / "more")
    (alpha / "meta.yaml").write_text(
        f'name: Alpha\ndefault_config: main.yaml\ntemplate_paths: ["../../shared", "{more}"]\n'
    )
    groups = service.templates.available(str(alpha)).groups
    names = {t.name for g in groups if g.group == "Project Templates" for t in g.templates}
    assert names == {"t1.yaml", "t2.yaml"}


def test_config_prefix_leading_outside_is_a_400(env: dict[str, Any]) -> None:
    alpha: Path = env["alpha"]
    os.symlink(env["outside"], alpha / "cfg")
    (alpha / "meta.yaml").write_text("name: Alpha\nconfig_prefix: cfg\n")
    err = refused(env["service"].catalog.detail, str(alpha), status=400)
    assert "config_prefix" in err.message


def test_templates_leading_outside_are_not_loaded(env: dict[str, Any]) -> None:
    alpha: Path = env["alpha"]
    link(env["outside"] / "secret.yaml", env["ws"] / "forgather_workspace" / "templates" / "x.yaml")
    write(alpha / "configs" / "inc.yaml", '-- include "x.yaml"\n')
    err = refused(env["service"].configs.preprocessed, str(alpha), "inc.yaml", status=400)
    assert "resolves outside the search roots" in err.message


@pytest.mark.parametrize(
    ("asset", "status"),
    [("other.png", 403), ("dir_out/secret.md", 403), ("fifo.png", 404), ("beta.png", 403)],
)
def test_assets_must_stay_inside_their_project(
    env: dict[str, Any], asset: str, status: int
) -> None:
    alpha: Path = env["alpha"]
    link(env["outside"] / "secret.md", alpha / "other.png")
    link(env["outside"], alpha / "dir_out")
    link(env["beta"] / "meta.yaml", alpha / "beta.png")  # inside the roots, not the project
    os.mkfifo(alpha / "fifo.png")
    with pytest.raises(ForgatherError) as info:
        env["service"].catalog.asset(str(alpha), asset)
    assert info.value.status == status, info.value.message
