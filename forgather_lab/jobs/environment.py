"""The environment a job starts with: an allow-list, never the server's own.

A job used to inherit the server's whole ``os.environ``: ``JUPYTER_TOKEN``,
``JUPYTERHUB_API_TOKEN`` and whatever secret the server was started with
reached every training script (and its child processes, and its logs when a
script prints its environment). Now a job gets only what it needs to run:
the names below, the operator's ``job_env_passthrough``, and its own env.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Mapping

# What a process needs to find programs, libraries, a home, a locale and the
# GPU stack, and what a virtualenv / conda environment sets.
ALLOWED_NAMES = frozenset(
    {
        "PATH",
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "LANG",
        "LANGUAGE",
        "TERM",
        "TZ",
        "TMPDIR",
        "LD_LIBRARY_PATH",
        "VIRTUAL_ENV",
        "CONDA_PREFIX",
        "CONDA_DEFAULT_ENV",
        "PYTHONPATH",
        "JUPYTER_CONFIG_DIR",
        "JUPYTER_DATA_DIR",
        "JUPYTER_RUNTIME_DIR",
        "JUPYTER_PATH",
        "HF_HOME",
        "HF_HUB_OFFLINE",
        "TRANSFORMERS_OFFLINE",
        "HF_DATASETS_OFFLINE",
        "TORCH_HOME",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    }
)
ALLOWED_PATTERNS = ("LC_*", "CUDA_*", "NCCL_*", "NVIDIA_*", "XDG_*")

# Never passed by the built-in list, whatever matches above (an operator who
# wants e.g. WANDB_API_KEY in jobs names it exactly in job_env_passthrough).
_SECRET_LOOKING = re.compile(r"TOKEN|SECRET|PASSW|API_KEY|PRIVATE", re.IGNORECASE)

# Never passed at all: the credentials of the server itself.
SERVER_SECRETS = frozenset(
    {"JUPYTER_TOKEN", "JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN", "JUPYTERHUB_CLIENT_SECRET"}
)


def base_environment(source: Mapping[str, str], passthrough: Iterable[str] = ()) -> dict[str, str]:
    """The part of ``source`` (the server's environment) a job may see."""
    extra = list(passthrough)
    out: dict[str, str] = {}
    for name, value in source.items():
        if name in SERVER_SECRETS or name.startswith("JUPYTERHUB_"):
            continue
        if name in extra or any(fnmatch.fnmatchcase(name, p) for p in extra if _is_pattern(p)):
            out[name] = value
        elif _SECRET_LOOKING.search(name):
            continue
        elif name in ALLOWED_NAMES or any(fnmatch.fnmatchcase(name, p) for p in ALLOWED_PATTERNS):
            out[name] = value
    return out


def _is_pattern(name: str) -> bool:
    return any(c in name for c in "*?[")
