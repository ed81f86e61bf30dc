from __future__ import annotations

import pytest

from tests.envs.tools.harness import Case, run_case

CASES = [
    Case(
        "mail_search",
        {"query": "serving timeout"},
        check=lambda r, e: [m["id"] for m in r] == ["m-0918"],
    ),
    Case(
        "mail_search",
        {"sender": "raj@kestrel.example", "limit": 50},
        label="by-sender",
        check=lambda r, e: r and all(m["from"] == "raj@kestrel.example" for m in r),
    ),
    Case(
        "mail_search",
        {"query": "seats"},
        actor="p-aisha",
        label="via-list",
        check=lambda r, e: [m["id"] for m in r] == ["m-0901"],
    ),
    Case("mail_search", {"query": "seats"}, label="private", check=lambda r, e: r == []),
    Case("mail_search", {"limit": 0}, expect="invalid_arguments"),
    Case("mail_search", {"query": 5}, expect="invalid_arguments", label="type"),
    Case(
        "mail_read",
        {"message_id": "m-0918"},
        check=lambda r, e: "request_timeout_seconds" in r["body"],
    ),
    Case("mail_read", {"message_id": "m-0901"}, expect="not_found", label="someone-elses"),
    Case("mail_read", {"message_id": "m-9999"}, expect="not_found"),
    Case("mail_read", {}, expect="invalid_arguments"),
    Case(
        "mail_read_thread",
        {"thread_id": "t-0918"},
        check=lambda r, e: [m["id"] for m in r] == ["m-0918"],
    ),
    Case("mail_read_thread", {"thread_id": "t-9999"}, expect="not_found"),
    Case("mail_read_thread", {"thread": "t-0918"}, expect="invalid_arguments"),
    Case(
        "mail_send",
        {"to": ["raj"], "subject": "Hi", "body": "Hello", "cc": ["Omar Haddad"]},
        check=lambda r, e: (
            (m := e.universe.emails[r["id"]]).to == ("raj@kestrel.example",)
            and m.cc == ("omar@kestrel.example",)
            and m.sender == "sam@kestrel.example"
        ),
    ),
    Case(
        "mail_send",
        {"to": ["Someone@Outside.example"], "subject": "Hi", "body": "Hello"},
        label="external",
        check=lambda r, e: r["to"] == ["someone@outside.example"],
    ),
    Case("mail_send", {"to": [], "subject": "Hi", "body": "Hello"}, expect="invalid_input"),
    Case(
        "mail_send",
        {"to": ["nobody@kestrel.example"], "subject": "Hi", "body": "x"},
        expect="not_found",
    ),
    Case(
        "mail_send",
        {"to": ["Zed Unknown"], "subject": "Hi", "body": "x"},
        expect="not_found",
        label="name",
    ),
    Case(
        "mail_send",
        {"to": ["raj"], "subject": "  ", "body": "x"},
        expect="invalid_input",
        label="blank",
    ),
    Case("mail_send", {"to": ["raj"], "subject": "Hi"}, expect="invalid_arguments"),
    Case(
        "mail_reply",
        {"message_id": "m-0918", "body": "On it"},
        check=lambda r, e: (
            (m := e.universe.emails[r["id"]]).to == ("raj@kestrel.example",)
            and m.subject == "Re: Serving timeout"
            and m.thread_id == "t-0918"
            and m.in_reply_to == "m-0918"
        ),
    ),
    Case(
        "mail_reply",
        {"message_id": "m-0915", "body": "Looking", "reply_all": True},
        label="all",
        check=lambda r, e: (
            r["to"] == ["alerts@monitoring.example"] and r["cc"] == ["incidents@kestrel.example"]
        ),
    ),
    Case("mail_reply", {"message_id": "m-0901", "body": "x"}, expect="not_found"),
    Case("mail_reply", {"message_id": "m-0918", "body": " "}, expect="invalid_input"),
    Case(
        "mail_reply",
        {"message_id": "m-0918", "body": "x", "reply_all": "yes"},
        expect="invalid_arguments",
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_mail_tool(case: Case) -> None:
    run_case(case)
