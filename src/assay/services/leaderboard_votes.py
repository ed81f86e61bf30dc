"""A leaderboard's votes: each human judgement between two model variants, or why not.

Votes come from a comparison project's responses (the choice between responses A and B, already
mapped back from the order each worker saw) or from a live chat project's picks (the chosen
candidate over the one passed over; a rewrite counts for the candidate it rewrote). A vote is
set aside, and counted by reason, when:

- its response was rejected in review or excluded by quality operations (``not_accepted``);
- either answer names its model or maker (``identity_revealed``): the rater may have voted for
  a brand, not an answer;
- it was cast faster than reading allows (``low_effort``): under a quarter of the time to read
  the prompt and both answers at 250 words a minute — the rule of the low-effort detector;
- its rater's gold record says they are unreliable (``low_quality_rater``): at least
  ``MIN_GOLD`` gold answers and a posterior mean accuracy under the requested floor.

A rater's quality-operations weight (set by a down-weight action) weighs each of their votes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from assay.domain.questions import PairwiseQuestion
from assay.quality.pairwise import LEFT, RIGHT, TIE, reveals_identity
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import leaderboards as store
from assay.store import quality_ops as quality_store
from assay.store.models import Project
from assay.store.models.rlhf import ModelVariant, ProjectModelSetup
from assay.store.training import gold_accuracy_by_worker

READING_WPM = 250.0
FAST_FRACTION = 0.25  # as the low-effort detector: reading at over 1,000 words a minute
MIN_GOLD = 5  # gold answers before a rater's record can set their votes aside
COUNTED_STATUSES = frozenset({"accepted", "in_review"})
_WORD = re.compile(r"\S+")
_CHOICES = {"A": LEFT, "B": RIGHT, "tie": TIE}


@dataclass(frozen=True)
class Vote:
    """One judgement between two variants: ``outcome`` is LEFT, RIGHT or TIE."""

    rater: str
    left: str
    right: str
    outcome: int
    left_text: str
    right_text: str
    category: str | None
    active_seconds: float | None
    words: int


@dataclass(frozen=True)
class VoteFilter:
    """Which votes count: effort and rater-quality floors."""

    exclude_low_effort: bool = True
    min_rater_accuracy: float | None = None
    category: str | None = None


@dataclass
class VoteSet:
    """The votes that count, their weights, and how many were set aside for each reason."""

    votes: list[Vote]
    weights: list[float]
    set_aside: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)


def _words(text: str) -> int:
    return len(_WORD.findall(text))


def _prompt_text(payload: dict[str, Any], key: str) -> str:
    value = payload.get(key)
    if isinstance(value, list):
        return " ".join(str(m.get("content", "")) for m in value if isinstance(m, dict))
    return str(value or "")


def _pairwise_name(project: Project) -> str | None:
    for question in project_template(project).questions:
        if isinstance(question, PairwiseQuestion) and question.source:
            return question.name
    return None


def comparison_votes(
    session: Session,
    project: Project,
    setup: ProjectModelSetup,
    category_key: str,
    set_aside: Counter[str],
) -> Iterator[Vote]:
    """Yield the votes of a comparison project; count responses that are no vote at all."""
    question = _pairwise_name(project)
    if question is None:
        return
    answers: dict[str, dict[int, Any]] = {}
    for g in store.done_generations(session, project.id):
        answers.setdefault(g.task_id, {})[g.position] = g
    tasks = {t.id: t for t in store.task_prompts(session, project.id)}
    for r in store.comparison_responses(session, project.id):
        pair = answers.get(r.task_id, {})
        if r.status not in COUNTED_STATUSES:
            set_aside["not_accepted"] += 1
            continue
        judgement = (r.reviewed_answer or r.answer).get(question) or {}
        outcome = _CHOICES.get(str(judgement.get("choice")))
        left, right = pair.get(0), pair.get(1)
        if outcome is None or left is None or right is None:
            set_aside["no_pair"] += 1  # e.g. a gold task written by the requester
            continue
        task = tasks[r.task_id]
        left_text, right_text = left.content or "", right.content or ""
        words = _words(_prompt_text(task.payload, setup.prompt_key))
        category = (task.metadata or {}).get(category_key)
        yield Vote(
            rater=r.worker_id,
            left=left.variant_id or left.endpoint_id,
            right=right.variant_id or right.endpoint_id,
            outcome=outcome,
            left_text=left_text,
            right_text=right_text,
            category=None if category is None else str(category),
            active_seconds=None if r.active_time_ms is None else r.active_time_ms / 1000.0,
            words=words + _words(left_text) + _words(right_text),
        )


def chat_votes(session: Session, project: Project) -> Iterator[Vote]:
    """Yield a live chat project's picks: the chosen candidate over each one passed over."""
    turns: dict[str, list[Any]] = {}
    for node in store.chat_picks(session, project.id):
        turns.setdefault(node.parent_id, []).append(node)
    for nodes in turns.values():
        chosen = next((n for n in nodes if n.chosen), None)
        if chosen is None:
            continue
        winner_id = chosen.rewrite_of if chosen.author_kind == "worker" else chosen.id
        candidates = [n for n in nodes if n.author_kind == "model"]
        winner = next((n for n in candidates if n.id == winner_id), None)
        if winner is None:
            continue
        for loser in candidates:
            if loser.id == winner.id:
                continue
            yield Vote(
                rater=chosen.worker_id,
                left=winner.variant_id or winner.author_id,
                right=loser.variant_id or loser.author_id,
                outcome=LEFT,
                left_text=winner.content,
                right_text=loser.content,
                category=None,
                active_seconds=None,  # chat turns carry no active time: no effort check
                words=_words(winner.content) + _words(loser.content),
            )


def _too_fast(vote: Vote) -> bool:
    if vote.active_seconds is None or vote.words == 0:
        return False
    return vote.active_seconds < FAST_FRACTION * vote.words * 60.0 / READING_WPM


def _unreliable(record: tuple[int, int] | None, floor: float | None) -> bool:
    if floor is None or record is None or record[0] < MIN_GOLD:
        return False
    answered, right = record
    return (right + 1) / (answered + 2) < floor


def _revealing(vote: Vote, names: dict[str, list[str]]) -> bool:
    return any(
        reveals_identity(text, names.get(variant, [])) is not None
        for variant, text in ((vote.left, vote.left_text), (vote.right, vote.right_text))
    )


def identity_names(variants: Iterable[ModelVariant]) -> dict[str, list[str]]:
    """Per variant (and per endpoint, for answers recorded before variants), its own names."""
    names: dict[str, list[str]] = {}
    for v in variants:
        own = [v.name, v.model]
        names[v.id] = own
        names.setdefault(v.endpoint_id, []).extend(own)
    return names


def select_votes(
    session: Session,
    project: Project,
    votes: Sequence[Vote],
    variants: Sequence[ModelVariant],
    rules: VoteFilter,
    set_aside: Counter[str],
) -> VoteSet:
    """Apply the filters and the raters' weights; count what was set aside and why."""
    gold = gold_accuracy_by_worker(session, project.id)
    weights = quality_store.get_weights(session, project.id)
    names = identity_names(variants)
    kept = VoteSet(votes=[], weights=[], set_aside=set_aside)
    for vote in votes:
        if _revealing(vote, names):
            reason: str | None = "identity_revealed"
        elif rules.exclude_low_effort and _too_fast(vote):
            reason = "low_effort"
        elif _unreliable(gold.get(vote.rater), rules.min_rater_accuracy):
            reason = "low_quality_rater"
        elif weights.get(vote.rater, 1.0) <= 0.0:
            reason = "weight_zero"
        else:
            reason = None
        if reason is not None:
            set_aside[reason] += 1
            continue
        if vote.category is not None:
            kept.categories[vote.category] += 1
        if rules.category is not None and vote.category != rules.category:
            continue
        kept.votes.append(vote)
        kept.weights.append(weights.get(vote.rater, 1.0))
    return kept
