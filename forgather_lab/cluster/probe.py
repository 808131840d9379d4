"""The pre-flight probe: versions, interfaces, CPUs and memory, read without importing torch.

A server never imports torch (a server without the train extra must start,
and importing it costs seconds): the versions come from the installed
distributions' metadata, CUDA's from ``torch/version.py`` read as text and
NCCL's from the ``nvidia-nccl-*`` wheel torch depends on. A CPU build has
no CUDA and no NCCL: those are null, as is anything not installed.
"""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import platform
import re
from pathlib import Path

import psutil

from .._version import __version__
from ..models.cluster import DescribeProbe, ProbeInterface, ProbeVersions
from .addresses import Interface, ipv4_interfaces


def probe(interfaces: list[Interface] | None = None) -> DescribeProbe:
    """This node's probe (cheap: metadata and psutil, no imports of the packages it names)."""
    found = ipv4_interfaces() if interfaces is None else interfaces
    return DescribeProbe(
        versions=versions(),
        interfaces=[
            ProbeInterface(name=i.name, address=i.address, netmask=i.netmask) for i in found
        ],
        cpus=psutil.cpu_count(),
        memory_gb=round(psutil.virtual_memory().total / 2**30, 1),
    )


def versions() -> ProbeVersions:
    """The versions multi-node training needs to agree on (null where absent)."""
    return ProbeVersions(
        forgather_lab=__version__,
        python=platform.python_version(),
        platform=platform.platform(),
        torch=_dist_version("torch"),
        cuda=_torch_attribute("cuda"),
        nccl=_nccl_version(),
        transformers=_dist_version("transformers"),
    )


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _torch_attribute(name: str) -> str | None:
    """A string constant of ``torch/version.py`` (``cuda = '12.4'``), read, not imported."""
    try:
        spec = importlib.util.find_spec("torch")  # finds the package; does not import it
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "version.py"
    try:
        tree = ast.parse(path.read_text())
    except (OSError, SyntaxError, ValueError):
        return None
    for node in tree.body:
        target, value = None, None
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, value = node.targets[0], node.value
        elif isinstance(node, ast.AnnAssign):
            target, value = node.target, node.value
        if isinstance(target, ast.Name) and target.id == name and isinstance(value, ast.Constant):
            return value.value if isinstance(value.value, str) else None
    return None


def _nccl_version() -> str | None:
    """The NCCL wheel torch's CUDA builds depend on (``nvidia-nccl-cu12`` and the like)."""
    if _torch_attribute("cuda") is None:
        return None
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"] or ""
        if re.fullmatch(r"nvidia-nccl-cu\d+", name.lower()):
            return str(dist.version)
    return None
