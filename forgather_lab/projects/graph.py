"""The template dependency graph of a rendered config, as JSON or Graphviz dot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from jinja2 import nodes

from .render import Rendered

_DYNAMIC = "\x00dynamic"  # key for references whose name is computed


def edge_kinds(rendered: Rendered) -> dict[tuple[str, str], str]:
    """Label each recorded edge ``extends`` / ``include`` / ``import`` from the
    parent's syntax tree (the runtime hook only says that a reference happened)."""
    kinds: dict[tuple[str, str], str] = {}
    env = jinja2.Environment(line_statement_prefix="--", line_comment_prefix="##")  # noqa: S701 - parsing only
    by_parent: dict[str, dict[str, str]] = {}
    for parent, child in rendered.edges:
        if parent not in by_parent:
            by_parent[parent] = _static_refs(env, rendered.files.get(parent))
        refs = by_parent[parent]
        kinds[(parent, child)] = refs.get(child) or refs.get(_DYNAMIC, "reference")
    return kinds


def _static_refs(env: jinja2.Environment, path: Path | None) -> dict[str, str]:
    if path is None:
        return {}
    try:
        tree = env.parse(path.read_text(encoding="utf-8"))
    except (OSError, jinja2.TemplateError):
        return {}
    out: dict[str, str] = {}
    dynamic: set[str] = set()
    for node, kind in (
        *((n, "extends") for n in tree.find_all(nodes.Extends)),
        *((n, "include") for n in tree.find_all(nodes.Include)),
        *((n, "import") for n in tree.find_all(nodes.Import)),
        *((n, "import") for n in tree.find_all(nodes.FromImport)),
    ):
        target = node.template
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            out.setdefault(target.value, kind)
        else:
            dynamic.add(kind)
    if len(dynamic) == 1:
        # Names computed at run time ("{{ x }}.yaml"): if every computed
        # reference in the file is of one kind, that is the kind of the edge.
        out[_DYNAMIC] = dynamic.pop()
    return out


def graph_json(rendered: Rendered, describe: Any) -> dict[str, list[dict[str, Any]]]:
    """``{nodes: [{id, path, lab_path, root}], edges: [{source, target, kind}]}``.

    ``describe(path)`` adds per-file fields (the service passes one that gives
    the JupyterLab-relative path).
    """
    kinds = edge_kinds(rendered)
    names = [rendered.name]
    for parent, child in rendered.edges:
        for n in (parent, child):
            if n not in names:
                names.append(n)
    node_list = []
    for n in names:
        path = rendered.files.get(n)
        node_list.append({"id": n, "root": n == rendered.name, **describe(path)})
    edges = [{"source": p, "target": c, "kind": kinds[(p, c)]} for p, c in rendered.edges]
    return {"nodes": node_list, "edges": edges}


def graph_dot(rendered: Rendered) -> str:
    """The same graph in Graphviz dot (an edge points from a template to what it uses)."""
    kinds = edge_kinds(rendered)
    lines = ["digraph templates {", "  rankdir=LR;", "  node [shape=box];"]
    lines.append(f"  {_q(rendered.name)} [style=bold];")
    for parent, child in rendered.edges:
        style = "" if kinds[(parent, child)] == "extends" else " [style=dashed]"
        lines.append(f"  {_q(parent)} -> {_q(child)}{style};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _q(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
