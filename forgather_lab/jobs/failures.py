"""Why a job failed, in words a user can act on, read from the end of its log.

The commonest first-run failure is a trainer importing something the server's
environment lacks (PyTorch, transformers): the exit code alone says nothing,
the traceback's last line says which module, and the module says which extra
of forgather-lab brings it.
"""

from __future__ import annotations

import re

#: Top-level module → the forgather-lab extra that installs it.
EXTRAS = {
    "torch": "train",
    "transformers": "train",
    "accelerate": "train",
    "tokenizers": "train",
    "safetensors": "train",
    "tensorboard": "tensorboard",
    "nbclient": "notebook",
    "papermill": "notebook",
    "datasets": "datasets",
    "mkdocs": "docs",
}

_MISSING = re.compile(rb"ModuleNotFoundError: No module named '([A-Za-z0-9_.]+)'")


def explain(log_tail: bytes) -> str | None:
    """A sentence naming the missing module (and the extra to install), or None."""
    found = _MISSING.findall(log_tail)
    if not found:
        return None
    module = found[-1].decode("ascii")
    top = module.split(".", 1)[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return f"the job needs the Python module {module!r}, which is not installed"
    return (
        f"the job needs the Python module {module!r}, which is not installed: "
        f"pip install 'forgather-lab[{extra}]'"
    )
