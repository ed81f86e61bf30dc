"""JSON-schema parameters for tools: small builders and a compiled validator.

Tool calls are validated on every step, so instead of a general JSON-schema engine (tens of
microseconds a call) each tool's schema is compiled once into a few closures that check only the
subset the tools use: objects of strings, integers, numbers, booleans, enums and string arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

Validator = Callable[[Mapping[str, Any]], list[str]]
"""Checks tool arguments; returns the problems found (empty when the arguments are valid)."""

_Check = Callable[[Any], str | None]


def string(description: str, *, enum: Sequence[str] | None = None) -> dict[str, Any]:
    """Describe a string parameter, optionally restricted to ``enum``."""
    schema: dict[str, Any] = {"type": "string", "description": description}
    if enum is not None:
        schema["enum"] = list(enum)
    return schema


def integer(
    description: str, *, minimum: int | None = None, maximum: int | None = None
) -> dict[str, Any]:
    """Describe an integer parameter with optional inclusive bounds."""
    schema: dict[str, Any] = {"type": "integer", "description": description}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def boolean(description: str) -> dict[str, Any]:
    """Describe a true/false parameter."""
    return {"type": "boolean", "description": description}


def strings(description: str) -> dict[str, Any]:
    """Describe a list-of-strings parameter."""
    return {"type": "array", "items": {"type": "string"}, "description": description}


def parameters(required: Sequence[str] = (), **properties: dict[str, Any]) -> dict[str, Any]:
    """Build the JSON schema of a tool's arguments: an object with no extra keys."""
    return {
        "type": "object",
        "properties": properties,
        "required": list(required),
        "additionalProperties": False,
    }


def compile_schema(schema: Mapping[str, Any]) -> Validator:
    """Compile an object schema built with ``parameters`` into a fast validator."""
    checks = {name: _compile_value(name, spec) for name, spec in schema["properties"].items()}
    required = tuple(schema.get("required", ()))

    def validate(arguments: Mapping[str, Any]) -> list[str]:
        problems = [
            f"missing required parameter {name!r}" for name in required if name not in arguments
        ]
        for name, value in arguments.items():
            check = checks.get(name)
            if check is None:
                problems.append(f"unknown parameter {name!r}")
                continue
            problem = check(value)
            if problem is not None:
                problems.append(problem)
        return problems

    return validate


def _compile_value(name: str, spec: Mapping[str, Any]) -> _Check:
    kind = spec.get("type")
    if kind == "string":
        return _string_check(name, spec.get("enum"))
    if kind in ("integer", "number"):
        return _number_check(name, kind, spec.get("minimum"), spec.get("maximum"))
    if kind == "boolean":
        return lambda value: None if isinstance(value, bool) else f"{name!r} must be a boolean"
    if kind == "array":
        return _array_check(name)
    raise ValueError(f"unsupported schema type {kind!r} for {name!r}")


def _string_check(name: str, enum: Sequence[str] | None) -> _Check:
    allowed = frozenset(enum) if enum is not None else None

    def check(value: Any) -> str | None:
        if not isinstance(value, str):
            return f"{name!r} must be a string"
        if allowed is not None and value not in allowed:
            return f"{name!r} must be one of {sorted(allowed)}"
        return None

    return check


def _number_check(name: str, kind: str, low: float | None, high: float | None) -> _Check:
    def check(value: Any) -> str | None:
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{name!r} must be a number"
        if kind == "integer" and not isinstance(value, int):
            return f"{name!r} must be an integer"
        if (low is not None and value < low) or (high is not None and value > high):
            return f"{name!r} must be between {low} and {high}"
        return None

    return check


def _array_check(name: str) -> _Check:
    def check(value: Any) -> str | None:
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            return f"{name!r} must be a list of strings"
        return None

    return check
