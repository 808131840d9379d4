"""The architecture, held by a test: the import contracts pass, and cover every part.

The contracts live in pyproject.toml (``[tool.importlinter]``; the parts and
why are drawn in docs/architecture.md). ``lint-imports`` checks them, lazy and
TYPE_CHECKING imports included; the tests below run it so that ``pytest``
alone holds the layering, and check that the allow-list contracts name every
part of the package, so a new package cannot slip past them unplaced.
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import forgather_lab

ROOT = Path(__file__).parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

WEB = {"app", "handlers", "jupyter_events", "hub"}
NOTEBOOK_SIDE = {"client", "cli", "magics", "widgets"}


def contracts() -> dict[str, dict[str, Any]]:
    """The import contracts from pyproject.toml, by id."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return {c["id"]: c for c in config["tool"]["importlinter"]["contracts"]}


def parts() -> set[str]:
    """Every top-level module and package of forgather_lab."""
    return {m.name for m in pkgutil.iter_modules(forgather_lab.__path__)}


def ours(modules: list[str]) -> set[str]:
    """The top-level parts of forgather_lab named in a contract's module list."""
    prefix = "forgather_lab."
    return {m[len(prefix) :].split(".")[0] for m in modules if m.startswith(prefix)}


def test_import_contracts_hold() -> None:
    out = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    # On failure, show the broken contracts (the names of the kept ones are noise).
    broken = out.stdout.partition("Broken contracts")[2]
    assert out.returncode == 0, (broken or out.stdout) + out.stderr


def test_every_contract_says_its_rule() -> None:
    for cid, contract in contracts().items():
        assert len(contract.get("name", "").split()) >= 6, f"{cid}: name the rule in words"
        assert not contract.get("ignore_imports"), f"{cid}: fix the import, don't ignore it"


def test_the_layers_place_every_part() -> None:
    layers = contracts()["server-layers"]
    assert layers["exhaustive"] is True
    placed = {
        name.strip().strip("()")
        for layer in layers["layers"]
        for name in layer.replace(":", "|").split("|")
    }
    assert placed | set(layers["exhaustive_ignores"]) == parts()


def test_the_allow_lists_name_every_part() -> None:
    c = contracts()
    everything = parts()
    core = everything - WEB - NOTEBOOK_SIDE
    assert ours(c["core-no-web"]["source_modules"]) == core
    assert ours(c["server-no-notebook-side"]["source_modules"]) == everything - NOTEBOOK_SIDE
    assert ours(c["notebook-side-internals"]["source_modules"]) == NOTEBOOK_SIDE
    notebook_may_use = {"models", "errors", "_version"}
    assert ours(c["notebook-side-internals"]["forbidden_modules"]) == (
        everything - NOTEBOOK_SIDE - notebook_may_use
    )
    store_may_use = {"store", "errors", "_version"}
    assert ours(c["store-no-business-rules"]["forbidden_modules"]) == everything - store_may_use


def imported_names(path: Path) -> set[str]:
    """Every module an example script imports, at any depth of the file."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_example_scripts_use_only_the_reporter() -> None:
    # The example workspace runs as jobs (plain scripts, which the import graph
    # does not see): of forgather_lab it may use only what a job may.
    scripts = sorted((ROOT / "forgather_lab" / "examples" / "workspace").rglob("*.py"))
    assert scripts
    allowed = {"forgather_lab.reporter", "forgather_lab.reporter_hf"}
    for script in scripts:
        used = {n for n in imported_names(script) if n.split(".")[0] == "forgather_lab"}
        assert used <= allowed, f"{script.relative_to(ROOT)} imports {sorted(used - allowed)}"
