"""What server start imports (issue 19, item 8): heavy modules stay out of it.

Each check runs a fresh interpreter, imports what Jupyter imports to load the
extension (``_jupyter_server_extension_points`` → ``forgather_lab.app``) and
reads ``sys.modules``: a module named here and imported at the top of any
module on that path makes the test fail, whatever the machine's speed.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

# What Jupyter runs to find and load the extension, up to registering its routes (the
# runtime is built after the server listens, in the background: app.py).
LOAD_PATH = (
    "import forgather_lab; app = forgather_lab._jupyter_server_extension_points()[0]['app']();"
    " app.initialize_handlers()"
)

# Never in the server: model code, data science stacks, kernels, peers' crypto.
NEVER = [
    "torch",
    "transformers",
    "pandas",
    "numpy",
    "nbclient",
    "zeroconf",
    "cryptography",
    "IPython",  # the magics only
]

# Ours, imported where first used (inside functions), not at server start.
DEFERRED = [
    "pydantic",  # every model: the runtime and the handlers, imported beside the server
    "forgather_lab.runtime",
    "forgather_lab.handlers.routes",
    "forgather_lab.handlers.base",
    "forgather_lab.models",
    "forgather_lab.executors",  # named by a setting, imported when it is read
    "psutil",  # job processes, interfaces, external trainers: imported when first used
    "forgather_lab.cli",
    "forgather_lab.client",
    "forgather_lab.magics",
    "forgather_lab.widgets",
    "forgather_lab.reporter",
    "forgather_lab.reporter_hf",
    "forgather_lab.hub",
    "forgather_lab.handlers.openapi",
    "forgather_lab.handlers.forward",  # a Hub's shared pool only
    "forgather_lab.handlers.forward_pool",
    "forgather_lab.jobs.runner",  # the job side, run in the job's process
    "forgather_lab.cluster.peer_api",  # cluster mode: only once joined
    "forgather_lab.cluster.tls",
    "forgather_lab.cluster.ca",
    "forgather_lab.cluster.discovery",
    "forgather_lab.cluster.probe",
    "forgather_lab.cluster.multinode",
    "forgather_lab.datasets.server",  # runs as a job, not in the server
    "forgather_lab.datasets.hf",
    "forgather_lab.inference.server",
    "forgather_lab.inference.engine",
    "forgather_lab.notebook_jobs.run",
]


def _modules_after(code: str) -> set[str]:
    """The names in ``sys.modules`` of a fresh interpreter after running ``code``."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


@pytest.fixture(scope="module")
def loaded() -> set[str]:
    return _modules_after(LOAD_PATH)


def test_the_probe_sees_the_load_path(loaded: set[str]) -> None:
    # Guards the test itself: the extension and Jupyter's application class were imported.
    assert {"forgather_lab.app", "forgather_lab.handlers.route_table"} <= loaded
    assert "jupyter_server.extension.application" in loaded


def test_named_modules_exist() -> None:
    # A renamed module would pass the absence check for nothing.
    missing = [m for m in DEFERRED if importlib.util.find_spec(m) is None]
    assert missing == []


@pytest.mark.parametrize("module", NEVER + DEFERRED)
def test_not_imported_at_server_start(loaded: set[str], module: str) -> None:
    assert module not in loaded, f"{module} is imported when the server loads forgather_lab"


def test_bare_package_import_is_cheap() -> None:
    # ``import forgather_lab`` in a training job: neither Jupyter nor pydantic nor HTTP.
    mods = _modules_after("import forgather_lab")
    heavy = {m.split(".")[0] for m in mods} & {"jupyter_server", "pydantic", "httpx", "tornado"}
    assert heavy == set()
    assert sorted(m for m in mods if m.startswith("forgather_lab")) == [
        "forgather_lab",
        "forgather_lab._version",
    ]
