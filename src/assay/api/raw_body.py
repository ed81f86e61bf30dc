"""JSON bodies read as bytes and checked by pydantic in one pass, documented as FastAPI would.

For the hot routes (bulk import, the worker loop): FastAPI decodes a body into Python objects
and then validates those, before the caller is authenticated; these routes authenticate first
and then validate straight from the bytes. A bad body gets FastAPI's own 422.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar, cast

from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

Model = TypeVar("Model", bound=BaseModel)


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(_raw_body)]


def parse_body(model: type[Model], body: bytes) -> Model:
    """Validate ``body`` as ``model``; RequestValidationError (a 422) when it does not fit."""
    if not body:
        missing = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
        raise RequestValidationError([missing])
    try:
        return model.model_validate_json(body)
    except ValidationError as error:
        problems = [
            {**problem, "loc": ("body", *problem["loc"])}
            for problem in error.errors(include_url=False)
        ]
        raise RequestValidationError(problems) from None


def documented_body(model: type[BaseModel]) -> dict[str, Any]:
    """The ``openapi_extra`` that documents ``model`` as the route's required JSON body."""
    schema = model.model_json_schema()
    nested = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        # The models a body nests are written in place: "#/$defs/..." means nothing in OpenAPI.
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return resolve(nested[ref.removeprefix("#/$defs/")])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(item) for item in node]
        return node

    content = {"application/json": {"schema": cast("dict[str, Any]", resolve(schema))}}
    return {"requestBody": {"required": True, "content": content}}
