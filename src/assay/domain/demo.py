"""Example templates, one per common kind of project, with a payload and an answer for each.

Plain JSON data (what a requester would send), used by the docs, the demo seed and tests.
Every template is valid, and every example payload and answer is valid for its template.
"""

from __future__ import annotations

from typing import Any

_LIKERT = ["Very poor", "Poor", "Acceptable", "Good", "Excellent"]

DEMO_TEMPLATES: dict[str, dict[str, Any]] = {
    "sentiment": {
        "fields": [{"kind": "text", "name": "review", "label": "Customer review"}],
        "questions": [
            {
                "type": "label",
                "name": "sentiment",
                "prompt": "What is the overall sentiment of this review?",
                "options": [
                    {"value": "positive", "label": "Positive", "hotkey": "1"},
                    {"value": "neutral", "label": "Neutral", "hotkey": "2"},
                    {"value": "negative", "label": "Negative", "hotkey": "3"},
                ],
            }
        ],
    },
    "rlhf_pairwise": {
        "fields": [
            {"kind": "chat", "name": "conversation", "label": "Conversation so far"},
            {"kind": "model_responses", "name": "responses", "max_responses": 2},
        ],
        "questions": [
            {
                "type": "pairwise",
                "name": "preference",
                "prompt": "Which response is better overall?",
                "source": "responses",
                "strength_levels": 3,
                "strength_labels": ["slightly better", "clearly better", "much better"],
                "axes": [
                    {"name": "helpfulness", "label": "More helpful"},
                    {"name": "harmlessness", "label": "Less harmful"},
                    {"name": "honesty", "label": "More honest"},
                ],
                "require_reason": True,
            }
        ],
    },
    "sft_writing": {
        "fields": [{"kind": "markdown", "name": "instruction", "label": "Instruction"}],
        "questions": [
            {
                "type": "text",
                "name": "response",
                "prompt": "Write the response an excellent assistant would give.",
                "help": "Answer fully and accurately; cite sources for facts that need them.",
                "min_length": 20,
                "max_length": 8000,
                "placeholder": "Your response...",
            }
        ],
    },
    "ner_spans": {
        "fields": [{"kind": "text", "name": "text", "label": "Sentence"}],
        "questions": [
            {
                "type": "spans",
                "name": "entities",
                "prompt": "Mark every named entity.",
                "source": "text",
                "labels": ["PER", "ORG", "LOC", "MISC"],
            }
        ],
    },
    "image_boxes": {
        "fields": [{"kind": "image", "name": "image", "label": "Street scene"}],
        "questions": [
            {
                "type": "boxes",
                "name": "objects",
                "prompt": "Draw a tight box around every vehicle and person.",
                "source": "image",
                "labels": ["car", "truck", "pedestrian", "cyclist"],
                "max_boxes": 100,
            }
        ],
    },
    "rubric_grading": {
        "fields": [
            {"kind": "markdown", "name": "task", "label": "Task"},
            {"kind": "code", "name": "solution", "language": "python"},
        ],
        "questions": [
            {
                "type": "rubric",
                "name": "grade",
                "prompt": "Grade the solution against the rubric.",
                "scale": "binary",
                "criteria": [
                    {
                        "id": "correct",
                        "description": "Returns the right result on every example.",
                        "points": 5,
                        "must_have": True,
                    },
                    {"id": "edge_cases", "description": "Handles empty input.", "points": 2},
                    {"id": "readable", "description": "Clear names, no dead code.", "points": 1},
                    {"id": "unsafe", "description": "Uses eval or exec.", "points": -3},
                ],
            }
        ],
    },
    "rating": {
        "fields": [
            {"kind": "chat", "name": "conversation"},
            {"kind": "text", "name": "reply", "label": "Assistant reply"},
        ],
        "questions": [
            {
                "type": "rating",
                "name": "quality",
                "prompt": "How good is the assistant's reply?",
                "min": 1,
                "max": 5,
                "labels": [{"value": i + 1, "label": text} for i, text in enumerate(_LIKERT)],
            },
            {
                "type": "text",
                "name": "comment",
                "prompt": "Anything the reply should have done differently?",
                "required": False,
                "max_length": 2000,
            },
        ],
    },
    "ranking": {
        "fields": [
            {"kind": "markdown", "name": "prompt"},
            {"kind": "model_responses", "name": "responses", "min_responses": 3},
        ],
        "questions": [
            {
                "type": "ranking",
                "name": "order",
                "prompt": "Rank the responses from best to worst.",
                "source": "responses",
            }
        ],
    },
    "numeric": {
        "fields": [{"kind": "text", "name": "headline"}],
        "questions": [
            {
                "type": "numeric",
                "name": "valence",
                "prompt": "How positive (100) or negative (-100) is the headline?",
                "min": -100,
                "max": 100,
                "integer": True,
            }
        ],
    },
    "transcription": {
        "fields": [{"kind": "audio", "name": "clip"}],
        "questions": [
            {
                "type": "text",
                "name": "transcript",
                "prompt": "Transcribe the clip word for word.",
                "max_length": 5000,
            },
            {
                "type": "label",
                "name": "issues",
                "prompt": "Which problems does the audio have?",
                "multiple": True,
                "min_selections": 0,
                "options": [{"value": "noise"}, {"value": "overlap"}, {"value": "cut_off"}],
            },
        ],
    },
}
"""Raw templates keyed by project kind; each is valid for ``parse_template``."""

DEMO_PAYLOADS: dict[str, dict[str, Any]] = {
    "sentiment": {"review": "Arrived quickly and works perfectly. Would buy again."},
    "rlhf_pairwise": {
        "conversation": [{"role": "user", "content": "How do I boil an egg?"}],
        "responses": [
            {"id": "a", "model": "model-x", "content": "Simmer it for 9 minutes, then cool it."},
            {"id": "b", "model": "model-y", "content": "Put it in the microwave for 5 minutes."},
        ],
    },
    "sft_writing": {"instruction": "Explain **recursion** to a ten-year-old in three sentences."},
    "ner_spans": {"text": "Ada Lovelace worked with Charles Babbage in London."},
    "image_boxes": {"image": "https://example.org/scenes/0001.jpg", "camera": "front"},
    "rubric_grading": {
        "task": "Write `mean(xs)` returning the average of a list, or 0 for an empty list.",
        "solution": "def mean(xs):\n    return sum(xs) / len(xs) if xs else 0\n",
    },
    "rating": {
        "conversation": [{"role": "user", "content": "Name a prime number above 10."}],
        "reply": "11 is a prime number above 10.",
    },
    "ranking": {
        "prompt": "Summarise the plot of *Hamlet* in one sentence.",
        "responses": [
            {"content": "A prince avenges his father's murder, and nearly everyone dies."},
            {"content": "Hamlet is a play."},
            {"content": "A Danish prince feigns madness to expose his uncle, at a great cost."},
        ],
    },
    "numeric": {"headline": "Local bakery wins national award"},
    "transcription": {"clip": "blob:clip-0001.ogg"},
}
"""One valid task payload per demo template."""

DEMO_ANSWERS: dict[str, dict[str, Any]] = {
    "sentiment": {"sentiment": "positive"},
    "rlhf_pairwise": {
        "preference": {
            "choice": "A",
            "strength": 3,
            "axes": {
                "helpfulness": {"choice": "A", "strength": 3},
                "harmlessness": {"choice": "A", "strength": 2},
                "honesty": "tie",
            },
            "reason": "B's method does not work and can make the egg burst.",
        }
    },
    "sft_writing": {
        "response": "Recursion is when something is defined using a smaller copy of itself. "
        "Imagine a set of nesting dolls: to open them all, you open one and then do the same "
        "to the doll inside. You stop when you reach the smallest doll."
    },
    "ner_spans": {
        "entities": [
            {"start": 0, "end": 12, "label": "PER"},
            {"start": 25, "end": 40, "label": "PER"},
            {"start": 44, "end": 50, "label": "LOC"},
        ]
    },
    "image_boxes": {
        "objects": [
            {"x": 0.12, "y": 0.4, "w": 0.3, "h": 0.25, "label": "car"},
            {"x": 0.7, "y": 0.35, "w": 0.08, "h": 0.3, "label": "pedestrian"},
        ]
    },
    "rubric_grading": {
        "grade": {"correct": True, "edge_cases": True, "readable": True, "unsafe": False}
    },
    "rating": {"quality": 4},
    "ranking": {"order": [2, 0, 1]},
    "numeric": {"valence": 60},
    "transcription": {"transcript": "Hello and welcome to the show.", "issues": ["noise"]},
}
"""One valid answer per demo template, for its demo payload."""
