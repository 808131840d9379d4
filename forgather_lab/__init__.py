"""Forgather Lab: a JupyterLab control plane for ML training on a GPU pool.

The public surface is small: the Jupyter entry points below, the ``Client``
(imported lazily so that ``import forgather_lab`` inside a training job costs
nothing) and the IPython extension hook.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__

__all__ = ["AsyncClient", "Client", "__version__", "load_ipython_extension"]

# Imported on first use (PEP 562) so that ``import forgather_lab`` stays cheap.
_LAZY = {"Client": "client", "AsyncClient": "client", "ForgatherClientError": "client"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext forgather_lab``: register the ``%forgather`` magics."""
    from .magics import load_ipython_extension as load

    load(ipython)


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "forgather-lab"}]


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .collector import paused

    with paused():
        from .app import ForgatherLab

    return [{"module": "forgather_lab.app", "app": ForgatherLab}]
