from __future__ import annotations

import pytest

from tests.envs.tools.harness import Case, run_case

CASES = [
    Case(
        "chat_list_channels",
        {},
        check=lambda r, e: (
            "ch-general" in {c["id"] for c in r} and "dm-p-dan-p-tom" not in {c["id"] for c in r}
        ),
    ),
    Case(
        "chat_list_channels",
        {},
        actor="p-dan",
        label="own-dm",
        check=lambda r, e: "dm-p-dan-p-tom" in {c["id"] for c in r},
    ),
    Case("chat_list_channels", {"x": 1}, expect="invalid_arguments"),
    Case(
        "chat_read",
        {"channel": "#incidents", "limit": 3},
        check=lambda r, e: [m["id"] for m in r["messages"]] == ["c-0903", "c-0904", "c-0905"],
    ),
    Case("chat_read", {"channel": "dm-p-dan-p-tom"}, expect="not_found", label="someone-elses-dm"),
    Case("chat_read", {"channel": "#nope"}, expect="not_found"),
    Case("chat_read", {"channel": "#general", "limit": 500}, expect="invalid_arguments"),
    Case(
        "chat_search",
        {"query": "root cause"},
        check=lambda r, e: [m["id"] for m in r] == ["c-0903"],
    ),
    Case("chat_search", {"query": "ReactConf"}, label="private", check=lambda r, e: r == []),
    Case(
        "chat_search",
        {"query": "ReactConf"},
        actor="p-tom",
        label="own-dm",
        check=lambda r, e: len(r) == 1,
    ),
    Case("chat_search", {"query": "x", "channel": "#nope"}, expect="not_found"),
    Case("chat_search", {}, expect="invalid_arguments"),
    Case(
        "chat_post",
        {"channel": "#engineering", "text": "hi"},
        check=lambda r, e: (
            e.universe.chat[r["id"]].channel == "ch-engineering"
            and e.universe.chat[r["id"]].author == "p-sam"
        ),
    ),
    Case(
        "chat_post",
        {"channel": "#incidents", "text": "+1", "thread": "c-0903"},
        label="thread",
        check=lambda r, e: e.universe.chat[r["id"]].thread == "c-0903",
    ),
    Case(
        "chat_post",
        {"channel": "#general", "text": "+1", "thread": "c-0903"},
        expect="not_found",
        label="thread",
    ),
    Case("chat_post", {"channel": "#nope", "text": "hi"}, expect="not_found"),
    Case("chat_post", {"channel": "#general", "text": "  "}, expect="invalid_input"),
    Case("chat_post", {"channel": "#general"}, expect="invalid_arguments"),
    Case(
        "chat_send_dm",
        {"person": "raj", "text": "hi"},
        check=lambda r, e: (
            r["channel"] == "dm-p-raj-p-sam"
            and e.universe.channels["dm-p-raj-p-sam"].members == ("p-raj", "p-sam")
        ),
    ),
    Case(
        "chat_send_dm",
        {"person": "x-jordan", "text": "hi"},
        expect="invalid_input",
        label="external",
    ),
    Case("chat_send_dm", {"person": "p-sam", "text": "hi"}, expect="invalid_input", label="self"),
    Case("chat_send_dm", {"person": "nobody", "text": "hi"}, expect="not_found"),
    Case("chat_send_dm", {"person": "raj", "text": ""}, expect="invalid_input", label="blank"),
    Case("chat_send_dm", {"person": "raj", "text": 3}, expect="invalid_arguments"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_chat_tool(case: Case) -> None:
    run_case(case)
