"""The ``dynamic_args`` schema of a config and the coercion of values against it.

A rendered config may declare arguments a user can set per run::

    dynamic_args:
      max_steps: {type: int, default: 500, help: "Optimizer steps"}
      device: {type: str, default: cpu, choices: [cpu, cuda]}
      compile: {action: store_true, help: "torch.compile the model"}

Values become Jinja variables of the same name when the config is rendered
(see ``render.py``), so they reach every part of the config, the job block
included.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from ..errors import BadRequest
from ..models.projects import DynamicArg

ArgType = Literal["int", "float", "str", "bool", "path"]
ARG_TYPES: tuple[str, ...] = ("int", "float", "str", "bool", "path")


@dataclass(frozen=True)
class ArgSpec:
    """One dynamic argument."""

    name: str
    type: ArgType = "str"
    default: Any = None
    help: str = ""
    choices: list[Any] | None = None
    action: Literal["store_true", "store_false"] | None = None

    def describe(self) -> DynamicArg:
        """The API's form of this argument (one field of the overrides form)."""
        return DynamicArg(
            name=self.name,
            type=self.type,
            default=self.default,
            help=self.help,
            choices=self.choices,
            action=self.action,
        )


def parse_schema(block: Any, where: str) -> list[ArgSpec]:
    """The ``dynamic_args`` mapping of a rendered config as specs (400 when malformed)."""
    if block is None:
        return []
    if not isinstance(block, dict):
        raise BadRequest(f"{where}: 'dynamic_args' must be a mapping of name to spec")
    specs = []
    for name, raw in block.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise BadRequest(f"{where}: dynamic arg name {name!r} must be an identifier")
        raw = raw if isinstance(raw, dict) else {"default": raw}
        unknown = set(raw) - {"type", "default", "help", "choices", "action", "names"}
        if unknown:
            raise BadRequest(f"{where}: dynamic arg {name!r} has unknown keys {sorted(unknown)}")
        action = raw.get("action")
        if action not in (None, "store_true", "store_false"):
            raise BadRequest(f"{where}: dynamic arg {name!r}: action must be store_true/false")
        kind = raw.get("type", "bool" if action else _infer(raw.get("default")))
        if kind not in ARG_TYPES:
            raise BadRequest(f"{where}: dynamic arg {name!r}: type must be one of {ARG_TYPES}")
        choices = raw.get("choices")
        if choices is not None and not isinstance(choices, list):
            raise BadRequest(f"{where}: dynamic arg {name!r}: choices must be a list")
        default = raw.get("default")
        if action is not None and default is None:
            default = action == "store_false"
        spec = ArgSpec(name, kind, None, str(raw.get("help") or ""), choices, action)
        if default is not None:
            default = coerce_one(spec, default, where)
        specs.append(ArgSpec(name, kind, default, str(raw.get("help") or ""), choices, action))
    return specs


def _infer(default: Any) -> str:
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, int):
        return "int"
    if isinstance(default, float):
        return "float"
    return "str"


def coerce_one(spec: ArgSpec, value: Any, where: str = "dynamic args") -> Any:
    """``value`` as ``spec.type`` (strings from forms are accepted); 400 if impossible."""
    if value is None:
        return None
    try:
        if spec.type == "bool":
            out: Any = _bool(value)
        elif spec.type == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError(value)
            out = int(value)
        elif spec.type == "float":
            if isinstance(value, bool):
                raise ValueError(value)
            out = float(value)
        else:
            if not isinstance(value, (str, int, float)):
                raise ValueError(value)
            out = str(value)
    except (TypeError, ValueError) as e:
        raise BadRequest(f"{where}: {spec.name} expects {spec.type}, not {value!r}") from e
    if spec.choices is not None and out not in spec.choices:
        raise BadRequest(f"{where}: {spec.name} must be one of {spec.choices}, not {out!r}")
    return out


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in {"true", "1", "yes", "on"}:
        return True
    if isinstance(value, str) and value.lower() in {"false", "0", "no", "off", ""}:
        return False
    raise ValueError(value)


def resolve_values(
    specs: list[ArgSpec], values: dict[str, Any], where: str, strict: bool
) -> tuple[dict[str, Any], list[str]]:
    """Defaults overlaid with ``values``; returns (values, ignored names).

    With ``strict`` an unknown name is a 400 (an explicit request); without,
    it is ignored and reported (stored overrides outliving a schema change).
    """
    by_name = {s.name: s for s in specs}
    unknown = sorted(set(values) - set(by_name))
    if strict and unknown:
        raise BadRequest(f"{where}: unknown dynamic args {unknown}; known: {sorted(by_name)}")
    out = {s.name: s.default for s in specs}
    for name, value in values.items():
        if name in by_name:
            out[name] = coerce_one(by_name[name], value, where)
    return out, unknown
