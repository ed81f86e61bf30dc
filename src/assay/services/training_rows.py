"""Training examples from a project's judged data: preferences, demonstrations, labelled outputs.

Which examples a project yields depends on what it collected:

- comparisons (a pairwise question over a ``model_responses`` field): per complete task, the
  majority choice as chosen/rejected (split votes are left out); its outputs as demonstrations
  and as labelled completions (chosen: good, rejected: bad);
- writing (a text question named ``response``): every accepted response as a demonstration,
  a reviewer's edit as a preference over the original, accepted/rejected as labels;
- live chats: every picked reply over each candidate passed over; each chosen path as a
  demonstration; picked/passed-over as labels;
- rubric evaluations: each graded answer labelled by passing; higher-scoring answers over
  lower ones to the same item; passing answers as demonstrations.

Every example keeps the same side columns (``Side``): who rated it and how reliable they are.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from statistics import fmean
from typing import Any

from assay.domain.questions import PairwiseQuestion, TextQuestion
from assay.domain.template import Template
from assay.errors import InvalidInput
from assay.services.documents import Document
from assay.services.tasks import project_template
from assay.services.training_chats import chat_examples
from assay.services.training_examples import (
    Context,
    Demonstration,
    Family,
    Labelled,
    Preference,
    Side,
    accepted,
    as_labelled,
    assistant,
    documents,
    final_answer,
    prompt_of,
)
from assay.services.training_rubrics import rubric_examples
from assay.store import Session
from assay.store import generations as generation_store
from assay.store import model_endpoints as endpoint_store
from assay.store.models import Project
from assay.store.models.rlhf import ProjectModelSetup
from assay.store.training import gold_accuracy_by_worker


def project_source(project: Project, setup: ProjectModelSetup | None) -> str:
    """Name what kind of training data a project holds, or raise InvalidInput."""
    if setup is not None and setup.mode in ("chat", "rubric_eval"):
        return setup.mode
    template = project_template(project)
    if _pairwise(template) is not None:
        return "comparison"
    if "response" in template.questions_by_name and isinstance(
        template.questions_by_name["response"], TextQuestion
    ):
        return "writing"
    raise InvalidInput(
        "This project holds no training data: it needs a pairwise question over model "
        "responses, a text question named 'response', a live chat or a rubric evaluation."
    )


def iter_examples(session: Session, project: Project, family: Family) -> Iterator[Any]:
    """Yield the project's examples of one family: preference, demonstration or labelled."""
    setup = endpoint_store.get_setup(session, project.org_id, project.id)
    source = project_source(project, setup)
    endpoints = endpoint_store.list_endpoints(session, project.org_id, include_archived=True)
    context = Context(
        session=session,
        project=project,
        setup=setup,
        template=project_template(project),
        gold=gold_accuracy_by_worker(session, project.id),
        endpoint_names={e.id: e.name for e in endpoints},
    )
    session.rollback()  # reads only: hold no transaction while rows stream out
    builders: dict[str, Callable[[Context, Family], Iterator[Any]]] = {
        "comparison": _comparison_examples,
        "writing": _writing_examples,
        "chat": chat_examples,
        "rubric_eval": rubric_examples,
    }
    yield from builders[source](context, family)


# -- comparisons ------------------------------------------------------------------------------


def _pairwise(template: Template) -> tuple[PairwiseQuestion, str] | None:
    for question in template.questions:
        if isinstance(question, PairwiseQuestion) and question.source:
            return question, template.fields_by_name[question.source].key
    return None


def _comparison_examples(context: Context, family: Family) -> Iterator[Any]:
    found = _pairwise(context.template)
    assert found is not None
    question, key = found
    for chunk in documents(context):
        generations = generation_store.list_generations_for_tasks(
            context.session, [d["task_id"] for d in chunk]
        )
        models = {g.response_id: context.endpoint_names.get(g.endpoint_id) for g in generations}
        context.session.rollback()
        for document in chunk:
            preference = _majority(context, document, question, key, models)
            if preference is None:
                continue
            if family == "preference":
                yield preference
            elif family == "demonstration":
                yield Demonstration(
                    [*preference.prompt, assistant(preference.chosen)],
                    preference.chosen_model,
                    preference.side,
                )
            else:
                yield from as_labelled(preference)


def _majority(
    context: Context,
    document: Document,
    question: PairwiseQuestion,
    key: str,
    models: dict[str, str | None],
) -> Preference | None:
    responses = list(document["payload"].get(key) or [])
    votes = [
        (response, final_answer(response).get(question.name) or {})
        for response in accepted(document)
    ]
    tally = Counter(str(judgement.get("choice")) for _response, judgement in votes)
    if len(responses) != 2 or tally["A"] == tally["B"]:
        return None  # a tie or a split vote says nothing about which is better
    winner = "A" if tally["A"] > tally["B"] else "B"
    loser = "B" if winner == "A" else "A"
    chosen, rejected = responses[winner == "B"], responses[loser == "B"]
    signed = [_signed_strength(j, winner) for _r, j in votes]
    agreeing = [j.get("strength") for _r, j in votes if j.get("choice") == winner]
    strengths = [float(s) for s in agreeing if isinstance(s, int)]
    side = Side(
        source="comparison",
        project_id=document["project_id"],
        item_id=document["task_id"],
        unique_id=document["unique_id"],
        rater_ids=[r["worker_id"] for r, _j in votes],
        rater_gold_accuracy=[context.rater(r["worker_id"]) for r, _j in votes],
        rater_active_time_ms=[r["active_time_ms"] for r, _j in votes],
        n_ratings=len(votes),
        agreement=tally[winner] / len(votes),
        strength=fmean(strengths) if strengths else None,
        axes=_axes_majority([j for _r, j in votes], winner, loser),
        reasons=[str(j["reason"]) for _r, j in votes if j.get("reason")],
    )
    return Preference(
        prompt=context.with_system(prompt_of(context.template, document["payload"], {})),
        chosen=str(chosen.get("content", "")),
        rejected=str(rejected.get("content", "")),
        chosen_model=models.get(str(chosen.get("id"))) or chosen.get("model"),
        rejected_model=models.get(str(rejected.get("id"))) or rejected.get("model"),
        margin=max(fmean(signed), 0.0) if signed else 0.0,
        side=side,
    )


def _signed_strength(judgement: dict[str, Any], winner: str) -> float:
    choice = judgement.get("choice")
    if choice not in ("A", "B"):
        return 0.0
    strength = float(judgement.get("strength") or 1)
    return strength if choice == winner else -strength


def _axes_majority(
    judgements: list[dict[str, Any]], winner: str, loser: str
) -> dict[str, str] | None:
    names = sorted({axis for j in judgements for axis in (j.get("axes") or {})})
    if not names:
        return None
    meaning = {winner: "chosen", loser: "rejected", "tie": "tie"}
    majority: dict[str, str] = {}
    for name in names:
        tally = Counter(
            meaning[str(j["axes"][name]["choice"])]
            for j in judgements
            if name in (j.get("axes") or {})
        )
        best = tally.most_common()
        split = len(best) > 1 and best[0][1] == best[1][1]
        majority[name] = "tie" if split else best[0][0]
    return majority


# -- writing ----------------------------------------------------------------------------------


def _writing_examples(context: Context, family: Family) -> Iterator[Any]:
    for chunk in documents(context):
        for document in chunk:
            for response in document["responses"]:
                yield from _writing_response(context, document, response, family)


def _writing_response(
    context: Context, document: Document, response: Document, family: Family
) -> Iterator[Any]:
    original, final = dict(response["answer"]), final_answer(response)
    text = final.get("response")
    if not isinstance(text, str):
        return
    prompt = context.with_system(prompt_of(context.template, document["payload"], final))
    scores = [float(r["score"]) for r in response["reviews"] if r.get("score") is not None]
    side = Side(
        source="writing",
        project_id=document["project_id"],
        item_id=document["task_id"],
        unique_id=document["unique_id"],
        rater_ids=[response["worker_id"]],
        rater_gold_accuracy=[context.rater(response["worker_id"])],
        rater_active_time_ms=[response["active_time_ms"]],
        n_ratings=1,
        reasons=[str(r["reason"]) for r in response["reviews"] if r.get("reason")],
        review_scores=scores,
    )
    accepted = response["status"] == "accepted"
    if family == "demonstration" and accepted:
        yield Demonstration([*prompt, assistant(text)], None, side)
    elif family == "labelled" and response["status"] in ("accepted", "rejected"):
        yield Labelled(prompt, text, accepted, None, side)
    elif family == "preference" and accepted and original.get("response") not in (None, text):
        yield Preference(prompt, text, str(original["response"]), None, None, 1.0, side)
