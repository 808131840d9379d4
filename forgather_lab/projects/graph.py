"""The template dependency graph of a rendered config, as JSON or Graphviz dot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Literal

import jinja2
from jinja2 import nodes

from ..models.projects import GraphEdge, GraphNode
from .render import Rendered

EdgeKind = Literal["extends", "include", "import", "reference"]
_DYNAMIC = "\x00dynamic"  # key for references whose name is computed


def edge_kinds(rendered: Rendered) -> dict[tuple[str, str], EdgeKind]:
    """Label each recorded edge ``extends`` / ``include`` / ``import`` from the
    parent's syntax tree (the runtime hook only says that a reference happened)."""
    kinds: dict[tuple[str, str], EdgeKind] = {}
    env = jinja2.Environment(line_statement_prefix="--", line_comment_prefix="##")  # noqa: S701 - parsing only
    by_parent: dict[str, dict[str, EdgeKind]] = {}
    for parent, child in rendered.edges:
        if parent not in by_parent:
            by_parent[parent] = _static_refs(env, rendered.sources.get(parent))
        refs = by_parent[parent]
        kinds[(parent, child)] = refs.get(child) or refs.get(_DYNAMIC, "reference")
    return kinds


def _static_refs(env: jinja2.Environment, source: str | None) -> dict[str, EdgeKind]:
    if source is None:
        return {}
    try:
        tree = env.parse(source)
    except jinja2.TemplateError:
        return {}
    out: dict[str, EdgeKind] = {}
    dynamic: set[EdgeKind] = set()
    refs: list[tuple[nodes.Expr, EdgeKind]] = [
        *((n.template, "extends") for n in tree.find_all(nodes.Extends)),
        *((n.template, "include") for n in tree.find_all(nodes.Include)),
        *((n.template, "import") for n in tree.find_all(nodes.Import)),
        *((n.template, "import") for n in tree.find_all(nodes.FromImport)),
    ]
    for target, kind in refs:
        if isinstance(target, nodes.Const) and isinstance(target.value, str):
            out.setdefault(target.value, kind)
        else:
            dynamic.add(kind)
    if len(dynamic) == 1:
        # Names computed at run time ("{{ x }}.yaml"): if every computed
        # reference in the file is of one kind, that is the kind of the edge.
        out[_DYNAMIC] = dynamic.pop()
    return out


def graph_json(
    rendered: Rendered, lab: Callable[[Path | None], str | None]
) -> tuple[list[GraphNode], list[GraphEdge]]:
    """The nodes (every template the config used, the config itself ``root``) and the
    edges (template -> what it uses). ``lab(path)`` gives each file's JupyterLab path.
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
        node_list.append(
            GraphNode(
                id=n, root=n == rendered.name, path=str(path) if path else None, lab_path=lab(path)
            )
        )
    edges = [GraphEdge(source=p, target=c, kind=kinds[(p, c)]) for p, c in rendered.edges]
    return node_list, edges


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
