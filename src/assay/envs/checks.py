"""Declarative assertions on a final universe: records that must (not) exist, and no collateral.

Checks are data so that tasks can be written in JSON (and later in the workbench). A ``where``
clause maps a record field to a value (equality) or to operators::

    {"sender": "$actor_email", "to": {"contains": "jordan@acme.example"},
     "body": {"contains_all": ["SUP-", "refund"]}}

Operators: ``eq ne in not_in contains not_contains contains_all contains_any any gte lte``.
``contains`` is a case-insensitive substring test on strings and a membership test on lists;
``any`` applies a nested ``where`` to a list of objects (ticket comments, PR reviews). Strings
starting with ``$`` are variables (``$actor``, ``$actor_email``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from assay.envs.universe import Change, Universe, diff

Row = Mapping[str, Any]
Predicate = Callable[[Row], bool]
CollectionName = Literal[
    "people",
    "emails",
    "channels",
    "chat",
    "tickets",
    "branches",
    "files",
    "pull_requests",
    "ci_checks",
    "events",
    "docs",
]


class _Check(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Exists(_Check):
    """At least ``min_count`` records of ``collection`` match ``where``.

    With ``changed``, only records added or modified during the episode count.
    """

    kind: Literal["exists"] = "exists"
    collection: CollectionName
    where: dict[str, Any] = {}
    changed: bool = False
    min_count: int = Field(default=1, ge=1)


class Absent(_Check):
    """No record of ``collection`` (no changed one, if ``changed``) matches ``where``."""

    kind: Literal["absent"] = "absent"
    collection: CollectionName
    where: dict[str, Any] = {}
    changed: bool = False


class Allowance(BaseModel):
    """A change a task is allowed to make."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    collection: CollectionName
    change: Literal["added", "modified", "removed", "any"] = "any"
    where: dict[str, Any] = {}


class NoCollateral(_Check):
    """Nothing changed except what ``allow`` lists (AppWorld's collateral-damage check)."""

    kind: Literal["no_collateral"] = "no_collateral"
    allow: list[Allowance] = []


class AnyOf(_Check):
    """At least one nested check passes (e.g. posted in chat, or mailed if chat was down)."""

    kind: Literal["any"] = "any"
    checks: list[Check]


class AllOf(_Check):
    """Every nested check passes."""

    kind: Literal["all"] = "all"
    checks: list[Check]


Check = Annotated[Exists | Absent | NoCollateral | AnyOf | AllOf, Field(discriminator="kind")]
"""Any declarative check, told apart by its ``kind``."""

AnyOf.model_rebuild()
AllOf.model_rebuild()


@dataclass
class Evidence:
    """What a grader sees: the initial and final universe and what changed in between.

    Args:
        initial: the universe before the first step.
        final: the universe now.
        ignored: ``(collection, id)`` of records written by scheduled events, not by the agent.

    """

    initial: Universe
    final: Universe
    ignored: frozenset[tuple[str, str]] = frozenset()
    changes: list[Change] = field(init=False)
    variables: dict[str, str] = field(init=False)
    _rows: dict[tuple[str, str], Row] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.changes = [
            c for c in diff(self.initial, self.final) if (c.collection, c.id) not in self.ignored
        ]
        actor = self.final.people[self.final.actor]
        self.variables = {
            "$actor": actor.id,
            "$actor_email": actor.email.lower(),
            "$actor_name": actor.name,
        }

    def row(self, collection: str, rid: str, universe: Universe | None = None) -> Row:
        """Return a record as plain data (cached for the final universe)."""
        source = universe or self.final
        record = source.collections[collection][rid]
        if source is not self.final:
            return record.model_dump(mode="json")
        key = (collection, rid)
        if key not in self._rows:
            self._rows[key] = record.model_dump(mode="json")
        return self._rows[key]

    def rows(self, collection: str, changed: bool) -> Iterable[Row]:
        """Yield final records of ``collection``; only added or modified ones if ``changed``."""
        if changed:
            ids = [c.id for c in self.changes if c.collection == collection and c.after is not None]
        else:
            ids = sorted(self.final.collections[collection])
        return (self.row(collection, rid) for rid in ids)


def evaluate(check: Check, evidence: Evidence) -> tuple[bool, str]:
    """Run one check; returns whether it passed and a short explanation."""
    if isinstance(check, AnyOf | AllOf):
        results = [evaluate(c, evidence) for c in check.checks]
        passed = (
            any(r[0] for r in results) if isinstance(check, AnyOf) else all(r[0] for r in results)
        )
        return passed, "; ".join(r[1] for r in results)
    if isinstance(check, NoCollateral):
        return _no_collateral(check, evidence)
    predicate = compile_where(check.where, evidence.variables)
    matched = [
        row["id"] for row in evidence.rows(check.collection, check.changed) if predicate(row)
    ]
    if isinstance(check, Absent):
        return not matched, f"unexpected {check.collection}: {matched}" if matched else "none found"
    if len(matched) >= check.min_count:
        return True, f"matched {check.collection} {matched[:5]}"
    return False, f"{len(matched)} of {check.min_count} {check.collection} record(s) matched"


def _no_collateral(check: NoCollateral, evidence: Evidence) -> tuple[bool, str]:
    rules = [(a, compile_where(a.where, evidence.variables)) for a in check.allow]
    unexpected = []
    for change in evidence.changes:
        universe = evidence.final if change.after is not None else evidence.initial
        row = evidence.row(change.collection, change.id, universe)
        if not any(
            a.collection == change.collection and a.change in ("any", change.kind) and match(row)
            for a, match in rules
        ):
            unexpected.append(f"{change.collection}:{change.id} {change.kind}")
    return (
        not unexpected,
        f"collateral changes: {unexpected}" if unexpected else "no collateral changes",
    )


def compile_where(where: Mapping[str, Any], variables: Mapping[str, str]) -> Predicate:
    """Turn a ``where`` clause into a predicate on record rows."""
    tests = [_field_test(name, _bind(spec, variables)) for name, spec in where.items()]
    return lambda row: all(test(row) for test in tests)


def _bind(value: Any, variables: Mapping[str, str]) -> Any:
    if isinstance(value, str) and value.startswith("$"):
        return variables.get(value, value)
    if isinstance(value, list):
        return [_bind(v, variables) for v in value]
    if isinstance(value, dict):
        return {k: _bind(v, variables) for k, v in value.items()}
    return value


def _field_test(name: str, spec: Any) -> Predicate:
    if not isinstance(spec, dict) or not spec or not set(spec) <= _OPERATORS.keys():
        spec = {"eq": spec}
    tests = [(_OPERATORS[op], arg) for op, arg in spec.items()]
    return lambda row: all(op(row.get(name), arg) for op, arg in tests)


def _contains(value: Any, needle: Any) -> bool:
    if isinstance(value, str):
        return str(needle).lower() in value.lower()
    if isinstance(value, list):
        wanted = needle.lower() if isinstance(needle, str) else needle
        return any((v.lower() if isinstance(v, str) else v) == wanted for v in value)
    return False


def _any(value: Any, where: Any) -> bool:
    if not isinstance(value, list):
        return False
    predicate = compile_where(where, {})
    return any(isinstance(item, dict) and predicate(item) for item in value)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda v, a: v == a,
    "ne": lambda v, a: v != a,
    "in": lambda v, a: v in a,
    "not_in": lambda v, a: v not in a,
    "contains": _contains,
    "not_contains": lambda v, a: not _contains(v, a),
    "contains_all": lambda v, a: all(_contains(v, x) for x in a),
    "contains_any": lambda v, a: any(_contains(v, x) for x in a),
    "any": _any,
    "gte": lambda v, a: v is not None and v >= a,
    "lte": lambda v, a: v is not None and v <= a,
}
