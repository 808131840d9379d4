"""What each part really loads at run time, in a fresh interpreter.

The import contracts (``[tool.importlinter]`` in pyproject.toml, run by
tests/test_architecture.py) read import statements. These tests import the
parts and look at ``sys.modules``, which also sees what is loaded by name
(importlib, the job-kind entry points, PEP 562 ``__getattr__``) and what a
third-party package drags in behind our back.
"""

from __future__ import annotations

import json
import subprocess
import sys

# The core: everything but handlers/, app.py and the notebook side.
CORE = [
    "forgather_lab.runtime",
    "forgather_lab.settings",
    "forgather_lab.store",
    "forgather_lab.events",
    "forgather_lab.tasks",
    "forgather_lab.gpus",
    "forgather_lab.scheduler",
    "forgather_lab.jobs.service",
    "forgather_lab.executors.local",
    "forgather_lab.errors",
    "forgather_lab.models",
    "forgather_lab.projects",
    "forgather_lab.inference.kind",
    "forgather_lab.inference.presets",
    "forgather_lab.inference.supervisor",
    "forgather_lab.proxy.inference",
    "forgather_lab.proxy.upstream",
    "forgather_lab.tensorboard.kind",
    "forgather_lab.tensorboard.proxy",
    "forgather_lab.services.service",
    "forgather_lab.control",
    "forgather_lab.webhooks",
    "forgather_lab.reporter",
]
# The notebook side: a kernel or a terminal that talks to the server over HTTP.
NOTEBOOK_SIDE = [
    "forgather_lab.client",
    "forgather_lab.cli",
    "forgather_lab.magics",
    "forgather_lab.widgets",
]
# What only a training or inference job needs; a server must start without them.
JOB_SIDE_PACKAGES = {"torch", "transformers", "tensorboard", "accelerate"}


def loaded_after(*statements: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``statements``."""
    code = (
        "import json, sys\n"
        + "".join(f"{s}\n" for s in statements)
        + "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def top_level(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_core_imports_no_web_framework() -> None:
    # Looking the job kinds up loads the entry-point group too: a kind must not drag a server in.
    modules = loaded_after(
        *(f"import {m}" for m in CORE),
        "from forgather_lab.jobs.kinds import JobKinds",
        "JobKinds.load().names()",
    )
    assert top_level(modules) & {"tornado", "jupyter_server"} == set()
    assert not any(m.startswith(("forgather_lab.handlers", "forgather_lab.app")) for m in modules)


def test_server_loads_nothing_of_the_job_side() -> None:
    # The whole embedded server: app, route table, job kinds.
    modules = loaded_after(
        "import forgather_lab.app",
        "import forgather_lab.handlers.routes",
        "from forgather_lab.jobs.kinds import JobKinds",
        "JobKinds.load().names()",
    )
    assert top_level(modules) & JOB_SIDE_PACKAGES == set()
    assert top_level(modules) & {"IPython", "ipywidgets", "anywidget"} == set()
    in_job = {
        "forgather_lab.reporter",
        "forgather_lab.reporter_hf",
        "forgather_lab.jobs.runner",
        "forgather_lab.inference.server",
        "forgather_lab.inference.engine",
        "forgather_lab.tensorboard.run",
    }
    assert modules & in_job == set()


def test_reporter_loads_only_the_standard_library() -> None:
    # It runs inside any training script's environment: stdlib and itself, nothing else.
    before = loaded_after()
    modules = loaded_after("import forgather_lab.reporter") - before
    foreign = {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}
    assert foreign == {"forgather_lab", "forgather_lab._version", "forgather_lab.reporter"}


def test_notebook_side_loads_no_server_internals() -> None:
    modules = loaded_after(*(f"import {m}" for m in NOTEBOOK_SIDE))
    # The websocket client (tornado's) is imported on first use only.
    assert top_level(modules) & {"tornado", "jupyter_server", *JOB_SIDE_PACKAGES} == set()
    ours = {m for m in modules if m.startswith("forgather_lab.")}
    allowed = ("forgather_lab._version", "forgather_lab.models", "forgather_lab.errors")
    internals = {
        m for m in ours if not m.startswith(allowed) and not m.startswith(tuple(NOTEBOOK_SIDE))
    }
    assert internals == set()
