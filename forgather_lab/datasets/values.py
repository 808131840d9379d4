"""Row values made JSON: whole for trainers, cut short for people (job side, stdlib only).

Arrow and the file readers give plain Python values, but not only JSON
ones: bytes (an image's), dates, decimals, NaN. For training every value is
kept whole (bytes as base64, a non-finite float as null); for a preview,
long strings and lists are cut short and bytes are summarised, so one wide
row cannot make a page of the Lab view megabytes long.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import math
from typing import Any

PREVIEW_TEXT = 500  # characters of a string shown in a preview
PREVIEW_ITEMS = 20  # items of a list shown in a preview


def for_training(value: Any) -> Any:
    """``value`` as JSON, nothing lost that JSON can hold."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, dict):
        return {str(k): for_training(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [for_training(v) for v in value]
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return str(value)


def for_preview(value: Any) -> Any:
    """``value`` as JSON for a table cell: long strings and lists cut, bytes summarised."""
    if isinstance(value, str):
        return value if len(value) <= PREVIEW_TEXT else value[:PREVIEW_TEXT] + "…"
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(bytes(value))} bytes>"
    if isinstance(value, dict):
        return {str(k): for_preview(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        shown = [for_preview(v) for v in value[:PREVIEW_ITEMS]]
        if len(value) > PREVIEW_ITEMS:
            shown.append(f"… {len(value) - PREVIEW_ITEMS} more")
        return shown
    return for_training(value)
