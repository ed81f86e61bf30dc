"""Style tells of model-written text: stock phrases, emoji, markdown, adjective triples, em dashes.

Each tell is counted and turned into *points* (capped, so one tell cannot dominate); the
machine-text score combines the points with typing telemetry. The lists are curated by hand
from phrases that chat models overuse and people rarely type into a plain text box; they are
evidence to weigh, never a verdict on their own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Phrases that are rare in human writing but common in chat-model output.
STRONG_PHRASES: tuple[str, ...] = (
    "as an ai",
    "as a language model",
    "i hope this helps",
    "delve",
    "delves",
    "delving",
    "tapestry",
    "a testament to",
    "ever-evolving",
    "in today's fast-paced world",
    "navigate the complexities",
    "navigating the complexities",
    "embark on a journey",
    "let's dive in",
    "dive deeper",
    "unlock the potential",
    "in the realm of",
    "a pivotal role",
    "multifaceted",
    "a nuanced understanding",
    "feel free to ask",
    "great question",
    "i'd be happy to help",
    "certainly! here",
    "key takeaways",
    "not only enhances",
    "stands as a",
)
# Phrases people also use, but which models use far more often.
MILD_PHRASES: tuple[str, ...] = (
    "in conclusion",
    "it's important to note",
    "it is important to note",
    "it's worth noting",
    "it is worth noting",
    "additionally,",
    "furthermore,",
    "moreover,",
    "overall,",
    "ultimately,",
    "in summary",
    "crucial",
    "seamless",
    "seamlessly",
    "leverage",
    "foster",
    "holistic",
    "robust",
    "landscape",
    "vibrant",
    "intricate",
    "meticulous",
    "showcasing",
    "underscores",
    "notably,",
    "in essence",
    "comprehensive",
)
STRONG_WEIGHT = 1.5
MILD_WEIGHT = 0.5
# Adjectives models like to stack in threes ("clear, concise, and engaging").
LISTY_ADJECTIVES = frozenset(
    (
        "clear",
        "concise",
        "engaging",
        "robust",
        "vibrant",
        "seamless",
        "efficient",
        "scalable",
        "dynamic",
        "innovative",
        "rich",
        "diverse",
        "accurate",
        "reliable",
        "informative",
        "thoughtful",
        "comprehensive",
        "accessible",
        "intuitive",
        "secure",
        "flexible",
        "powerful",
        "elegant",
        "timely",
        "relevant",
        "unique",
        "inclusive",
        "sustainable",
        "practical",
        "insightful",
        "nuanced",
        "compelling",
        "meaningful",
        "impactful",
        "creative",
        "authentic",
    )
)
_ADJECTIVE_ENDINGS = ("ive", "ful", "ous", "able", "ible", "ical", "ent", "ant", "less", "ary")

_PHRASE_PATTERNS = {
    phrase: re.compile(r"(?<![\w'])" + re.escape(phrase) + r"(?![\w'])")
    for phrase in STRONG_PHRASES + MILD_PHRASES
}
_EMOJI = re.compile("[\U0001f300-\U0001faff\U0001f000-\U0001f2ff\u2600-\u27bf\u2b50\u2b55]")
_HEADER = re.compile(r"^\s{0,3}#{1,6}\s+\S", re.MULTILINE)
_BULLET = re.compile(r"^\s*(?:[-*+\u2022]|\d{1,2}[.)])\s+\S", re.MULTILINE)
_BOLD = re.compile(r"\*\*[^*\n]+\*\*|__[^_\n]+__")
_TRIPLE = re.compile(r"\b([a-z][a-z-]+), ([a-z][a-z-]+),? and ([a-z][a-z-]+)\b")
_WORD = re.compile(r"[^\W\d_]+(?:['\u2019-][^\W\d_]+)*")


@dataclass(frozen=True, slots=True)
class StyleTells:
    """The tells found in one text and the points each kind earns.

    Attributes:
        words: Number of words.
        phrases: Stock phrases found, with their counts.
        emoji: Number of emoji.
        headers: Markdown header lines.
        bullets: Bulleted or numbered lines.
        bold: Bold spans.
        triples: "X, Y, and Z" adjective triples found.
        em_dashes: Number of em dashes (hard to type on a keyboard, common in model output).
        points: Points per kind (``phrases``, ``emoji``, ``markdown``, ``triples``,
            ``em_dashes``), each capped.

    """

    words: int
    phrases: dict[str, int] = field(default_factory=dict)
    emoji: int = 0
    headers: int = 0
    bullets: int = 0
    bold: int = 0
    triples: list[str] = field(default_factory=list)
    em_dashes: int = 0
    points: dict[str, float] = field(default_factory=dict)

    @property
    def total_points(self) -> float:
        """Sum of the points over all kinds."""
        return float(sum(self.points.values()))


def find_style_tells(text: str) -> StyleTells:
    """Count the style tells of model output in ``text`` and score them in points.

    Points (caps in brackets): strong stock phrase 1.5, mild 0.5, each further use 0.25 [5];
    markdown header 1, three or more bullet lines 1, bold 0.5 each [3]; emoji 0.5 each [2];
    adjective triple 1 each [2]; em dash 0.5 each [2].

    Args:
        text: The response text.

    Returns:
        The tells found, with points per kind.

    """
    lowered = text.lower().replace("\u2019", "'")
    phrases = {
        phrase: len(pattern.findall(lowered))
        for phrase, pattern in _PHRASE_PATTERNS.items()
        if pattern.search(lowered)
    }
    emoji = len(_EMOJI.findall(text))
    headers = len(_HEADER.findall(text))
    bullets = len(_BULLET.findall(text))
    bold = len(_BOLD.findall(text))
    triples = [", ".join(match) for match in _TRIPLE.findall(lowered) if _adjectival(match)]
    em_dashes = text.count("\u2014")
    points = {
        "phrases": min(_phrase_points(phrases), 5.0),
        "markdown": min(min(headers, 1) + min(bullets / 3, 1.0) + 0.5 * bold, 3.0),
        "emoji": min(0.5 * emoji, 2.0),
        "triples": min(float(len(triples)), 2.0),
        "em_dashes": min(0.5 * em_dashes, 2.0),
    }
    return StyleTells(
        words=len(_WORD.findall(text)),
        phrases=phrases,
        emoji=emoji,
        headers=headers,
        bullets=bullets,
        bold=bold,
        triples=triples,
        em_dashes=em_dashes,
        points=points,
    )


def _phrase_points(phrases: dict[str, int]) -> float:
    """Score stock phrases: a weight per distinct phrase plus a little per repeat."""
    total = 0.0
    for phrase, count in phrases.items():
        weight = STRONG_WEIGHT if phrase in STRONG_PHRASES else MILD_WEIGHT
        total += weight + 0.25 * (count - 1)
    return total


def _adjectival(words: tuple[str, str, str]) -> bool:
    """Tell whether at least two of three listed words look like adjectives."""
    hits = sum(
        word in LISTY_ADJECTIVES or (len(word) > 5 and word.endswith(_ADJECTIVE_ENDINGS))
        for word in words
    )
    return hits >= 2
