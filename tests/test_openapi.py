"""The OpenAPI document tells the truth about the route table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from forgather_lab.handlers.openapi import implemented_verbs, openapi_document
from forgather_lab.handlers.routes import ROUTES

DOC_FILE = Path(__file__).parent.parent / "docs" / "openapi.json"


def test_every_implemented_verb_is_documented() -> None:
    missing = [
        f"{verb.upper()} {route.path} ({route.handler.__name__})"
        for route in ROUTES
        for verb, method in implemented_verbs(route.handler).items()
        if not hasattr(method, "__forgather_operation__")
    ]
    assert missing == [], "add @operation(...) to: " + ", ".join(missing)


def test_document_matches_route_table() -> None:
    doc = openapi_document()
    documented = {(p, v) for p, item in doc["paths"].items() for v in item}
    routed = {(r.openapi_path, v) for r in ROUTES for v in implemented_verbs(r.handler)}
    assert documented == routed


def test_schema_refs_resolve() -> None:
    doc = openapi_document()
    text = json.dumps(doc)
    schemas = doc["components"]["schemas"]
    import re

    for ref in set(re.findall(r'"#/components/schemas/([^"]+)"', text)):
        assert ref in schemas, ref


def test_published_copy_is_current() -> None:
    """docs/openapi.json is regenerated with ``python -m forgather_lab.handlers.openapi``."""
    assert json.loads(DOC_FILE.read_text()) == openapi_document()


async def test_served_document_equals_generated(api: Any) -> None:
    status, body = await api("openapi.json")
    assert status == 200
    assert body == json.loads(json.dumps(openapi_document()))
