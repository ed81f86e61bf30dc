"""Whether a variant template can stand in for a project's: same answers, same payload keys.

An A/B experiment on the template shows some workers another template. Their answers are
aggregated, checked against gold and delivered with everyone else's, so the variant may change
how a task looks and how questions are worded, but not what an answer can be:

* every question of the project is asked, under the same name and type, with the same answer
  space (option values, scale, criteria and points, span or box labels, sources), and no other
  question is added;
* every field reads a payload key the project's template reads, with the same kind, and is
  required only where the project requires it (so every task imported for the project fits).

Wording, help, order, option labels and hotkeys, length limits, whether a question is required
and which fields are shown may all differ.
"""

from __future__ import annotations

import json
from typing import Any

from assay.domain.questions import RatingQuestion
from assay.domain.template import Template

# Keys of a question that change how it is shown or how much is asked, not what it means.
_SHOWN = frozenset(
    {
        "prompt",
        "help",
        "required",
        "placeholder",
        "min_length",
        "max_length",
        "min_selections",
        "max_selections",
        "require_reason",
        "strength_labels",
        "min_boxes",
        "max_boxes",
    }
)
# Keys of the entries of a question's lists (options, axes, criteria, items) that are only shown.
_SHOWN_IN_ENTRIES = frozenset({"label", "hotkey", "help", "description"})


def _normal(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if k not in _SHOWN_IN_ENTRIES}
    if isinstance(value, list):
        return sorted((_normal(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def answer_space(question: Any) -> dict[str, Any]:
    """Return what a question's answers can be, with everything merely shown left out."""
    dumped: dict[str, Any] = question.model_dump(mode="json")
    shown = _SHOWN | ({"labels"} if isinstance(question, RatingQuestion) else set())
    return {k: _normal(v) for k, v in dumped.items() if k not in shown}


def _question_problems(project: Template, variant: Template) -> list[str]:
    ours, theirs = project.questions_by_name, variant.questions_by_name
    problems = [f"question {name!r} is missing" for name in ours if name not in theirs]
    problems += [
        f"question {name!r} is not asked by the project" for name in theirs if name not in ours
    ]
    for name in ours.keys() & theirs.keys():
        if answer_space(ours[name]) != answer_space(theirs[name]):
            problems.append(
                f"question {name!r} allows other answers than the project's (same type, option"
                " values, scale, criteria, labels and source are required)"
            )
    return sorted(problems)


def _field_problems(project: Template, variant: Template) -> list[str]:
    by_key = {field.key: field for field in project.fields}
    problems = []
    for field in variant.fields:
        ours = by_key.get(field.key)
        if ours is None:
            problems.append(
                f"field {field.name!r} reads payload key {field.key!r}, unknown to the project"
            )
        elif ours.kind != field.kind:
            problems.append(
                f"field {field.name!r} shows {field.key!r} as {field.kind}, not {ours.kind}"
            )
        elif field.required and not ours.required:
            problems.append(f"field {field.name!r} requires {field.key!r}, optional in the project")
    return problems


def variant_template_problems(project: Template, variant: Template) -> list[str]:
    """Return why ``variant`` cannot replace ``project`` in an experiment (empty: it can).

    Args:
        project: The project's template.
        variant: The template a variant would show instead.

    Returns:
        One sentence per problem, e.g. ``"question 'sentiment' is missing"``.

    """
    return _question_problems(project, variant) + _field_problems(project, variant)
