"""API models: what crosses the wire, named by verb, kept apart from table rows.

The OpenAPI document is generated from these (pydantic JSON Schema), so the
models are the single source of truth for request and response shapes.
"""

from .base import ApiModel, ErrorReply
from .health import DescribeHealth

__all__ = ["ApiModel", "DescribeHealth", "ErrorReply"]
