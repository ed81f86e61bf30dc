"""The demo model's writing: sentence pools per kind of question and one layout per persona."""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = ["STYLES", "Prompt", "read_prompt", "write_reply"]

_STOP_WORDS = frozenset(
    """a an the and or but if of to in on at for with about from by into onto is are was were
    be been being do does did done how what why when where which who whom whose can
    could should would will shall may might must i me my we our you your it its this
    that these those there their they them he she his her as than then so not no yes
    please tell explain give write make some any more most very just also get got use
    using need want like know think one two way ways thing things much many lot really
    best good better vs versus between compare comparison difference differences""".split()  # noqa: SIM905
)

_POOLS: dict[str, tuple[str, ...]] = {
    "steps": (
        "Start by deciding what a good result for {subject} looks like, so you know when to stop.",
        "Gather what you need for {a} up front; most delays come from stopping halfway.",
        "Work through the {b} part in small steps and check each one before moving on.",
        "If a step fails, change one thing at a time so you learn what actually mattered.",
        "Once it works, write the steps for {subject} down so the next attempt is quicker.",
        "Expect the first try at {a} to be rough; the second is usually much better.",
    ),
    "reasons": (
        "The main reason is that {a} depends heavily on {b}, and small changes there ripple out.",
        "Historically, {subject} developed this way because simpler alternatives did not scale.",
        "Incentives matter too: people working on {a} are rewarded for {b}, not the alternative.",
        "There is also a practical constraint: {subject} has to fit with what already exists.",
        "Habits are sticky, and {a} is no exception.",
        "In short, several modest causes add up rather than one big one.",
    ),
    "explain": (
        "{Subject} is easiest to understand by what it does: it links {a} with {b} predictably.",
        "At its core, {a} is a way of organising {b} so that it is easier to reason about.",
        "Most people meet {subject} in practice long before they learn the theory behind it.",
        "A useful mental model is to treat {a} as a set of trade-offs rather than a single rule.",
        "The details vary by context, but the central idea of {subject} stays the same.",
        "A common misconception is that {a} and {b} are the same thing; they are related.",
    ),
    "compare": (
        "Both {a} and {b} can do the job; the better choice depends on what you value most.",
        "{A} tends to be simpler to start with, while {b} pays off as things grow.",
        "If speed matters most, lean towards {a}; if flexibility matters more, consider {b}.",
        "The cost of switching later is often the deciding factor, so think a year ahead.",
        "Many teams use {a} for most cases and {b} only where it clearly helps.",
        "Try both on a small, real example before committing.",
    ),
    "code": (
        "First reproduce the problem with the smallest input that still shows it.",
        "Read the whole traceback: the last line names the failure, the rest says where.",
        "Check the values reaching the {b} code; a None or an empty list is a usual culprit.",
        "Write a test that fails for the current behaviour, then fix the code until it passes.",
        "Keep the fix small and say in a comment why it is needed.",
        "Once it works, look for the same pattern elsewhere in the code.",
    ),
    "general": (
        "There is more to {subject} than it first seems.",
        "The most useful thing to keep in mind about {a} is who it affects and how.",
        "It helps to separate what is known about {b} from what is a matter of opinion.",
        "A concrete example of {subject} usually makes the picture clearer.",
        "Different people weigh {a} differently, and that is reasonable.",
        "If you share more about your situation, the advice can be more specific.",
    ),
}

_OPENERS = {
    "friendly": ("Great question!", "Happy to help with this.", "Oh, I like this one."),
    "cautious": (
        "It depends on your situation, but here is a general view.",
        "I can offer a general answer, though the specifics matter.",
        "Take this as a starting point rather than a final word.",
    ),
}
_CLOSERS = {
    "friendly": (
        "Let me know if you'd like more detail on {a}!",
        "Hope that helps, and good luck with {subject}!",
    ),
    "cautious": (
        "That said, I may be missing context about {a}, so double-check with someone who knows it.",
        "Please verify the details for {subject}; practices differ and change over time.",
    ),
}
_SUMMARIES = {
    "compare": (
        "Pick the option whose strengths match your priorities; {a} and {b} are both reasonable.",
        "There is no universal winner between {a} and {b}; test with your own workload.",
    ),
    "other": (
        "Be clear about the goal for {subject} and check your progress often.",
        "Get the basics of {a} right first; refinements can come later.",
        "Most of the value comes from doing {a} consistently, not perfectly.",
        "Small, deliberate steps with {subject} beat one big leap.",
    ),
}
_BULLET_LEADS = ("Goal", "Preparation", "Practice", "Pitfalls", "Context", "Trade-offs")
_FOLLOW_UPS = ("Building on my earlier answer,", "To follow up,", "Picking up from before,")
_FOLLOW_UP_OPENERS = (
    "Good follow-up.",
    "Let me build on my earlier answer.",
    "Here is more on that.",
)

STYLES = ("concise", "thorough", "friendly", "structured", "cautious")


@dataclass(frozen=True)
class Prompt:
    """What the demo model understood of the last user message."""

    kind: str
    words: tuple[str, ...]
    follow_up: bool

    def slots(self) -> dict[str, str]:
        """Template values: the subject and its leading words, with capitalised variants."""
        a = self.words[0] if self.words else "this"
        b = self.words[1] if len(self.words) > 1 else a
        subject = " ".join(self.words[:2]) or "this topic"
        return {"a": a, "b": b, "subject": subject, "A": a[:1].upper() + a[1:],
                "Subject": subject[:1].upper() + subject[1:]}  # fmt: skip


def read_prompt(text: str, follow_up: bool) -> Prompt:
    """Find the kind of question and its content words (in order of appearance)."""
    lower = text.lower()
    tokens = re.findall(r"[A-Za-z][A-Za-z0-9+#'-]*", text)
    content = (t for t in tokens if len(t) > 2 and t.lower() not in _STOP_WORDS)
    words = tuple(dict.fromkeys(content))[:4]
    first = tokens[0].lower() if tokens else ""
    if re.search(r"\b(code|python|function|bug|error|exception|script|sql|regex)\b", lower):
        kind = "code"
    elif re.search(r"\b(vs|versus|compare|comparison|better|difference)\b", lower):
        kind = "compare"
    elif first == "how":
        kind = "steps"
    elif first == "why":
        kind = "reasons"
    elif first in {"what", "who", "which", "define", "explain", "describe"} or "?" in text:
        kind = "explain"
    else:
        kind = "general"
    return Prompt(kind=kind, words=words, follow_up=follow_up)


def _sentences(prompt: Prompt, rng: random.Random, count: int) -> list[str]:
    """Pick ``count`` sentences, kept in the pool's order (the pools are written in order)."""
    pool = _POOLS[prompt.kind]
    slots = prompt.slots()
    picked = sorted(rng.sample(range(len(pool)), min(count, len(pool))))
    return [pool[i].format(**slots) for i in picked]


def _summary(prompt: Prompt, rng: random.Random) -> str:
    pool = _SUMMARIES["compare" if prompt.kind == "compare" else "other"]
    return rng.choice(pool).format(**prompt.slots())


def _concise(prompt: Prompt, rng: random.Random) -> str:
    return " ".join(_sentences(prompt, rng, rng.randint(1, 2)))


def _thorough(prompt: Prompt, rng: random.Random) -> str:
    slots = prompt.slots()
    points = _sentences(prompt, rng, rng.randint(4, 5))
    leads = rng.sample(_BULLET_LEADS, len(points) - 1)
    bullets = "\n".join(
        f"- **{lead}:** {text}" for lead, text in zip(leads, points[1:], strict=True)
    )
    caveat = _sentences(Prompt("general", prompt.words, False), rng, 1)[0]
    return (
        f"## {slots['Subject']}\n\n{points[0]}\n\n{bullets}\n\n### Caveats\n\n{caveat}\n\n"
        f"**Summary:** {_summary(prompt, rng)}"
    )


def _opener(style: str, prompt: Prompt, rng: random.Random) -> str:
    # A follow-up turn opens by referring back instead of greeting again.
    if prompt.follow_up:
        return rng.choice(_FOLLOW_UP_OPENERS)
    return rng.choice(_OPENERS[style])


def _friendly(prompt: Prompt, rng: random.Random) -> str:
    body = " ".join(_sentences(prompt, rng, rng.randint(2, 3)))
    closer = rng.choice(_CLOSERS["friendly"]).format(**prompt.slots())
    return f"{_opener('friendly', prompt, rng)} {body}\n\n{closer}"


def _structured(prompt: Prompt, rng: random.Random) -> str:
    steps = _sentences(prompt, rng, rng.randint(3, 5))
    numbered = "\n".join(f"{i}. {text}" for i, text in enumerate(steps, start=1))
    reply = f"Here is a step-by-step answer:\n\n{numbered}"
    if prompt.kind == "code":
        name = re.sub(r"\W", "_", prompt.slots()["b"])
        reply += (
            f"\n\n```python\ndef check_{name}(value):\n"
            f'    """Fail loudly when the input is not what we expect."""\n'
            f'    if value is None:\n        raise ValueError("{name} is missing")\n'
            f"    return value\n```"
        )
    return f"{reply}\n\n**Bottom line:** {_summary(prompt, rng)}"


def _cautious(prompt: Prompt, rng: random.Random) -> str:
    body = " ".join(_sentences(prompt, rng, 2))
    closer = rng.choice(_CLOSERS["cautious"]).format(**prompt.slots())
    return f"{_opener('cautious', prompt, rng)} {body} {closer}"


_LAYOUTS: dict[str, Callable[[Prompt, random.Random], str]] = {
    "concise": _concise,
    "thorough": _thorough,
    "friendly": _friendly,
    "structured": _structured,
    "cautious": _cautious,
}


def write_reply(style: str, prompt: Prompt, rng: random.Random) -> str:
    """Write a reply in the given style; an empty prompt gets a clarifying question."""
    if not prompt.words:
        return "Could you tell me a bit more about what you would like to know?"
    reply = _LAYOUTS[style](prompt, rng)
    if prompt.follow_up and style in ("concise", "structured"):
        reply = f"{rng.choice(_FOLLOW_UPS)} {reply[:1].lower()}{reply[1:]}"
    return reply
