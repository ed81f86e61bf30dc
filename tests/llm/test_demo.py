from __future__ import annotations

import pytest

from assay.errors import InvalidInput
from assay.llm import ChatModel, DemoModel

QUESTIONS = [
    "How do I make sourdough bread at home?",
    "Why is the sky blue?",
    "What is a Merkle tree?",
    "Compare PostgreSQL vs SQLite for a small web app",
    "My Python function raises a KeyError, how do I fix it?",
    "Tell me about the history of jazz in New Orleans.",
]


def ask(model: DemoModel, text: str) -> str:
    content = model.complete([{"role": "user", "content": text}]).content
    assert content is not None
    return content


def test_same_persona_seed_and_conversation_give_the_same_reply() -> None:
    for persona in DemoModel.personas():
        for question in QUESTIONS:
            assert ask(DemoModel(persona), question) == ask(DemoModel(persona), question)


def test_personas_differ_in_length_and_markdown() -> None:
    replies = {p: [ask(DemoModel(p), q) for q in QUESTIONS] for p in DemoModel.personas()}
    mean_length = {p: sum(map(len, r)) / len(r) for p, r in replies.items()}
    assert mean_length["thorough"] > 2 * mean_length["concise"]
    assert all(r.startswith("## ") and "**" in r for r in replies["thorough"])
    assert all("#" not in r and "**" not in r and "\n" not in r for r in replies["concise"])
    assert all("\n1. " in r for r in replies["structured"])
    assert "```python" in replies["structured"][4]  # the code question gets a code block
    # Every pair of personas disagrees on every question: comparisons are never ties.
    personas = list(replies)
    for i, a in enumerate(personas):
        for b in personas[i + 1 :]:
            assert all(x != y for x, y in zip(replies[a], replies[b], strict=True))


def test_replies_mention_the_subject_and_vary_by_question() -> None:
    model = DemoModel("thorough")
    replies = [ask(model, q) for q in QUESTIONS]
    assert len(set(replies)) == len(QUESTIONS)
    assert "sourdough" in replies[0].lower()
    assert "PostgreSQL" in replies[3] and "SQLite" in replies[3]


def test_seed_and_unknown_persona_names_vary_the_reply() -> None:
    question = QUESTIONS[1]
    by_seed = {ask(DemoModel("friendly", seed=s), question) for s in range(6)}
    assert len(by_seed) >= 3
    named = DemoModel("arena-model-b")
    assert named.style in DemoModel.personas()
    completion = named.complete([{"role": "user", "content": question}])
    assert completion.model == "arena-model-b"
    assert ask(named, question) != ask(DemoModel("arena-model-c"), question)


def test_follow_up_turns_refer_back() -> None:
    conversation = [
        {"role": "user", "content": "What is a Merkle tree?"},
        {"role": "assistant", "content": "A hash tree."},
        {"role": "user", "content": "Why do blockchains use them?"},
    ]
    first = ask(DemoModel("concise"), "Why do blockchains use them?")
    follow = DemoModel("concise").complete(conversation).content
    assert follow is not None and follow != first
    assert follow.startswith(("Building on", "To follow up", "Picking up"))


def test_max_tokens_truncates_with_length_finish_reason() -> None:
    model = DemoModel("thorough", params={"max_tokens": 1000})
    full = model.complete([{"role": "user", "content": QUESTIONS[0]}])
    short = model.complete([{"role": "user", "content": QUESTIONS[0]}], max_tokens=10)
    assert full.finish_reason == "stop" and short.finish_reason == "length"
    assert full.content is not None and short.content is not None
    assert full.content.startswith(short.content) and len(short.content) <= 40
    assert short.usage.completion_tokens <= 10 < full.usage.completion_tokens
    with pytest.raises(InvalidInput):
        model.complete([{"role": "user", "content": "x"}], max_tokens=0)


def test_completion_shape_and_protocol() -> None:
    model = DemoModel("cautious")
    assert isinstance(model, ChatModel)
    completion = model.complete(
        [
            {"role": "system", "content": "Be careful."},
            {"role": "user", "content": [{"type": "text", "text": QUESTIONS[2]}]},
        ],
        temperature=1.3,
    )
    assert completion.content and "Merkle" in completion.content
    assert completion.tool_calls == () and completion.attempts == 1
    assert completion.id is not None and completion.id.startswith("demo-")
    assert completion.usage.prompt_tokens > 0 and completion.latency_ms >= 0


def test_empty_prompt_asks_for_more() -> None:
    assert "more" in ask(DemoModel("concise"), "   ")
    reply = DemoModel("concise").complete([{"role": "system", "content": "Hi"}]).content
    assert reply is not None and "more" in reply


def test_tools_and_malformed_conversations_are_refused() -> None:
    model = DemoModel()
    tools = [{"type": "function", "function": {"name": "f"}}]
    with pytest.raises(InvalidInput, match="tools"):
        model.complete([{"role": "user", "content": "x"}], tools=tools)
    with pytest.raises(InvalidInput):
        model.complete([])
    with pytest.raises(InvalidInput):
        model.complete([{"content": "no role"}])
    with pytest.raises(InvalidInput):
        DemoModel("")
