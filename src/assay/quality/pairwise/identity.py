"""Spot a model response that reveals which model (or maker) wrote it, for blind arenas.

A blind pairwise vote is only blind while neither response names itself: a vote cast after
"I'm Claude, made by Anthropic" measures brand, not answer quality. This module finds such
reveals in plain text; the caller decides what to do with the vote (arenas drop it).

Matching rule (all matches on word boundaries, so "Claudette" or "openair" never match):

* Distinctive names match in any case anywhere: ChatGPT, GPT-3.5 / GPT-4 / GPT-4o-style
  names, OpenAI, Anthropic, DeepMind, DeepSeek, Qwen, Mixtral, LLaMA.
* Names that are also ordinary words match anywhere only when written as the product is,
  capitalised: Gemini, Llama, Mistral, Grok. A lower-case "llama" is the animal and
  never matches; a capitalised one ("Llamas live in the Andes" does not match, but "Llama
  is a camelid" does) is an accepted false positive, as are the Gemini zodiac sign and the
  Mistral wind when capitalised.
* Names that are also people's names or everyday companies (Claude, Gemma, Bard, Copilot,
  Google, Meta, Microsoft, Alibaba, Cohere, xAI) match only inside a self-identification
  phrase, or for Claude and Gemma when followed by a version or tier ("Claude 3",
  "Claude Sonnet", "Gemma 2"). So "Claude Monet painted" does not match.
* Self-identification phrases match any known name in any case: "I am X", "I'm X",
  "my name is X", "call me X", "I was trained/developed/created/built by X", "as an AI
  (language model / assistant) developed by X", "I'm a large language model trained by X".
* Caller-given names (e.g. the endpoint's model name ``meta-llama/Llama-3-8B-Instruct``)
  match in any case, with "-", "_", ".", ":", "/" and spaces interchangeable or absent between
  their parts; a name with a "/" also matches by its last part. A caller name that is an
  ordinary-word name above follows that name's rule; names under 3 characters are ignored.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

_DISTINCTIVE = (
    r"Chat\s?GPT",
    r"GPT[-\s]?\d(?:\.\d)?(?:o|-?turbo)?(?:[-\s]mini)?",
    r"OpenAI",
    r"Anthropic",
    r"(?:Google\s)?DeepMind",
    r"DeepSeek",
    r"Qwen",
    r"Mixtral",
)
_CAPITALISED = ("Gemini", "Llama", "LLaMA", "LLAMA", "Mistral", "Grok")
_PERSONAL = ("Claude", "Gemma")
_TIER = r"(?:\s?\d+(?:\.\d+)?|\s(?:Sonnet|Opus|Haiku|Instant|Pro|Ultra|Flash|Nano)\b)"
_CONTEXT_ONLY = ("Bard", "Copilot", "Google", "Meta", "Microsoft", "Alibaba", "Cohere", "xAI")
_QUOTE = "['\u2019]"  # straight or typographic apostrophe
_SELF = (
    rf"(?:I\s+am|I{_QUOTE}m|my\s+name\s+is|call\s+me)\s+(?:called\s+)?",
    rf"(?:I\s+was|I{_QUOTE}ve\s+been|I\s+have\s+been|I\s+am|I{_QUOTE}m)\s+(?:[\w-]+\s+){{0,6}}?"
    r"(?:developed|created|made|built|trained|designed|programmed)\s+by\s+",
    r"\bas\s+an?\s+(?:[\w-]+\s+){0,4}?(?:AI|assistant|model|LLM|chatbot)\b"
    r"(?:\s+[\w-]+){0,4}?\s+(?:developed|created|made|built|trained|designed)\s+by\s+",
)
_SEPARATORS = r"[\s\-_.:/]?"
_MIN_NAME = 3


def reveals_identity(text: str, names: Sequence[str] = ()) -> str | None:
    """Return the phrase of ``text`` by which a model names itself or its maker, or None.

    Args:
        text: A model's response.
        names: Extra names to catch (the endpoint's model name, its maker), matched in any
            case with flexible separators; see the module docstring for the full rule.

    Returns:
        The earliest matching phrase as written in ``text`` (the longest one among those
        starting there), or None when the response reveals nothing.

    """
    if not text:
        return None
    found = [m for m in (p.search(text) for p in _patterns(tuple(names))) if m is not None]
    if not found:
        return None
    first = min(found, key=lambda m: (m.start(), m.start() - m.end()))
    return first.group(0)


@lru_cache(maxsize=256)
def _patterns(names: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    """Compiled patterns for the built-in names plus ``names`` (cached per name tuple)."""
    extra = _caller_names(names)
    any_name = "|".join([*_DISTINCTIVE, *_CAPITALISED, *_PERSONAL, *_CONTEXT_ONLY, *extra])
    self_phrase = "(?:" + "|".join(_SELF) + ")"
    found = [
        re.compile(rf"\b{self_phrase}(?:{any_name})(?!\w)", re.IGNORECASE),
        re.compile(rf"\b(?:{'|'.join(_DISTINCTIVE)})(?!\w)", re.IGNORECASE),
        re.compile(rf"\b(?:{'|'.join(_CAPITALISED)})(?!\w)"),
        re.compile(rf"\b(?:{'|'.join(_PERSONAL)}){_TIER}"),
    ]
    if extra:
        found.append(re.compile(rf"\b(?:{'|'.join(extra)})(?!\w)", re.IGNORECASE))
    return tuple(found)


def _caller_names(names: tuple[str, ...]) -> list[str]:
    """Patterns for caller names: parts joined by optional separators, any case.

    One-word names that are built-in ordinary-word names are left to the built-in rules.
    """
    ordinary = {word.lower() for word in (*_CAPITALISED, *_PERSONAL, *_CONTEXT_ONLY)}
    patterns: list[str] = []
    for raw in names:
        for name in sorted({raw.strip(), raw.strip().rsplit("/", 1)[-1]}):
            parts = [part for part in re.split(r"[\s\-_.:/]+", name) if part]
            if len("".join(parts)) < _MIN_NAME:
                continue
            if len(parts) == 1 and parts[0].lower() in ordinary:
                continue
            patterns.append(_SEPARATORS.join(re.escape(part) for part in parts))
    return patterns
