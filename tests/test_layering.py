"""Core packages know nothing of HTTP: they import neither tornado nor jupyter_server."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "forgather_lab.runtime",
    "forgather_lab.store",
    "forgather_lab.gpus",
    "forgather_lab.errors",
    "forgather_lab.models",
    "forgather_lab.projects",
    "forgather_lab.inference.kind",
    "forgather_lab.inference.presets",
    "forgather_lab.inference.supervisor",
    "forgather_lab.proxy.inference",
    "forgather_lab.proxy.upstream",
    "forgather_lab.tensorboard.kind",
    "forgather_lab.services.service",
    "forgather_lab.control",
    "forgather_lab.reporter",
    "forgather_lab.webhooks",
    # The notebook side: a kernel or a terminal that talks to the server over HTTP.
    "forgather_lab.client",
    "forgather_lab.cli",
]


def test_core_imports_no_web_framework() -> None:
    code = (
        "import sys\n"
        + "".join(f"import {m}\n" for m in CORE)
        + "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'tornado', 'jupyter_server'})\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
