"""Per-payload cost of task payload validation (and of answer validation, for scale).

Run from the repository root: ``.venv/bin/python bench/validate_payloads.py [--quick]``.
Prints JSON lines and writes ``bench/results/validate_payloads.json``. The target is under
5 µs per simple payload, so that checking a 100,000-task bulk submission costs well under a
second. For comparison it also times validating the same payloads with a pydantic model built
per payload, the approach the hand-written checks replace.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pydantic

from assay.domain.answers import validate_answer
from assay.domain.demo import DEMO_ANSWERS, DEMO_PAYLOADS, DEMO_TEMPLATES
from assay.domain.payloads import compile_payload_validator, validate_payload
from assay.domain.template import Template, parse_template

RESULTS = Path(__file__).resolve().parent / "results" / "validate_payloads.json"

ALL_KINDS = {
    "fields": [
        {"kind": "text", "name": "text"},
        {"kind": "markdown", "name": "notes"},
        {"kind": "code", "name": "code"},
        {"kind": "chat", "name": "chat"},
        {"kind": "image", "name": "image"},
        {"kind": "audio", "name": "audio"},
        {"kind": "video", "name": "video"},
        {"kind": "model_responses", "name": "responses"},
    ],
    "questions": [{"type": "text", "name": "q", "prompt": "Anything?"}],
}
ALL_KINDS_PAYLOAD = {
    "text": "A sentence.",
    "notes": "# Heading",
    "code": "print(1)",
    "chat": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}],
    "image": "https://example.org/a.png",
    "audio": "blob:clip-1",
    "video": "https://example.org/v.mp4",
    "responses": [{"id": f"r{i}", "content": f"Response {i}"} for i in range(4)],
    "source": "synthetic",
}


class SentimentPayload(pydantic.BaseModel):
    """The pydantic-per-payload baseline for the sentiment template."""

    model_config = pydantic.ConfigDict(extra="allow", strict=True)
    review: str


def per_call_us(call: Callable[[Any], object], items: list[Any], repeats: int) -> float:
    """Best-of-``repeats`` mean time per item, in microseconds."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for item in items:
            call(item)
        best = min(best, time.perf_counter() - start)
    return best / len(items) * 1e6


def payload_cases() -> list[tuple[str, Template, dict[str, Any]]]:
    cases = [
        (name, parse_template(DEMO_TEMPLATES[name]), DEMO_PAYLOADS[name])
        for name in ("sentiment", "ner_spans", "image_boxes", "rlhf_pairwise", "ranking")
    ]
    cases.append(("all_field_kinds", parse_template(ALL_KINDS), ALL_KINDS_PAYLOAD))
    return cases


def bench_payloads(count: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name, template, payload in payload_cases():
        # Distinct dicts, as in a real bulk submission (no cache effects from one object).
        payloads = [{**payload, "unique_id": i} for i in range(count)]
        check = compile_payload_validator(template)
        assert all(check(p) is None for p in payloads[:10])
        rows.append(
            {
                "case": name,
                "fields": len(template.fields),
                "payloads": count,
                "compiled_check_us": round(per_call_us(check, payloads, repeats), 3),
                "validate_payload_us": round(
                    per_call_us(lambda p, t=template: validate_payload(t, p), payloads, repeats), 3
                ),
            }
        )
    sentiment = [{**DEMO_PAYLOADS["sentiment"], "unique_id": i} for i in range(count)]
    rows.append(
        {
            "case": "sentiment_pydantic_baseline",
            "fields": 1,
            "payloads": count,
            "pydantic_model_per_payload_us": round(
                per_call_us(SentimentPayload.model_validate, sentiment, repeats), 3
            ),
        }
    )
    return rows


def bench_answers(count: int, repeats: int) -> list[dict[str, Any]]:
    rows = []
    for name in sorted(DEMO_TEMPLATES):
        template = parse_template(DEMO_TEMPLATES[name])
        payload = DEMO_PAYLOADS[name]
        answers = [DEMO_ANSWERS[name]] * count
        took = per_call_us(
            lambda a, t=template, p=payload: validate_answer(t, a, p), answers, repeats
        )
        rows.append(
            {"case": f"answer_{name}", "answers": count, "validate_answer_us": round(took, 3)}
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    args = parser.parse_args()
    count, repeats = (2_000, 1) if args.quick else (100_000, 3)
    rows = bench_payloads(count, repeats) + bench_answers(count // 10, repeats)
    for row in rows:
        print(json.dumps(row))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "validate_payloads",
                "quick": args.quick,
                "python": platform.python_version(),
                "machine": platform.machine(),
                "results": rows,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
