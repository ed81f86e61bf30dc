from __future__ import annotations

import pytest

from assay.envs.schema import boolean, compile_schema, integer, parameters, string, strings

SCHEMA = parameters(
    ["to", "kind"],
    to=strings("who"),
    kind=string("what", enum=("a", "b")),
    count=integer("how many", minimum=1, maximum=5),
    loud=boolean("how"),
    ratio={"type": "number", "description": "share"},
)
validate = compile_schema(SCHEMA)


def test_valid_arguments_pass() -> None:
    assert validate({"to": ["x"], "kind": "a", "count": 5, "loud": False, "ratio": 0.5}) == []
    assert validate({"to": [], "kind": "b", "ratio": 2}) == []


@pytest.mark.parametrize(
    ("arguments", "problem"),
    [
        ({"kind": "a"}, "missing required parameter 'to'"),
        ({"to": ["x"], "kind": "a", "extra": 1}, "unknown parameter 'extra'"),
        ({"to": "x", "kind": "a"}, "'to' must be a list of strings"),
        ({"to": [1], "kind": "a"}, "'to' must be a list of strings"),
        ({"to": [], "kind": "c"}, "'kind' must be one of ['a', 'b']"),
        ({"to": [], "kind": 1}, "'kind' must be a string"),
        ({"to": [], "kind": "a", "count": 0}, "'count' must be between 1 and 5"),
        ({"to": [], "kind": "a", "count": 1.5}, "'count' must be an integer"),
        ({"to": [], "kind": "a", "count": True}, "'count' must be a number"),
        ({"to": [], "kind": "a", "loud": "yes"}, "'loud' must be a boolean"),
        ({"to": [], "kind": "a", "ratio": "1"}, "'ratio' must be a number"),
    ],
)
def test_each_problem_is_named(arguments: dict[str, object], problem: str) -> None:
    assert validate(arguments) == [problem]


def test_every_problem_is_reported_at_once() -> None:
    assert len(validate({"extra": 1})) == 3


def test_unsupported_schema_types_are_refused_at_compile_time() -> None:
    with pytest.raises(ValueError):
        compile_schema(parameters(blob={"type": "object", "description": "x"}))
