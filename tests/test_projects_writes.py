"""Creation never writes outside the search roots, and a refused request leaves nothing behind.

Closes the probe's "writes outside every search root": ``default_config`` was
not validated (``../../outside.yaml`` wrote anywhere), ``name`` went into YAML
unescaped, and ``new-template`` skipped the containment check below a
directory that did not exist yet (``out/new/x`` through a symlinked
``templates/out``). Driven through the service (many variants, fast) and
over HTTP for the status codes.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from projects_tree import make_tree, open_service, write

from forgather_lab.errors import ForgatherError
from forgather_lab.projects import ProjectsService, scaffold
from forgather_lab.projects.render import GuardedLoader, RecordingEnvironment
from forgather_lab.projects.scaffold import jinja_yaml_scalar, starter_config


def snapshot(path: Path) -> list[str]:
    """Every entry under ``path`` (links included, not followed), for before/after checks."""
    out = []
    for dirpath, dirnames, filenames in os.walk(path):
        out += [os.path.join(dirpath, n) for n in sorted(dirnames + filenames)]
    return sorted(out)


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, Any]]:
    root = (tmp_path / "root").resolve()
    tree = make_tree(root)
    outside = (tmp_path / "outside").resolve()
    outside.mkdir()
    service, db = open_service(root, tmp_path / "state" / "forgather.db")
    try:
        yield {"service": service, "root": root, "outside": outside, **tree}
    finally:
        db.close()


def refused(fn: Any, *args: Any, status: int) -> ForgatherError:
    with pytest.raises(ForgatherError) as info:
        fn(*args)
    assert info.value.status == status, info.value.message
    assert info.value.message
    return info.value


# -- new-project -------------------------------------------------------------------


BAD_NAMES = [
    "../../outside.yaml",
    "a/../../x.yaml",
    "..\\..\\x.yaml",
    "/abs/outside.yaml",
    "\\abs.yaml",
    "~/x.yaml",
    "x\ny.yaml",
    "x\x00y.yaml",
    "x\ty.yaml",
    "a" * 300,
    "d/" * 2100 + "x",
    "",
]


@pytest.mark.parametrize("field", ["default_config", "config_prefix", "project_dir_name"])
@pytest.mark.parametrize("bad", BAD_NAMES)
def test_new_project_refuses_bad_names_before_writing(
    env: dict[str, Any], field: str, bad: str
) -> None:
    service: ProjectsService = env["service"]
    before, outside_before = snapshot(env["root"]), snapshot(env["outside"])
    args = {
        "workspace_dir": str(env["ws"]),
        "name": "Fresh",
        "description": "",
        "config_prefix": "configs",
        "default_config": "default.yaml",
        "project_dir_name": "fresh",
    }
    args[field] = bad
    if field == "project_dir_name" and bad == "":
        return  # empty means "from the name": not an escape
    refused(lambda: service.workspace.create_project(**args), status=400)
    assert snapshot(env["root"]) == before  # no folder, no meta.yaml
    assert snapshot(env["outside"]) == outside_before


@pytest.mark.parametrize("name", ["a\nb", "line\rbreak", "nul\x00", "esc\x1b[31m", "  ", "x" * 300])
def test_new_project_refuses_names_that_are_not_one_line(env: dict[str, Any], name: str) -> None:
    before = snapshot(env["root"])
    refused(
        env["service"].workspace.create_project,
        str(env["ws"]),
        name,
        "",
        "configs",
        "default.yaml",
        "fresh",
        status=400,
    )
    assert snapshot(env["root"]) == before


@pytest.mark.parametrize(
    "name",
    [
        "Exp: lr #2",
        "{{ 7 * 7 }}",
        "{% raw %}x",
        "{# c",
        "a ## b",
        "-- block x",
        "50% off",
        "'quoted' \"double\" \\back",
        "key: [1, 2]",
        "é ü ✓ 日本",
        "\u2028sep",
        "x" * 256,
    ],
)
def test_new_project_names_render_back_exactly(env: dict[str, Any], name: str) -> None:
    service: ProjectsService = env["service"]
    created = service.workspace.create_project(
        str(env["ws"]), name, "desc", "configs", "start", "fresh"
    )
    project = Path(created.project_dir)
    meta = yaml.safe_load((project / "meta.yaml").read_text())
    assert meta["name"] == name
    assert meta["default_config"] == "start.yaml"
    rendered = service.configs.meta(created.project_dir, None)
    assert rendered.config_name == name


def test_new_project_nested_default_config_and_prefix(env: dict[str, Any]) -> None:
    # A missing parent used to be a 500 after meta.yaml was written.
    service: ProjectsService = env["service"]
    created = service.workspace.create_project(
        str(env["ws"]), "Nested", "", "cfg/train", "sub/deeper/x", "nested"
    )
    project = Path(created.project_dir)
    assert (project / "cfg" / "train" / "sub" / "deeper" / "x.yaml").is_file()
    assert service.catalog.detail(created.project_dir).configs == ["sub/deeper/x.yaml"]
    assert service.configs.meta(created.project_dir, None).config_name == "Nested"


@pytest.mark.parametrize("inside", [False, True])
def test_new_project_refuses_a_config_prefix_that_is_a_symlink(
    env: dict[str, Any], inside: bool
) -> None:
    target = env["ws"] / "fresh"
    target.mkdir()
    dest = env["root"] / "elsewhere" if inside else env["outside"]
    dest.mkdir(exist_ok=True)
    os.symlink(dest, target / "configs")
    before = snapshot(env["root"])
    err = refused(
        env["service"].workspace.create_project,
        str(env["ws"]),
        "Fresh",
        "",
        "configs",
        "default.yaml",
        "fresh",
        status=400,
    )
    assert "symbolic link" in err.message
    assert snapshot(env["root"]) == before
    assert list(dest.iterdir()) == []


@pytest.mark.parametrize(
    ("link", "dest", "status"),
    [
        ("proj/templates", "outside", 403),  # the project's templates/ leads out
        ("proj", "outside", 403),  # the project directory itself leads out
        ("nest", "outside", 403),  # project_dir_name "nest/p" through a link
        ("proj/configs", "outside_missing", 403),  # a dangling link: mkdir would follow it
    ],
)
def test_new_project_refuses_paths_that_land_outside(
    env: dict[str, Any], link: str, dest: str, status: int
) -> None:
    outside: Path = env["outside"]
    ws: Path = env["ws"]
    where = ws / link
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "missing" if dest == "outside_missing" else outside, where)
    dir_name = "nest/p" if link == "nest" else "proj"
    refused(
        env["service"].workspace.create_project,
        str(ws),
        "P",
        "",
        "configs",
        "default.yaml",
        dir_name,
        status=400 if link == "proj/configs" else status,
    )
    assert snapshot(outside) == []
    assert not (ws / "proj" / "meta.yaml").exists()


@pytest.mark.parametrize("file", ["meta.yaml", "README.md", "configs/default.yaml"])
def test_new_project_never_writes_through_a_dangling_symlink(
    env: dict[str, Any], file: str
) -> None:
    outside: Path = env["outside"]
    target = env["ws"] / "proj"
    (target / "configs").mkdir(parents=True)
    os.symlink(outside / "planted", target / file)
    service: ProjectsService = env["service"]
    with pytest.raises(ForgatherError) as info:
        service.workspace.create_project(str(env["ws"]), "P", "", "configs", "default.yaml", "proj")
    # meta.yaml already there (as a link) is a 409; the others would land outside.
    assert info.value.status == (409 if file == "meta.yaml" else 403), info.value.message
    assert not (outside / "planted").exists()  # nothing followed the link
    assert not (target / "meta.yaml").is_file()


@pytest.mark.parametrize("existing", [False, True])
def test_a_failure_half_way_takes_back_what_it_made(
    env: dict[str, Any], monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    # The OS failing after README and config are written (a full disk, say).
    if existing:
        write(env["ws"] / "fresh" / "notes.txt", "mine\n")  # a directory that was already there
    before = snapshot(env["root"])
    real_dump = scaffold._dump

    def failing(data: Mapping[str, object]) -> str:
        if "config_prefix" in data:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_dump(data)

    monkeypatch.setattr(scaffold, "_dump", failing)
    with pytest.raises(OSError, match="No space"):
        env["service"].workspace.create_project(
            str(env["ws"]), "Fresh", "", "configs/deep", "sub/x", "fresh"
        )
    assert snapshot(env["root"]) == before  # what was there stays, what was made is gone


def test_new_workspace_refuses_escapes(env: dict[str, Any]) -> None:
    service: ProjectsService = env["service"]
    os.symlink(env["outside"], env["root"] / "out")
    before = snapshot(env["root"])
    for dir_name, status in [("out/ws", 403), ("../ws", 400), ("/abs", 400), ("a\nb", 400)]:
        refused(
            service.workspace.create_workspace, str(env["root"]), "W", "", dir_name, status=status
        )
    refused(service.workspace.create_workspace, str(env["root"]), "W\nX", "", None, status=400)
    assert snapshot(env["root"]) == before
    assert snapshot(env["outside"]) == []


# -- new-template ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "link", "name"),
    [
        ("template", "templates/out", "out/new/x"),  # the probe's case
        ("template", "templates/out", "out/x"),
        ("template", "templates/a/out", "a/out/deep/er/x"),
        ("config", "configs/out", "out/new/x"),
        ("template", "templates/dangling", "dangling/x"),
    ],
)
def test_new_template_refuses_symlinks_leading_outside(
    env: dict[str, Any], kind: str, link: str, name: str
) -> None:
    alpha: Path = env["alpha"]
    outside: Path = env["outside"]
    (alpha / "templates").mkdir(exist_ok=True)
    where = alpha / link
    where.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside / "gone" if "dangling" in link else outside, where)
    before = snapshot(alpha)
    refused(env["service"].workspace.create_template, str(alpha), kind, name, status=403)
    assert snapshot(outside) == []
    assert snapshot(alpha) == before


@pytest.mark.parametrize("bad", [*BAD_NAMES, "/tmp/evil"])
def test_new_template_refuses_bad_names(env: dict[str, Any], bad: str) -> None:
    before = snapshot(env["root"])
    for kind in ("config", "template"):
        refused(env["service"].workspace.create_template, str(env["alpha"]), kind, bad, status=400)
    assert snapshot(env["root"]) == before


def test_new_template_conflicts_and_files_in_the_way(env: dict[str, Any]) -> None:
    alpha: Path = env["alpha"]
    service: ProjectsService = env["service"]
    (alpha / "templates").mkdir(exist_ok=True)
    # A dangling link is never written through: leading out a 403, staying in a 409.
    os.symlink(env["outside"] / "planted.yaml", alpha / "templates" / "planted.yaml")
    refused(service.workspace.create_template, str(alpha), "template", "planted", status=403)
    assert not (env["outside"] / "planted.yaml").exists()
    os.symlink(alpha / "nowhere.yaml", alpha / "templates" / "inside.yaml")
    refused(service.workspace.create_template, str(alpha), "template", "inside", status=409)
    assert not (alpha / "nowhere.yaml").exists()
    (alpha / "templates" / "file.yaml").write_text("x: 1\n")
    refused(service.workspace.create_template, str(alpha), "template", "file.yaml/x", status=400)
    made = service.workspace.create_template(str(alpha), "config", "Exp: lr #2")
    assert made.path.endswith("configs/Exp: lr #2.yaml")
    assert service.configs.meta(str(alpha), "Exp: lr #2.yaml").config_name == "Exp: lr #2"


@pytest.mark.parametrize("name", ["Exp: lr #2", 'it\'s "q"', "{{ x }}", "a ## b", "50%", "ü"])
def test_new_configs_render_whatever_their_file_name(env: dict[str, Any], name: str) -> None:
    alpha: Path = env["alpha"]
    service: ProjectsService = env["service"]
    made = service.workspace.create_template(str(alpha), "config", name)
    config = Path(made.path).name
    assert service.configs.meta(str(alpha), config).config_name == name
    out = service.configs.output_dir(str(alpha), config)
    assert out.output_dir == str(alpha / "output_models" / name)
    assert out.job is not None
    assert out.job.args[-2:] == ["--output-dir", f"output_models/{name}"]


# -- the quoting itself ------------------------------------------------------------


def _render(text: str, **context: Any) -> Any:
    env = RecordingEnvironment(GuardedLoader([], []), jinja2.StrictUndefined)
    return yaml.safe_load(env.from_string(text).render(**context))


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_quoted_scalars_survive_jinja_and_yaml(text: str) -> None:
    assert _render(f"k: {jinja_yaml_scalar(text)}\n") == {"k": text}


@settings(max_examples=150, deadline=None)
@given(st.text(st.characters(blacklist_categories=["Cc", "Cs"]), min_size=1))
def test_starter_configs_render_their_title(title: str) -> None:
    data = _render(starter_config("x.yaml", title), steps=1, config_stem="x")
    assert data["meta"]["config_name"] == title


# -- over HTTP ---------------------------------------------------------------------


@pytest.fixture
def tree(jp_root_dir: Path, tmp_path: Path) -> dict[str, Path]:
    t = make_tree(Path(jp_root_dir).resolve())
    outside = tmp_path / "outside"
    outside.mkdir()
    (t["alpha"] / "templates").mkdir()
    os.symlink(outside, t["alpha"] / "templates" / "out")
    t["outside"] = outside
    return t


@pytest.fixture
def forgather_config(state_dir: Path, tree: dict[str, Path]) -> dict[str, Any]:
    return {"state_dir": str(state_dir), "search_roots": ["."], "seed_examples": False}


async def test_http_refusals_name_the_field(api: Any, tree: dict[str, Path]) -> None:
    ws = str(tree["ws"])
    cases: list[tuple[str, dict[str, Any], int, str]] = [
        (
            "workspace/new-project",
            {"workspace_dir": ws, "name": "X", "default_config": "../../../outside.yaml"},
            400,
            "default_config",
        ),
        ("workspace/new-project", {"workspace_dir": ws, "name": "X\nY"}, 400, "project name"),
        (
            "workspace/new-project",
            {"workspace_dir": ws, "name": "X", "config_prefix": "/etc"},
            400,
            "config_prefix",
        ),
        (
            "project/new-template",
            {"project_dir": str(tree["alpha"]), "kind": "template", "name": "out/new/x"},
            403,
            "outside",
        ),
    ]
    for endpoint, body, status, needle in cases:
        got, reply = await api(*endpoint.split("/"), method="POST", json_body=body)
        assert got == status, (body, reply)
        assert needle in reply["message"], reply["message"]
    assert not (tree["ws"] / "x").exists()
    assert list(tree["outside"].iterdir()) == []
    status, made = await api(
        "workspace",
        "new-project",
        method="POST",
        json_body={"workspace_dir": ws, "name": "Exp: lr #2", "project_dir_name": "exp"},
    )
    assert status == 201, made
    status, meta = await api("config", "meta", params={"project_dir": made["project_dir"]})
    assert status == 200, meta
    assert meta["config_name"] == "Exp: lr #2"
