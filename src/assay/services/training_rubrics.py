"""Training examples from rubric evaluations: graded answers labelled, ranked and kept."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from assay.services.rubric_evals import ItemScore, item_scores
from assay.services.training_examples import (
    Context,
    Demonstration,
    Family,
    Labelled,
    Message,
    Preference,
    Side,
    assistant,
)
from assay.store import generations as generation_store
from assay.store.models.rlhf import EvalItem


def rubric_examples(context: Context, family: Family) -> Iterator[Any]:
    """Yield a rubric evaluation's examples of one family."""
    assert context.setup is not None
    threshold = float(context.setup.options.get("pass_threshold", 0.7))
    scores, _pending = item_scores(context.session, context.project, threshold)
    project_id = context.project.id
    items = {i.id: i for i in generation_store.list_eval_items(context.session, project_id)}
    answers = {
        g.id: g.content or ""
        for g in generation_store.list_project_item_generations(context.session, project_id)
    }
    context.session.rollback()  # reads only: hold no transaction while rows stream out
    by_item: dict[str, list[ItemScore]] = {}
    for score in scores:
        by_item.setdefault(score.eval_item_id, []).append(score)
    for item_id, graded in by_item.items():
        item = items[item_id]
        prompt = context.with_system(list(item.messages))
        if family == "preference":
            yield from _ranked(context, item, prompt, graded, answers)
            continue
        for score in graded:
            model = context.endpoint_names.get(score.endpoint_id)
            content = answers[score.generation_id]
            if family == "labelled":
                yield Labelled(prompt, content, score.passed, model, _side(context, item, score))
            elif score.passed:
                messages = [*prompt, assistant(content)]
                yield Demonstration(messages, model, _side(context, item, score))


def _side(context: Context, item: EvalItem, score: ItemScore) -> Side:
    return Side(
        source="rubric_eval",
        project_id=context.project.id,
        item_id=item.id,
        unique_id=item.unique_id,
        n_ratings=len(score.criteria),
        score=score.score,
    )


def _ranked(
    context: Context,
    item: EvalItem,
    prompt: list[Message],
    graded: list[ItemScore],
    answers: dict[str, str],
) -> Iterator[Preference]:
    """Yield every higher-scoring answer to the item over each lower-scoring one."""
    for one, two in itertools.combinations(graded, 2):
        if one.score == two.score:
            continue
        best, worst = (one, two) if one.score > two.score else (two, one)
        yield Preference(
            prompt,
            answers[best.generation_id],
            answers[worst.generation_id],
            context.endpoint_names.get(best.endpoint_id),
            context.endpoint_names.get(worst.endpoint_id),
            best.score - worst.score,
            _side(context, item, best),
        )
