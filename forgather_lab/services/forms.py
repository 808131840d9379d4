"""The launch dialogs' fields: each service kind's parameter model as a flat JSON Schema.

The Lab renders one dialog per service kind (Inference…, TensorBoard…,
Docs…, Dataset server…) from ``GET /services/kinds``, so the parameter
models stay the one source of truth for the API, the checks and the forms.
Pydantic's schema is flattened to what a form can show: optional fields
lose their ``null`` branch (left empty, they keep their default), a field
given as a path says ``"format": "path"``, and mappings (``env``) are left
out: the API still takes them.
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..models.datasets import DatasetServerParams
from ..models.docsite import DocsParams
from ..models.inference import InferenceParams, TensorBoardParams

# JSON Schema keywords a form field uses; the rest (titles of $defs, patterns) stay behind.
KEPT = (
    "type",
    "title",
    "description",
    "default",
    "enum",
    "format",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "items",
    "pattern",
)
RENDERED = frozenset({"string", "number", "integer", "boolean", "array"})


@dataclass(frozen=True)
class ServiceForm:
    """A service kind the Lab offers a dialog for: its type, label and parameter model."""

    type: str
    label: str
    params: builtins.type[BaseModel]
    #: What the dialog says the service does.
    description: str = ""
    #: Fields holding a path (string, or each item of a list), shown with a path hint.
    paths: frozenset[str] = frozenset()


def _field(prop: dict[str, Any], is_path: bool) -> dict[str, Any] | None:
    branches = [b for b in prop.get("anyOf", []) if b.get("type") != "null"]
    merged = {**(branches[0] if len(branches) == 1 else {}), **prop}
    merged.pop("anyOf", None)
    if merged.get("type") not in RENDERED:
        return None
    if merged["type"] == "array" and merged.get("items", {}).get("type") != "string":
        return None
    out = {k: merged[k] for k in KEPT if k in merged}
    if is_path:
        if out["type"] == "array":
            out["items"] = {**out["items"], "format": "path"}
        else:
            out["format"] = "path"
    return out


def form_schema(form: ServiceForm) -> dict[str, Any]:
    """``{"type": "object", "properties": {...}, "required": [...]}`` for the dialog."""
    schema = form.params.model_json_schema()
    properties: dict[str, Any] = {}
    for name, prop in schema.get("properties", {}).items():
        field = _field(prop, name in form.paths)
        if field is not None:
            properties[name] = field
    required = [n for n in schema.get("required", []) if n in properties]
    out: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    if form.description:
        out["description"] = form.description
    return out


def builtin_forms() -> list[ServiceForm]:
    """The launch dialogs of the service kinds (``GET /services/kinds``), in menu order."""
    return [
        ServiceForm(
            "inference",
            "Inference",
            InferenceParams,
            "An OpenAI-compatible server on a checkpoint (or any server command), for the chat",
            frozenset({"model_path", "cwd"}),
        ),
        ServiceForm(
            "tensorboard",
            "TensorBoard",
            TensorBoardParams,
            "TensorBoard on a folder of event files, behind the Lab's proxy",
            frozenset({"logdir"}),
        ),
        ServiceForm(
            "docs",
            "Docs",
            DocsParams,
            "A project's MkDocs site (mkdocs serve), behind the Lab's proxy",
            frozenset({"config_file"}),
        ),
        ServiceForm(
            "dataset_server",
            "Dataset server",
            DatasetServerParams,
            "Local datasets served to training jobs over loopback",
            frozenset({"paths"}),
        ),
    ]
