from __future__ import annotations

from assay.llm import Completion, ToolCall


def test_tool_call_accepts_object_arguments_and_rejects_non_objects() -> None:
    call = ToolCall.from_openai({"id": "c", "function": {"name": "f", "arguments": {"x": 1}}})
    assert call.arguments == {"x": 1} and call.arguments_json == '{"x": 1}'
    listed = ToolCall.from_openai({"id": "c", "function": {"name": "f", "arguments": "[1, 2]"}})
    assert listed.arguments is None and listed.arguments_json == "[1, 2]"


def test_to_message_without_tool_calls_has_no_tool_calls_key() -> None:
    assert Completion(content="hi").to_message() == {"role": "assistant", "content": "hi"}
