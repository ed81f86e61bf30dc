from __future__ import annotations

from typing import Any

import pytest

from assay.domain.demo import DEMO_PAYLOADS, DEMO_TEMPLATES
from assay.domain.payloads import compile_payload_validator, payload_problem, validate_payload
from assay.domain.template import Template, parse_template
from assay.errors import InvalidInput

FIELDS = [
    {"kind": "text", "name": "text"},
    {"kind": "markdown", "name": "notes", "source": "md"},
    {"kind": "code", "name": "code", "language": "python"},
    {"kind": "chat", "name": "chat"},
    {"kind": "image", "name": "image"},
    {"kind": "audio", "name": "audio", "required": False},
    {"kind": "video", "name": "video", "required": False},
    {"kind": "model_responses", "name": "responses", "max_responses": 3},
]

GOOD: dict[str, Any] = {
    "text": "Hello",
    "md": "# Title",
    "code": "print(1)",
    "chat": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": ""}],
    "image": "https://example.org/a.png",
    "responses": [{"content": "one"}, {"content": "two", "model": "m"}],
}


@pytest.fixture(scope="module")
def template() -> Template:
    return parse_template(
        {"fields": FIELDS, "questions": [{"type": "text", "name": "q", "prompt": "p"}]}
    )


_DROP = object()


def problem(template: Template, **changes: Any) -> str | None:
    payload = {**GOOD, **changes}
    for key, value in changes.items():
        if value is _DROP:
            del payload[key]
    return compile_payload_validator(template)(payload)


def test_a_good_payload_passes_and_is_returned_unchanged(template: Template) -> None:
    payload = {**GOOD, "metadata": {"source": "crawl"}, "extra": 1}
    assert compile_payload_validator(template)(payload) is None
    assert validate_payload(template, payload) is payload


@pytest.mark.parametrize("name", sorted(DEMO_TEMPLATES))
def test_demo_payloads_are_valid(name: str) -> None:
    template = parse_template(DEMO_TEMPLATES[name])
    assert validate_payload(template, DEMO_PAYLOADS[name]) == DEMO_PAYLOADS[name]


@pytest.mark.parametrize("payload", [None, [], "text", 3, [GOOD]])
def test_the_payload_must_be_an_object(template: Template, payload: object) -> None:
    found = compile_payload_validator(template)(payload)
    assert found is not None
    assert found.startswith("payload: must be a JSON object")


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"text": _DROP}, "text: is required"),
        ({"text": None}, "text: must not be null"),
        ({"text": 5}, "text: must be a string, not a number"),
        ({"text": True}, "text: must be a string, not a boolean"),
        ({"md": ["x"]}, "md: must be a string, not a list"),
        ({"md": _DROP}, "md: is required"),
        ({"code": {"src": "x"}}, "code: must be a string, not an object"),
        ({"chat": "Hi"}, "chat: must be a list of {role, content} messages, not a string"),
        ({"chat": []}, "chat: must hold at least one message"),
        ({"chat": ["Hi"]}, "chat[0]: must be a {role, content} object, not a string"),
        ({"chat": [{"content": "x"}]}, "chat[0].role: must be a non-empty string"),
        ({"chat": [{"role": "", "content": "x"}]}, "chat[0].role: must be a non-empty string"),
        (
            {"chat": [{"role": "user", "content": "x"}, {"role": "user"}]},
            "chat[1].content: must be a string",
        ),
        ({"image": "ftp://example.org/a.png"}, "image: must be an http(s) URL or a blob reference"),
        ({"image": "example.org/a.png"}, "image: must be an http(s) URL"),
        ({"image": "https://"}, "image: must be an http(s) URL"),
        ({"image": "https://example.org/a b.png"}, "image: must be an http(s) URL"),
        ({"image": "javascript:alert(1)"}, "image: must be an http(s) URL"),
        ({"image": "https://x.org/" + "a" * 9000}, "image: must be an http(s) URL"),
        (
            {"image": 7},
            "image: must be an http(s) URL or a blob reference 'blob:<id>', not a number",
        ),
        ({"image": "blob:"}, "image: a blob reference is 'blob:' then an id"),
        ({"image": "blob:../etc/passwd"}, "image: a blob reference is 'blob:' then an id"),
        ({"image": "blob:a/b"}, "image: a blob reference is 'blob:' then an id"),
        ({"audio": "file:///tmp/a.wav"}, "audio: must be an http(s) URL"),
        ({"video": ""}, "video: must be an http(s) URL"),
        ({"responses": "one"}, "responses: must be a list of responses, not a string"),
        ({"responses": [{"content": "one"}]}, "responses: must hold 2 to 3 responses, not 1"),
        ({"responses": [{"content": "x"}] * 4}, "responses: must hold 2 to 3 responses, not 4"),
        ({"responses": ["a", "b"]}, "responses[0]: must be a {content, id?, model?} object"),
        (
            {"responses": [{"content": "a"}, {"text": "b"}]},
            "responses[1].content: must be a string",
        ),
        (
            {"responses": [{"content": "a", "model": 3}, {"content": "b"}]},
            "responses[0].model: must be a string",
        ),
        (
            {"responses": [{"content": "a", "id": ""}, {"content": "b"}]},
            "responses[0].id: must be a non-empty string",
        ),
        (
            {"responses": [{"content": "a", "id": 1}, {"content": "b", "id": 2}]},
            "responses[0].id: must be a non-empty string",
        ),
        (
            {"responses": [{"content": "a", "id": "x"}, {"content": "b", "id": "x"}]},
            "responses[1].id: id 'x' is used by an earlier response",
        ),
        (
            {"responses": [{"content": "a", "id": "x"}, {"content": "b"}]},
            "responses: either every response has an id or none has",
        ),
    ],
)
def test_bad_values_are_named(template: Template, changes: dict[str, Any], expected: str) -> None:
    found = problem(template, **changes)
    assert found is not None
    assert found.startswith(expected), found


@pytest.mark.parametrize(
    "changes",
    [
        {"image": "blob:abc123"},
        {"image": "blob:sha256-9f86d081884c7d659a2feaa0c55ad015.png"},
        {"image": "HTTP://EXAMPLE.ORG/A.PNG"},
        {"image": "https://example.org:8443/a.png?size=large&v=2#top"},
        {"image": "http://127.0.0.1/a.png"},
        {"audio": "blob:clip_1"},
        {"audio": None, "video": None},
        {"video": "https://cdn.example.org/v.mp4"},
        {"text": ""},
        {"text": "ünïcödé 🙂"},
        {"responses": [{"content": "a", "id": "x"}, {"content": "b", "id": "y", "score": 1}]},
        {"chat": [{"role": "tool", "content": "{}", "name": "search"}]},
    ],
)
def test_good_values_pass(template: Template, changes: dict[str, Any]) -> None:
    assert problem(template, **changes) is None


def test_optional_fields_may_be_absent(template: Template) -> None:
    assert "audio" not in GOOD and "video" not in GOOD
    assert problem(template) is None


def test_validate_payload_raises_with_details(template: Template) -> None:
    payload = {**GOOD, "chat": [{"role": "user", "content": 1}]}
    with pytest.raises(InvalidInput) as caught:
        validate_payload(template, payload)
    assert caught.value.message == "chat[0].content: must be a string"
    assert caught.value.details == [{"loc": ["chat", 0, "content"], "msg": "must be a string"}]
    assert payload_problem(template, payload) == caught.value.details[0]
    assert payload_problem(template, GOOD) is None


def test_the_first_problem_follows_field_order(template: Template) -> None:
    assert problem(template, text=1, image=2) == "text: must be a string, not a number"


def test_a_template_without_fields_accepts_any_object() -> None:
    template = parse_template({"questions": [{"type": "text", "name": "q", "prompt": "p"}]})
    assert validate_payload(template, {}) == {}
    assert validate_payload(template, {"anything": [1, 2]}) == {"anything": [1, 2]}


def test_many_payloads_through_one_compiled_check(template: Template) -> None:
    check = compile_payload_validator(template)
    payloads = [{**GOOD, "text": f"task {i}"} for i in range(1000)]
    payloads[500]["image"] = "gopher://x"
    problems = [(i, found) for i, payload in enumerate(payloads) if (found := check(payload))]
    assert [i for i, _ in problems] == [500]
