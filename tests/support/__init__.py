"""Helpers shared by test folders (not a test folder itself): fake servers and the like."""

from __future__ import annotations

from tests.support.fake_openai import FakeOpenAI, FakeReply

__all__ = ["FakeOpenAI", "FakeReply"]
