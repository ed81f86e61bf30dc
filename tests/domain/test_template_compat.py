"""Which variant templates may replace a project's in an experiment."""

from __future__ import annotations

import copy
from typing import Any

from assay.domain.template import parse_template
from assay.domain.template_compat import answer_space, variant_template_problems

PROJECT: dict[str, Any] = {
    "fields": [
        {"kind": "text", "name": "review"},
        {"kind": "text", "name": "title", "required": False},
    ],
    "questions": [
        {
            "type": "label",
            "name": "sentiment",
            "prompt": "Sentiment?",
            "options": [{"value": "pos"}, {"value": "neu"}, {"value": "neg"}],
        },
        {"type": "rating", "name": "clarity", "prompt": "Clear?", "min": 1, "max": 5},
        {"type": "text", "name": "why", "prompt": "Why?", "required": False},
    ],
}


def _problems(variant: dict[str, Any]) -> list[str]:
    return variant_template_problems(parse_template(PROJECT), parse_template(variant))


def test_the_same_template_is_compatible() -> None:
    assert _problems(copy.deepcopy(PROJECT)) == []


def test_wording_order_labels_limits_and_shown_fields_may_change() -> None:
    variant = copy.deepcopy(PROJECT)
    variant["fields"] = [{"kind": "text", "name": "body", "source": "review", "label": "Text"}]
    sentiment, clarity, why = variant["questions"]
    sentiment["prompt"] = "How does the writer feel?"
    sentiment["help"] = "Sarcasm counts as negative."
    sentiment["options"] = [
        {"value": "neg", "label": "Negative", "hotkey": "n"},
        {"value": "pos", "label": "Positive", "hotkey": "p"},
        {"value": "neu", "label": "Neutral"},
    ]
    clarity["labels"] = [{"value": 1, "label": "Muddled"}, {"value": 5, "label": "Crystal"}]
    why.update(required=True, min_length=30, placeholder="Quote the words that decided it")
    variant["questions"] = [why, sentiment, clarity]
    assert _problems(variant) == []


def test_a_changed_answer_space_is_refused() -> None:
    variant = copy.deepcopy(PROJECT)
    variant["questions"][0]["options"].append({"value": "mixed"})
    variant["questions"][1]["max"] = 7
    problems = _problems(variant)
    assert len(problems) == 2
    assert all("allows other answers" in p for p in problems)
    assert {p.split("'")[1] for p in problems} == {"sentiment", "clarity"}


def test_missing_and_extra_questions_are_refused() -> None:
    variant = copy.deepcopy(PROJECT)
    variant["questions"][2] = {"type": "text", "name": "reason", "prompt": "Reason?"}
    assert _problems(variant) == [
        "question 'reason' is not asked by the project",
        "question 'why' is missing",
    ]


def test_a_question_of_another_type_is_refused() -> None:
    variant = copy.deepcopy(PROJECT)
    variant["questions"][1] = {"type": "numeric", "name": "clarity", "prompt": "Clear?"}
    assert _problems(variant) == [
        "question 'clarity' allows other answers than the project's (same type, option values,"
        " scale, criteria, labels and source are required)"
    ]


def test_fields_must_read_known_keys_of_the_same_kind_and_not_require_optional_ones() -> None:
    variant = copy.deepcopy(PROJECT)
    variant["fields"] = [
        {"kind": "markdown", "name": "review"},
        {"kind": "text", "name": "title"},
        {"kind": "text", "name": "author"},
    ]
    assert _problems(variant) == [
        "field 'review' shows 'review' as markdown, not text",
        "field 'title' requires 'title', optional in the project",
        "field 'author' reads payload key 'author', unknown to the project",
    ]


def test_span_labels_are_part_of_the_answer_but_rating_labels_are_not() -> None:
    spans = parse_template(
        {
            "fields": [{"kind": "text", "name": "text"}],
            "questions": [
                {
                    "type": "spans",
                    "name": "entities",
                    "prompt": "Mark names.",
                    "source": "text",
                    "labels": ["PER", "ORG"],
                }
            ],
        }
    ).questions[0]
    other = spans.model_copy(update={"labels": ["PER", "LOC"]})
    reordered = spans.model_copy(update={"labels": ["ORG", "PER"]})
    assert answer_space(spans) != answer_space(other)
    assert answer_space(spans) == answer_space(reordered)
    rating = parse_template(PROJECT).questions[1]
    relabelled = rating.model_copy(update={"labels": None, "prompt": "Clarity"})
    assert answer_space(rating) == answer_space(relabelled)
