"""Left/right order per worker for comparison tasks, and mapping their answers back.

When a worker leases a task of a comparison project that randomises sides, the task's two
responses are put in a random order for that assignment (``comparison_sides``). The worker is
shown the payload in that order and answers A/B/tie in it. At submit the answer is mapped back
to the task's own order (A is the payload's first response), which is what responses, results
and exports hold, so votes of workers who saw different orders add up. The answer as the worker
gave it is kept beside it, with the ids of the preferred and the passed-over response.
"""

from __future__ import annotations

import random
from typing import Any

from assay.domain.questions import PairwiseQuestion
from assay.services.tasks import project_template
from assay.store import Session
from assay.store import comparisons as store
from assay.store import model_endpoints as endpoint_store
from assay.store.models import Assignment, Project, Task
from assay.store.models.rlhf import ComparisonSides

_SWAP = {"A": "B", "B": "A", "tie": "tie"}


def _compared_field(project: Project) -> tuple[str, list[str]] | None:
    """Return the payload key of the compared responses and the pairwise questions over it."""
    # Claims and submits of every project pass here: skip parsing unless a pairwise is asked.
    raw_questions = (project.template or {}).get("questions", [])
    if not any(q.get("type") == "pairwise" for q in raw_questions if isinstance(q, dict)):
        return None
    template = project_template(project)
    pairwise = [q for q in template.questions if isinstance(q, PairwiseQuestion) and q.source]
    if not pairwise:
        return None
    source = pairwise[0].source
    field = template.fields_by_name[str(source)]
    on_field = [q for q in template.questions if getattr(q, "source", None) == source]
    if any(not isinstance(q, PairwiseQuestion) for q in on_field):
        return None  # a ranking over the same responses would need its own mapping
    return field.key, [q.name for q in on_field]


def _response_ids(responses: list[Any]) -> list[str]:
    return [str(r.get("id", index)) for index, r in enumerate(responses)]


def assign_sides(
    session: Session, project: Project, task: Task, assignment: Assignment, rng: random.Random
) -> Task:
    """Choose this worker's order of the task's responses (in the claim's transaction).

    Returns the task as the worker is shown it: a display-only copy with the responses in
    their order, or the task itself when the project shows tasks as they are.
    """
    compared = _compared_field(project)
    if compared is None:
        return task
    setup = endpoint_store.get_setup(session, project.org_id, project.id)
    if setup is None or not setup.randomise_sides:
        return task
    key = compared[0]
    ids = _response_ids(list(task.payload.get(key) or []))
    if len(ids) != 2:
        return task
    shown = rng.sample(ids, k=len(ids))
    store.insert_sides(
        session,
        ComparisonSides(
            assignment_id=assignment.id, org_id=project.org_id, task_id=task.id, shown_ids=shown
        ),
    )
    return store.shown_copy(task, _reorder(task.payload, key, shown))


def _reorder(payload: dict[str, Any], key: str, shown_ids: list[str]) -> dict[str, Any]:
    responses = list(payload.get(key) or [])
    by_id = dict(zip(_response_ids(responses), responses, strict=True))
    # Workers never see which model wrote a response, even when the requester named it.
    shown = [{k: v for k, v in by_id[i].items() if k != "model"} for i in shown_ids]
    return {**payload, key: shown}


def show_sides(session: Session, project: Project, task: Task, assignment: Assignment) -> Task:
    """Return the task as this assignment's worker is shown it (when resuming a lease)."""
    compared = _compared_field(project)
    sides = store.get_sides(session, assignment.id) if compared else None
    if sides is None or compared is None:
        return task
    return store.shown_copy(task, _reorder(task.payload, compared[0], sides.shown_ids))


def to_task_order(
    session: Session, assignment: Assignment, project: Project, task: Task, answer: dict[str, Any]
) -> dict[str, Any]:
    """Map a validated answer given in the worker's order to the task's order; keep both.

    Answers of assignments shown in the task's own order come back unchanged.
    """
    compared = _compared_field(project)
    sides = store.get_sides(session, assignment.id) if compared else None
    if sides is None or compared is None:
        return answer
    key, questions = compared
    task_ids = _response_ids(list(task.payload.get(key) or []))
    flipped = sides.shown_ids != task_ids
    mapped = {
        name: _flip(value) if flipped and name in questions else value
        for name, value in answer.items()
    }
    sides.shown_answer = answer
    choice = (mapped.get(questions[0]) or {}).get("choice")
    winner = {"A": 0, "B": 1}.get(str(choice))
    sides.chosen_id = task_ids[winner] if winner is not None else None
    sides.rejected_id = task_ids[1 - winner] if winner is not None else None
    return mapped


def _flip(judgement: dict[str, Any]) -> dict[str, Any]:
    flipped = dict(judgement)
    flipped["choice"] = _SWAP[judgement["choice"]]
    if "axes" in judgement:
        flipped["axes"] = {
            axis: {**value, "choice": _SWAP[value["choice"]]}
            for axis, value in judgement["axes"].items()
        }
    return flipped
