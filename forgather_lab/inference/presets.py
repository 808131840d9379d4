"""Generation presets: bundled read-only ones merged with the user's (in the db).

A user preset with a bundled preset's name shadows it; deleting that user
preset brings the bundled one back. Bundled presets cannot be deleted (403,
with a hint to save a user preset of that name instead). A preset saved as
bare parameters may use only the names in ``parameters.GENERATION_PARAMETERS``;
the ``{"params": {...}}`` form stores any names.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from importlib import resources
from typing import Any

from ..errors import BadRequest, Forbidden, NotFound
from ..models.inference import (
    DeletePresetResult,
    DescribePreset,
    ListPresets,
    PresetSummary,
    SavePreset,
)
from ..store import Database
from .parameters import GENERATION_PARAMETERS

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
MAX_PARAMS_BYTES = 16 * 1024


@cache
def bundled() -> dict[str, dict[str, Any]]:
    """The presets shipped with the package."""
    text = resources.files(__package__).joinpath("presets.json").read_text()
    data: dict[str, dict[str, Any]] = json.loads(text)
    return data


def check_name(name: str) -> str:
    """400 unless ``name`` is 1-64 letters, digits, ``_ . -``."""
    if not NAME.match(name):
        raise BadRequest(f"Invalid preset name {name!r}: use 1-64 letters, digits, '_', '.' or '-'")
    return name


class PresetsService:
    """List, read, save and delete presets."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def _user(self) -> dict[str, dict[str, Any]]:
        rows = await self.db.run(
            lambda c: c.execute("SELECT name, params FROM generation_presets").fetchall()
        )
        return {str(r[0]): json.loads(r[1]) for r in rows}

    async def list_presets(self) -> ListPresets:
        """Every preset name: bundled (maybe shadowed) and user, sorted."""
        user = await self._user()
        names = sorted(set(bundled()) | set(user))
        return ListPresets(
            presets=[
                PresetSummary(
                    name=n,
                    builtin=n in bundled() and n not in user,
                    shadowed=n in bundled() and n in user,
                )
                for n in names
            ]
        )

    async def get(self, name: str) -> DescribePreset:
        """One preset; the user's copy wins over the bundled one."""
        user = await self._user()
        if name in user:
            return DescribePreset(name=name, builtin=False, params=user[name])
        if name in bundled():
            return DescribePreset(name=name, builtin=True, params=dict(bundled()[name]))
        raise NotFound(f"No preset {name!r}")

    async def save(self, name: str, request: SavePreset) -> DescribePreset:
        """Create or overwrite a user preset (shadowing a bundled one of that name)."""
        check_name(name)
        params = request.params
        if not request.wrapped:
            check_parameter_names(params)
        text = json.dumps(params, sort_keys=True)
        if len(text) > MAX_PARAMS_BYTES:
            raise BadRequest(f"params: at most {MAX_PARAMS_BYTES} bytes of JSON")
        await self.db.run(
            lambda c: c.execute(
                "INSERT INTO generation_presets (name, params, updated_at) VALUES (?, ?, ?) "
                "ON CONFLICT (name) DO UPDATE SET params = excluded.params, "
                "updated_at = excluded.updated_at",
                (name, text, time.time()),
            )
        )
        return DescribePreset(name=name, builtin=False, params=params)

    async def delete(self, name: str) -> DeletePresetResult:
        """Delete a user preset; what the name means afterwards is returned."""
        deleted = await self.db.run(
            lambda c: c.execute("DELETE FROM generation_presets WHERE name = ?", (name,)).rowcount
        )
        if deleted:
            return DeletePresetResult(name=name, deleted=True, restored_builtin=name in bundled())
        if name in bundled():
            raise Forbidden(
                f"{name!r} is a bundled preset and is read-only. Save a preset named "
                f"{name!r} to override it (deleting that copy restores the bundled one)."
            )
        raise NotFound(f"No preset {name!r}")


def check_parameter_names(params: dict[str, Any]) -> None:
    """400 naming every key that is not a known generation parameter."""
    unknown = sorted(set(params) - GENERATION_PARAMETERS)
    if unknown:
        raise BadRequest(
            f"Unknown generation parameter{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(map(repr, unknown))}: the body holds OpenAI and HuggingFace generation "
            'parameters (docs/inference.md); to store other names, send {"params": {...}}'
        )
