"""The routes as the server registers them at start: patterns, and handlers loaded on use.

Importing the handler modules (and through them pydantic, every model and
every service) was most of what the extension added to a server's start, and
the first requests a server answers (``/api/status``, the Lab page) need none
of it. So each route is registered with a stand-in class that imports the
real handler's module when a request first reaches it (the runtime has
imported them by then, in the background: ``app.py``).

``routes.py`` stays the source of the route table: the OpenAPI document, the
Hub's forwarding and the tests read it. ``route_table.py`` is generated from it
(``python -m forgather_lab.handlers.lazy``); a test checks that it is current.
"""

from __future__ import annotations

import importlib
import json
from typing import Any

from jupyter_server.base.handlers import APIHandler

from .route_table import FALLBACK, TABLE

PACKAGE = "forgather_lab.handlers"  # spelled out: ``python -m`` runs this as __main__


def lazy_handler(target: str) -> type[APIHandler]:
    """A class tornado instantiates as it would ``target``'s (``"module:Class"``).

    It declares no verbs itself, so Jupyter's check that every verb is
    authenticated passes; the instance is the real handler's, whose verbs are.
    """
    module, _, name = target.partition(":")

    class Lazy(APIHandler):
        def __new__(cls, application: Any, request: Any, **kwargs: Any) -> Any:
            real = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
            return real(application, request, **kwargs)

    Lazy.__name__ = Lazy.__qualname__ = f"Lazy{name}"
    return Lazy


def handlers() -> list[tuple[str, type[APIHandler]]]:
    """(pattern, stand-in) of every route, then the JSON 404 for the rest of the API."""
    return [(pattern, lazy_handler(target)) for pattern, target in (*TABLE, FALLBACK)]


def generate() -> str:
    """``route_table.py``'s text, from ``routes.py`` (which imports every handler)."""
    from . import fallback
    from .routes import ROUTES

    def target(handler: type) -> str:
        return f"{handler.__module__.removeprefix(PACKAGE + '.')}:{handler.__name__}"

    def row(pattern: str, handler: type, indent: str) -> str:
        # Laid out as ruff formats it (strings in JSON's quotes are Python's too).
        inner = indent + "    "
        return f"{indent}(\n{inner}{json.dumps(pattern)},\n{inner}{json.dumps(target(handler))},\n"

    rows = "".join(row(r.pattern, r.handler, "    ") + "    ),\n" for r in ROUTES)
    return (
        '"""Generated from ``routes.py`` by ``python -m forgather_lab.handlers.lazy``."""\n'
        "\n"
        "# (tornado pattern, handler as module:Class), in the route table's order.\n"
        f"TABLE: tuple[tuple[str, str], ...] = (\n{rows})\n"
        f"FALLBACK = {row(fallback.PATTERN, fallback.UnknownEndpointHandler, '')})\n"
    )


if __name__ == "__main__":
    from pathlib import Path

    Path(__file__).with_name("route_table.py").write_text(generate())
