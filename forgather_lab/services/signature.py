"""A service's identity: a hash of its job type and normalised arguments.

The arguments are normalised by the job kind's own ``prepare`` (absolute
paths, defaults filled in) before hashing, and a job record stores exactly
those prepared params, so a configured service, the job it started and an
identical job someone queued by hand all have the same signature. Operator
meta (name, enabled, priority, requested GPUs) is not part of it.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

META_KEYS = frozenset({"enabled", "priority", "requested_gpus", "name"})


def normalise(value: Any) -> Any:
    """Drop ``None`` values and empty containers, recursively; sort nothing (JSON does)."""
    if isinstance(value, dict):
        out = {str(k): normalise(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, {}, [])}
    if isinstance(value, list | tuple):
        return [normalise(v) for v in value]
    return value


def signature(job_type: str, params: dict[str, Any]) -> str:
    """``sha256(type, normalised params)``, 16 hex characters."""
    args = {k: v for k, v in params.items() if k not in META_KEYS}
    text = json.dumps([job_type, normalise(args)], sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]
