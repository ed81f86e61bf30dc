"""What a tool is, how app modules register theirs, and lookups every app shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from assay.envs.records import Person
from assay.envs.schema import Validator, compile_schema
from assay.envs.universe import Universe
from assay.errors import InvalidInput, NotFound

Handler = Callable[[Universe, dict[str, Any]], Any]
"""Runs a tool: reads or changes the universe and returns a JSON-ready result."""


@dataclass(frozen=True, slots=True)
class Tool:
    """One function an agent can call, with its JSON-schema parameters.

    Attributes:
        name: the function name (``mail_send``); unique across the universe.
        app: the app it belongs to (``mail``, ``chat``, ... or ``system``); faults target apps.
        description: what it does, for the model.
        parameters: JSON schema of the arguments (an object).
        handler: the implementation.
        writes: whether it can change state (read-only tools may be served stale).

    """

    name: str
    app: str
    description: str
    parameters: dict[str, Any]
    handler: Handler
    writes: bool = False
    validate: Validator = field(default=lambda arguments: [], repr=False, compare=False)

    def spec(self) -> dict[str, Any]:
        """Name, description and parameters, as MCP and the HTTP server list them."""
        return {"name": self.name, "description": self.description, "parameters": self.parameters}

    def openai(self) -> dict[str, Any]:
        """Return the tool in OpenAI chat-completions ``tools`` format."""
        return {"type": "function", "function": self.spec()}

    def renamed(self, rename: Mapping[str, str], note: str) -> Tool:
        """Return this tool after its API drifted: parameters renamed, description changed.

        Calls must use the new names; the handler still receives the old ones.
        """
        back = {new: old for old, new in rename.items()}
        props = {
            rename.get(key, key): (
                {**value, "description": f"{value.get('description', '')} (was '{key}')".strip()}
                if key in rename
                else value
            )
            for key, value in self.parameters["properties"].items()
        }
        schema = {
            **self.parameters,
            "properties": props,
            "required": [rename.get(key, key) for key in self.parameters["required"]],
        }
        inner = self.handler

        def handler(universe: Universe, arguments: dict[str, Any]) -> Any:
            return inner(universe, {back.get(key, key): value for key, value in arguments.items()})

        description = f"{self.description} {note}".strip()
        return replace(
            self,
            description=description,
            parameters=schema,
            handler=handler,
            validate=compile_schema(schema),
        )


def registrar(registry: list[Tool], app: str) -> Callable[..., Callable[[Handler], Handler]]:
    """Make a decorator factory that adds an app's tools to ``registry``."""

    def register(
        name: str, description: str, schema: dict[str, Any], *, writes: bool = False
    ) -> Callable[[Handler], Handler]:
        def add(handler: Handler) -> Handler:
            registry.append(
                Tool(name, app, description, schema, handler, writes, compile_schema(schema))
            )
            return handler

        return add

    return register


def resolve_person(universe: Universe, ref: str) -> Person:
    """Find a person by id, email, handle (with or without ``@``) or full name.

    Raises:
        NotFound: nobody matches.

    """
    people = universe.people
    if ref in people:
        return people[ref]
    key = ref.strip().lower().lstrip("@")
    for person in people.values():
        if key in (person.email.lower(), person.handle.lower(), person.name.lower()):
            return person
    raise NotFound(f"no person matches {ref!r}", details={"person": ref})


def company_domain(universe: Universe) -> str:
    """Return the mail domain of the company the actor works for."""
    return universe.actor_person.email.rpartition("@")[2].lower()


def resolve_address(universe: Universe, ref: str) -> str:
    """Resolve ``ref`` to a mail address: a person reference, or any outside address.

    Raises:
        NotFound: an address at the company's own domain that has no mailbox, or an unknown name.
        InvalidInput: the reference is empty.

    """
    ref = ref.strip()
    if not ref:
        raise InvalidInput("empty mail address")
    if "@" not in ref.lstrip("@"):
        return resolve_person(universe, ref).email
    address = ref.lower()
    if address.rpartition("@")[2] == company_domain(universe):
        return resolve_person(universe, address).email.lower()
    return address


def matches_query(text: str, query: str) -> bool:
    """Whether every word of ``query`` occurs in ``text`` (already lower-cased)."""
    return all(word in text for word in query.lower().split())


def snippet(text: str, size: int = 120) -> str:
    """Return the start of ``text`` on one line, cut at ``size`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= size else line[: size - 3] + "..."


def require_text(value: str, name: str) -> str:
    """``value`` stripped; raises InvalidInput when it is blank."""
    stripped = value.strip()
    if not stripped:
        raise InvalidInput(f"{name!r} must not be empty")
    return stripped


def newest_first(items: Iterable[Any], key: str) -> list[Any]:
    """Sort records by a timestamp attribute (then id), newest first."""
    return sorted(items, key=lambda item: (getattr(item, key), item.id), reverse=True)
