"""Forgather Lab: a JupyterLab control plane for ML training on a GPU pool.

The public surface is small: the Jupyter entry points below, the ``Client``
(imported lazily so that ``import forgather_lab`` inside a training job costs
nothing) and the IPython extension hook.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["__version__"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "forgather-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import ForgatherLab

    return [{"module": "forgather_lab.app", "app": ForgatherLab}]
