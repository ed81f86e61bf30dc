from __future__ import annotations

import numpy as np
import pytest

from assay.quality.signals import (
    TypingTelemetry,
    find_style_tells,
    machine_text_score,
    style_baseline,
    worker_machine_text,
)

MODEL_TEXT = """## Overview

Certainly! Here is a comprehensive answer. It's important to note that the topic is \
multifaceted \u2014 and it plays a pivotal role in the ever-evolving landscape.

- **Clarity**: the response is clear, concise, and engaging.
- **Depth**: it delves into the details.
- **Tone**: friendly \U0001f680

In conclusion, I hope this helps!"""

HUMAN_TEXT = (
    "i think B is better because it actually gives the steps in order, A skips the part about "
    "setting the path and the code wont run. also B is shorter which is nice"
)


def human_typing(text: str, seed: int = 0) -> TypingTelemetry:
    rng = np.random.default_rng(seed)
    intervals = rng.lognormal(np.log(170.0), 0.55, size=len(text) + 10)
    return TypingTelemetry(0, len(text) + 12, tuple(intervals.tolist()))


def test_style_tells_are_counted() -> None:
    tells = find_style_tells(MODEL_TEXT)
    assert {"delves", "i hope this helps", "in conclusion", "multifaceted"} <= set(tells.phrases)
    assert tells.emoji == 1
    assert tells.headers == 1
    assert tells.bullets == 3
    assert tells.bold == 3
    assert tells.triples == ["clear, concise, engaging"]
    assert tells.em_dashes == 1
    assert tells.points["phrases"] == 5.0  # capped
    assert tells.total_points > 9


def test_plain_text_has_no_tells() -> None:
    tells = find_style_tells(HUMAN_TEXT)
    assert tells.total_points == 0
    assert tells.words == 33


def test_phrases_match_whole_words_only() -> None:
    assert "delve" not in find_style_tells("the delver and the undelved").phrases
    assert find_style_tells("It\u2019s important to note this.").phrases == {
        "it's important to note": 1
    }


def test_triples_need_adjectives() -> None:
    assert find_style_tells("apples, pears, and plums").triples == []
    assert find_style_tells("robust, scalable and efficient").triples


def test_pasted_model_text_is_flagged_with_evidence() -> None:
    signal = machine_text_score(MODEL_TEXT, {"pasted_chars": len(MODEL_TEXT), "keystrokes": 3})
    assert signal.flagged
    assert signal.score > 0.9
    assert signal.evidence["paste_share"] == 1.0
    assert "delves" in signal.evidence["phrases"]
    assert signal.evidence["adjective_triples"] == ["clear, concise, engaging"]


def test_typed_human_text_is_not_flagged() -> None:
    signal = machine_text_score(HUMAN_TEXT, human_typing(HUMAN_TEXT))
    assert not signal.flagged
    assert signal.score < 0.01
    assert signal.evidence["key_interval_cv"] > 0.4


def test_pasted_plain_prose_is_not_flagged() -> None:
    signal = machine_text_score(HUMAN_TEXT, TypingTelemetry(pasted_chars=len(HUMAN_TEXT)))
    assert not signal.flagged
    assert signal.score < 0.1


def test_style_alone_never_flags() -> None:
    assert not machine_text_score(MODEL_TEXT).flagged
    assert machine_text_score(MODEL_TEXT).evidence["telemetry"] is False
    assert not machine_text_score(MODEL_TEXT, human_typing(MODEL_TEXT)).flagged


def test_script_typing_model_text_is_flagged_by_cadence() -> None:
    rng = np.random.default_rng(1)
    metronome = tuple(rng.normal(120.0, 5.0, size=400).tolist())
    signal = machine_text_score(MODEL_TEXT, TypingTelemetry(0, len(MODEL_TEXT), metronome))
    assert signal.flagged
    assert signal.evidence["cadence"] == 1.0


def test_swipe_typing_counts_less_than_paste() -> None:
    swiped = machine_text_score(HUMAN_TEXT, TypingTelemetry(0, len(HUMAN_TEXT) // 3))
    assert swiped.evidence["typing_deficit"] == pytest.approx(2 / 3, abs=0.01)
    assert swiped.evidence["provenance"] == pytest.approx(2 * 0.7 * 2 / 3, abs=0.02)
    assert not swiped.flagged


def test_baseline_cancels_formatting_the_guidelines_ask_for() -> None:
    bulleted = "\n".join(f"- point {i} about the answer and why" for i in range(4))
    pasted = {"pasted_chars": len(bulleted)}
    without = machine_text_score(bulleted, pasted)
    base = style_baseline([bulleted] * 10)
    with_base = machine_text_score(bulleted, pasted, baseline=base)
    assert base.points["markdown"] == 1.0
    assert with_base.score < without.score
    assert with_base.evidence["style"] == 0.0


def test_worker_aggregate_needs_repeated_machine_text() -> None:
    model = machine_text_score(MODEL_TEXT, {"pasted_chars": len(MODEL_TEXT)})
    human = machine_text_score(HUMAN_TEXT, human_typing(HUMAN_TEXT))
    paster = worker_machine_text([model, model, model, human, human, human, human, human])
    assert paster.flagged
    assert paster.evidence["machine_like_responses"] == 3
    assert paster.evidence["top_phrases"]["delves"] == 3
    assert not worker_machine_text([model] + [human] * 19).flagged
    assert not worker_machine_text([model, model]).flagged  # too few responses


def test_machine_text_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="string"):
        machine_text_score(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=">= 0"):
        machine_text_score("x", TypingTelemetry(pasted_chars=-1))
    with pytest.raises(ValueError, match="empty"):
        worker_machine_text([])
    with pytest.raises(ValueError, match="empty"):
        style_baseline([])
    assert machine_text_score("").score < 0.01
