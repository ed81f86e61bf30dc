"""Display fields of a task template: what a worker is shown, and where it sits in the payload."""

from __future__ import annotations

from typing import Annotated, Literal, Self

import pydantic

from assay.domain._spec import Identifier, ShortText, SpecModel, spec_error

FieldKind = Literal[
    "text", "markdown", "code", "chat", "image", "audio", "video", "model_responses"
]

TEXT_KINDS: frozenset[str] = frozenset({"text", "markdown", "code"})
"""Field kinds whose payload value is one string (the ones spans can be drawn on)."""

MEDIA_KINDS: frozenset[str] = frozenset({"image", "audio", "video"})
"""Field kinds whose payload value is an http(s) URL or a ``blob:<id>`` reference."""

MAX_MODEL_RESPONSES = 8

LanguageName = Annotated[str, pydantic.StringConstraints(pattern=r"^[a-z0-9][a-z0-9+#._-]{0,31}$")]


class _FieldBase(SpecModel):
    # Declared here, narrowed to a Literal by each kind, so that "kind" comes first in dumps.
    kind: str
    name: Identifier = pydantic.Field(
        description="Unique name of the field within the template (also unique among questions).",
        examples=["prompt"],
    )
    label: ShortText | None = pydantic.Field(
        default=None, description="Heading shown above the field; defaults to the name."
    )
    source: ShortText | None = pydantic.Field(
        default=None,
        description="Key of the task payload holding the value; defaults to the field's name.",
    )
    required: bool = pydantic.Field(
        default=True, description="Whether every task payload must hold a value for this field."
    )

    @pydantic.model_validator(mode="after")
    def _default_source(self) -> Self:
        if self.source is None:
            self.source = self.name
        return self

    @property
    def key(self) -> str:
        """The payload key of this field (``source``, which defaults to ``name``)."""
        return self.source or self.name


class TextField(_FieldBase):
    """Plain text, shown as written. Payload value: a string."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "text", "name": "review", "label": "Review"}]}
    )
    kind: Literal["text"]


class MarkdownField(_FieldBase):
    """Markdown, rendered (sanitised) for the worker. Payload value: a string."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "markdown", "name": "article"}]}
    )
    kind: Literal["markdown"]


class CodeField(_FieldBase):
    """Source code shown with syntax highlighting. Payload value: a string."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "code", "name": "patch", "language": "python"}]}
    )
    kind: Literal["code"]
    language: LanguageName = pydantic.Field(
        default="plaintext",
        description="Language used for highlighting (a lowercase name such as 'python').",
    )


class ChatField(_FieldBase):
    """A chat transcript. Payload value: a list of ``{"role": str, "content": str}`` messages."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "chat", "name": "conversation"}]}
    )
    kind: Literal["chat"]


class ImageField(_FieldBase):
    """An image. Payload value: an http(s) URL or a blob reference ``blob:<id>``."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "image", "name": "photo"}]}
    )
    kind: Literal["image"]


class AudioField(_FieldBase):
    """An audio clip. Payload value: an http(s) URL or a blob reference ``blob:<id>``."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "audio", "name": "recording"}]}
    )
    kind: Literal["audio"]


class VideoField(_FieldBase):
    """A video. Payload value: an http(s) URL or a blob reference ``blob:<id>``."""

    model_config = pydantic.ConfigDict(
        json_schema_extra={"examples": [{"kind": "video", "name": "clip"}]}
    )
    kind: Literal["video"]


class ModelResponsesField(_FieldBase):
    """Several model responses shown side by side.

    Payload value: a list of ``{"id"?: str, "model"?: str, "content": str}``; either every entry
    has a unique ``id`` or none has, in which case entries are identified by their index.
    """

    model_config = pydantic.ConfigDict(
        json_schema_extra={
            "examples": [{"kind": "model_responses", "name": "responses", "max_responses": 2}]
        }
    )
    kind: Literal["model_responses"]
    min_responses: int = pydantic.Field(
        default=2, ge=2, le=MAX_MODEL_RESPONSES, description="Fewest responses a payload may hold."
    )
    max_responses: int = pydantic.Field(
        default=MAX_MODEL_RESPONSES,
        ge=2,
        le=MAX_MODEL_RESPONSES,
        description="Most responses a payload may hold (2 for a pairwise comparison).",
    )

    @pydantic.model_validator(mode="after")
    def _check_bounds(self) -> Self:
        if self.min_responses > self.max_responses:
            raise spec_error(
                f"min_responses ({self.min_responses}) is above max_responses "
                f"({self.max_responses})",
                loc=("min_responses",),
            )
        return self


Field = Annotated[
    TextField
    | MarkdownField
    | CodeField
    | ChatField
    | ImageField
    | AudioField
    | VideoField
    | ModelResponsesField,
    pydantic.Field(discriminator="kind"),
]
"""Any display field, told apart by its ``kind``."""
