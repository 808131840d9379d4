"""The OpenAPI 3 document, generated from the route table and the models."""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel

from .._version import __version__
from ..models import ErrorReply
from .base import Operation
from .routes import ROUTES

VERBS = ("get", "post", "put", "delete", "patch")
_RAW_SCHEMAS: dict[str, dict[str, Any]] = {
    "text/plain": {"type": "string"},
    "application/json": {"type": "object"},
}


def implemented_verbs(handler: type) -> dict[str, Any]:
    """The verbs a handler class defines itself or inherits from ours (not tornado's)."""
    from tornado.web import RequestHandler

    return {
        v: getattr(handler, v)
        for v in VERBS
        if getattr(handler, v) is not getattr(RequestHandler, v)
    }


@functools.cache
def openapi_document() -> dict[str, Any]:
    """Build the document once per process; the routes are static."""
    schemas: dict[str, Any] = {}
    paths: dict[str, Any] = {}
    for route in ROUTES:
        item: dict[str, Any] = {}
        params = [
            {
                "name": name,
                "in": "path",
                "required": True,
                "schema": {"type": "integer" if kind else "string"},
            }
            for name, kind in re.findall(r"\{(\w+)(:int)?\}", route.path)
        ]
        for verb, method in implemented_verbs(route.handler).items():
            op: Operation | None = getattr(method, "__forgather_operation__", None)
            if op is None:
                continue  # the route-table test reports it
            item[verb] = _operation(op, params, schemas, route.handler.__name__, verb)
        paths[route.openapi_path] = item
    schemas["ErrorReply"] = ErrorReply.model_json_schema()
    return {
        "openapi": "3.1.0",
        "info": {"title": "Forgather Lab API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"jupyterToken": {"type": "http", "scheme": "token"}},
        },
        "security": [{"jupyterToken": []}],
    }


def _operation(
    op: Operation, params: list[dict[str, Any]], schemas: dict[str, Any], handler: str, verb: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "operationId": f"{handler.removesuffix('Handler')}_{verb}",
        "summary": op.summary,
        "parameters": list(params),
        "responses": {},
    }
    if op.query is not None:
        query_schema = op.query.model_json_schema()
        required = set(query_schema.get("required", []))
        for name, schema in query_schema.get("properties", {}).items():
            out["parameters"].append(
                {"name": name, "in": "query", "required": name in required, "schema": schema}
            )
    if op.body is not None:
        out["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": _ref(op.body, schemas)}},
        }
    ok: dict[str, Any] = {"description": "OK"}
    if op.response is not None:
        ok["content"] = {op.content_type: {"schema": _ref(op.response, schemas)}}
    elif op.status != 204:
        # Not a model (a log, a file, a proxied page): say at least what it is.
        ok["content"] = {op.content_type: {"schema": _RAW_SCHEMAS.get(op.content_type, {})}}
    out["responses"][str(op.status)] = ok
    for code, text in op.also.items():
        out["responses"][str(code)] = {**ok, "description": text}
    errors = {400: "bad request", 403: "not authenticated or not authorized", **op.errors}
    for code, text in sorted(errors.items()):
        if code in op.also:
            continue
        out["responses"][str(code)] = {
            "description": text,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ErrorReply"}}
            },
        }
    return out


def _ref(model: type[BaseModel], schemas: dict[str, Any]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        schemas[name] = sub
    schemas[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


__all__ = ["implemented_verbs", "openapi_document"]


if __name__ == "__main__":  # regenerate docs/openapi.json
    import json
    import sys

    json.dump(openapi_document(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
