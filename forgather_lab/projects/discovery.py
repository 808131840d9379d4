"""Find workspaces and projects under the search roots.

One walk per root with ``os.scandir`` (the directory entries carry their
type, so no extra ``stat`` per entry) finds both kinds of marker: a
``forgather_workspace/`` directory and a ``meta.yaml`` file. Subtrees that
are never projects, or are slow to walk, are pruned: hidden directories,
``forgather_workspace/`` itself, output directories, ``node_modules``,
``__pycache__`` and ``.git``. Symlinked directories are not followed, which
avoids loops and keeps the walk inside the root. ``benchmarks/bench_discovery.py``
measures it against a bare ``os.walk``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .model import META_FILE, WORKSPACE_MARKER

PRUNED = frozenset(
    {WORKSPACE_MARKER, "output_models", "node_modules", "__pycache__", ".git", "site-packages"}
)


@dataclass
class Found:
    """Marker directories found under the roots (resolved paths, sorted)."""

    workspaces: list[Path] = field(default_factory=list)
    projects: list[Path] = field(default_factory=list)


def walk_roots(roots: Iterable[Path]) -> Found:
    """Walk every root once, pruning as the module docstring says."""
    workspaces: set[Path] = set()
    projects: set[Path] = set()
    for root in roots:
        stack = [str(root)]
        while stack:
            current = stack.pop()
            try:
                entries = os.scandir(current)
            except OSError:
                continue  # unreadable or vanished: skip it, do not fail the listing
            with entries:
                for entry in entries:
                    name = entry.name
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        continue
                    if is_dir:
                        if name == WORKSPACE_MARKER:
                            workspaces.add(Path(current))
                        elif not name.startswith(".") and name not in PRUNED:
                            stack.append(entry.path)
                    elif name == META_FILE:
                        projects.add(Path(current))
    return Found(workspaces=sorted(workspaces), projects=sorted(projects))


def nearest_ancestor(path: Path, candidates: set[Path], include_self: bool) -> Path | None:
    """The deepest candidate that is ``path`` (if allowed) or one of its parents."""
    if include_self and path in candidates:
        return path
    for parent in path.parents:
        if parent in candidates:
            return parent
    return None


@dataclass
class Cluster:
    """One workspace with its projects and nested workspaces."""

    root: Path
    projects: list[Path] = field(default_factory=list)
    children: list[Cluster] = field(default_factory=list)


def cluster(found: Found) -> tuple[list[Cluster], list[Path]]:
    """Attach projects to their nearest workspace and nest workspaces.

    Returns the top-level workspaces and the projects that belong to none (the
    "Unaffiliated" group). A project whose own directory is a workspace root
    belongs to that workspace.
    """
    ws_set = set(found.workspaces)
    nodes = {ws: Cluster(root=ws) for ws in found.workspaces}
    top: list[Cluster] = []
    for ws in found.workspaces:  # sorted, so parents come before children
        parent = nearest_ancestor(ws, ws_set, include_self=False)
        (nodes[parent].children if parent else top).append(nodes[ws])
    loose: list[Path] = []
    for project in found.projects:
        owner = nearest_ancestor(project, ws_set, include_self=True)
        (nodes[owner].projects if owner else loose).append(project)
    return top, loose
