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

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

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
    params: type[BaseModel]
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
    if form.params.__doc__:
        out["description"] = form.params.__doc__.strip().splitlines()[0]
    return out
