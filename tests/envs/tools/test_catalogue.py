"""Every tool of the catalogue is exercised: a success and at least one error each."""

from __future__ import annotations

from assay.envs import ALL_TOOLS
from tests.envs.tools import (
    test_calendar,
    test_chat,
    test_code,
    test_docs,
    test_mail,
    test_system,
    test_tickets,
)

CASES = [
    case
    for module in (
        test_mail,
        test_chat,
        test_tickets,
        test_code,
        test_calendar,
        test_docs,
        test_system,
    )
    for case in module.CASES
]


def test_every_tool_has_a_success_and_an_error_case() -> None:
    succeeded = {c.tool for c in CASES if c.expect is None}
    failed = {c.tool for c in CASES if c.expect is not None}
    missing_success = (
        set(ALL_TOOLS) - succeeded - {"code_open_pr", "code_merge_pr"}
    )  # multi-step tests
    assert missing_success == set()
    assert set(ALL_TOOLS) - failed == set()


def test_every_tool_publishes_an_object_schema_with_described_parameters() -> None:
    for tool in ALL_TOOLS.values():
        spec = tool.openai()["function"]
        assert spec["parameters"]["type"] == "object"
        assert spec["parameters"]["additionalProperties"] is False
        assert all(p.get("description") for p in spec["parameters"]["properties"].values()), (
            tool.name
        )
        assert set(spec["parameters"]["required"]) <= set(spec["parameters"]["properties"])
