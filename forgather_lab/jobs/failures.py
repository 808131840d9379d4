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
#: A job-side program of ours (the runner, the notebook runner) states its own
#: diagnosis on a line of this form; it knows better than any pattern here.
_OWN = re.compile(rb"^forgather-lab: (.+)$", re.MULTILINE)
MAX_DIAGNOSIS = 500


def explain(log_tail: bytes) -> str | None:
    """Why the job failed, from its log: our own diagnosis line, else a missing module."""
    own = _OWN.findall(log_tail)
    if own:
        text = own[-1].decode("utf-8", "replace").strip()
        return text[:MAX_DIAGNOSIS] or None
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
