"""Score how likely a written response came from a model: provenance (paste, typing) x style."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import float_vector, non_empty
from assay.quality.signals._stats import share_exceeds
from assay.quality.signals.signal import Signal, make_signal
from assay.quality.signals.style_tells import find_style_tells

# Weights of the log-odds model; see machine_text_score's docstring for what they imply.
_BIAS, _PROVENANCE, _STYLE, _CADENCE = -7.0, 3.5, 6.5, 3.0
_PASTE_SATURATION = 0.5  # provenance is doubled (capped at 1): pasting half counts as all
_STYLE_SCALE = 2.0  # style = 1 - exp(-points / scale)
_DEFICIT_WEIGHT = 0.7  # swipe keyboards and IMEs also type many characters per keystroke
_MIN_INTERVALS = 30
_PAUSE_MS = 2000.0  # gaps longer than this are thinking, not typing


@dataclass(frozen=True, slots=True)
class TypingTelemetry:
    """What the workbench recorded while the worker wrote one response.

    Attributes:
        pasted_chars: Characters that arrived by paste or drop.
        keystrokes: Character-producing key presses, if recorded.
        key_intervals_ms: Milliseconds between consecutive key presses, if recorded.

    """

    pasted_chars: int = 0
    keystrokes: int | None = None
    key_intervals_ms: Sequence[float] = ()

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> TypingTelemetry:
        """Build telemetry from a stored dict (unknown keys are ignored)."""
        keystrokes = values.get("keystrokes")
        return cls(
            pasted_chars=int(values.get("pasted_chars", 0) or 0),
            keystrokes=None if keystrokes is None else int(keystrokes),
            key_intervals_ms=tuple(values.get("key_intervals_ms", ()) or ()),
        )


@dataclass(frozen=True, slots=True)
class StyleBaseline:
    """The crowd's typical style points per kind, subtracted before scoring.

    When guidelines ask for markdown or bullet points, every honest worker earns those points;
    the baseline (the median over the project's texts) cancels them.

    Attributes:
        points: Median points per kind of tell.

    """

    points: dict[str, float] = field(default_factory=dict)


def style_baseline(texts: Sequence[str]) -> StyleBaseline:
    """Compute the crowd's median style points per kind over a project's texts.

    Args:
        texts: The project's response texts (all workers). A minority of model-pasters does
            not move the median.

    Returns:
        The baseline to pass to :func:`machine_text_score`.

    """
    non_empty(texts, "texts")
    tells = [find_style_tells(text).points for text in texts]
    kinds = tells[0].keys()
    return StyleBaseline({kind: float(np.median([t[kind] for t in tells])) for kind in kinds})


def machine_text_score(
    text: str,
    telemetry: TypingTelemetry | Mapping[str, Any] | None = None,
    *,
    baseline: StyleBaseline | None = None,
    threshold: float = 0.7,
) -> Signal:
    """Score one response for machine-written text, with evidence per feature.

    Three kinds of evidence, combined as log-odds
    ``z = -7 + 3.5 provenance + 6.5 style + 3 cadence`` and ``score = sigmoid(z)``:

    * provenance in [0, 1]: the larger of the paste share (pasted chars / final length) and
      0.7 x the typing deficit (1 - keystrokes / length; swipe keyboards also type many
      characters per keystroke), doubled and capped at 1: pasting half the text and editing
      the rest is as telling as pasting all of it;
    * style in [0, 1]: ``1 - exp(-points / 2)`` over the tells of :func:`find_style_tells`,
      after subtracting the crowd's ``baseline``;
    * cadence in [0, 1]: how machine-regular the inter-key intervals are (coefficient of
      variation 0.1 or less scores 1, 0.3 or more 0; people type at 0.5 and up).

    Style weighs most because people also paste (drafts written elsewhere, quotes) but rarely
    paste text full of model tells. A pasted text scores 0.03 with no tells, 0.65 with two
    points (say, four mild stock phrases), 0.76 with 2.5 and 0.83 with three (flagged at the
    default 0.7); half pasted with four points 0.89; a quarter pasted (a quote) with one point
    0.09; a script typing four points of tells at a metronome's rhythm 0.84. Typed text never
    reaches the threshold on style alone (at most 0.38), and neither does text without
    telemetry: the score is a lead for review, not a block.

    Args:
        text: The final response text.
        telemetry: What the workbench recorded, as :class:`TypingTelemetry` or a dict.
        baseline: The crowd's style points to subtract (see :func:`style_baseline`).
        threshold: Flag at this score.

    Returns:
        A ``machine_text`` :class:`Signal`.

    """
    if not isinstance(text, str):
        raise QualityInputError("text must be a string")
    record = _telemetry(telemetry)
    tells = find_style_tells(text)
    floor = baseline.points if baseline is not None else {}
    style_points = sum(max(p - floor.get(kind, 0.0), 0.0) for kind, p in tells.points.items())
    style = 1.0 - math.exp(-style_points / _STYLE_SCALE)
    paste_share, deficit = _provenance(text, record)
    provenance = min(max(paste_share, _DEFICIT_WEIGHT * deficit) / _PASTE_SATURATION, 1.0)
    cv = _interval_cv(record)
    cadence = 0.0 if cv is None else min(max((0.3 - cv) / 0.2, 0.0), 1.0)
    z = _BIAS + _PROVENANCE * provenance + _STYLE * style + _CADENCE * cadence
    score = 1.0 / (1.0 + math.exp(-z))
    return make_signal(
        "machine_text",
        score,
        score >= threshold,
        threshold,
        characters=len(text),
        words=tells.words,
        telemetry=record is not None,
        paste_share=paste_share,
        typing_deficit=deficit,
        key_interval_cv=cv,
        provenance=provenance,
        style=style,
        cadence=cadence,
        style_points={kind: p for kind, p in tells.points.items() if p > 0},
        phrases=tells.phrases,
        emoji=tells.emoji,
        markdown_lines=tells.headers + tells.bullets,
        bold=tells.bold,
        adjective_triples=tells.triples,
        em_dashes=tells.em_dashes,
    )


def _telemetry(telemetry: TypingTelemetry | Mapping[str, Any] | None) -> TypingTelemetry | None:
    """Normalise telemetry to :class:`TypingTelemetry` and check it."""
    if telemetry is None:
        return None
    record = (
        telemetry
        if isinstance(telemetry, TypingTelemetry)
        else TypingTelemetry.from_mapping(telemetry)
    )
    if record.pasted_chars < 0 or (record.keystrokes is not None and record.keystrokes < 0):
        raise QualityInputError("pasted_chars and keystrokes must be >= 0")
    return record


def _provenance(text: str, record: TypingTelemetry | None) -> tuple[float, float]:
    """Return the paste share and the typing deficit (0 when unknown)."""
    if record is None or not text:
        return 0.0, 0.0
    length = len(text)
    paste_share = min(record.pasted_chars / length, 1.0)
    deficit = 0.0
    if record.keystrokes is not None and length >= 20:
        deficit = min(max(1.0 - record.keystrokes / length, 0.0), 1.0)
    return paste_share, deficit


def _interval_cv(record: TypingTelemetry | None) -> float | None:
    """Return the coefficient of variation of typing intervals (pauses dropped), if enough."""
    if record is None or len(record.key_intervals_ms) == 0:
        return None
    intervals = float_vector(record.key_intervals_ms, "key_intervals_ms", minimum=0.0)
    typing = intervals[intervals < _PAUSE_MS]
    if typing.size < _MIN_INTERVALS or typing.mean() <= 0:
        return None
    return float(typing.std() / typing.mean())


def worker_machine_text(
    responses: Sequence[Signal],
    *,
    tolerated_share: float = 0.1,
    threshold: float = 0.9,
    min_responses: int = 3,
) -> Signal:
    """Aggregate a worker's per-response machine-text signals into one worker signal.

    The score is the posterior probability (Beta(1, 3) prior) that more than
    ``tolerated_share`` of the worker's responses are machine-like (flagged by
    :func:`machine_text_score`). One suspicious response among twenty scores 0.29, two 0.57;
    three of eight 0.98; two of three 0.89.

    Args:
        responses: The worker's ``machine_text`` signals.
        tolerated_share: Share of machine-like responses that is still normal.
        threshold: Flag at this score.
        min_responses: Never flag on fewer responses.

    Returns:
        A ``machine_text_worker`` :class:`Signal`.

    """
    non_empty(responses, "responses")
    if any(signal.kind != "machine_text" for signal in responses):
        raise QualityInputError("responses must be machine_text signals")
    hits = sum(signal.flagged for signal in responses)
    score = share_exceeds(hits, len(responses), tolerated_share)
    phrases: Counter[str] = Counter()
    for signal in responses:
        found = signal.evidence.get("phrases")
        if isinstance(found, dict):
            phrases.update({phrase: int(count or 0) for phrase, count in found.items()})  # type: ignore[arg-type]
    return make_signal(
        "machine_text_worker",
        score,
        score >= threshold and len(responses) >= min_responses,
        threshold,
        responses=len(responses),
        machine_like_responses=hits,
        mean_response_score=float(np.mean([signal.score for signal in responses])),
        mean_paste_share=float(
            np.mean([_number(s.evidence.get("paste_share")) for s in responses])
        ),
        top_phrases=dict(phrases.most_common(5)),
    )


def _number(value: object) -> float:
    """Read a number back from evidence (None counts as 0)."""
    return float(value) if isinstance(value, int | float) else 0.0
