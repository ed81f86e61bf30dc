"""Comparison projects: models answer each prompt in background jobs; workers pick the better.

Importing prompts stores one task per prompt with its lease slots held at 0, a pending
generation per model and one ``model.generate`` job. When every generation is done the job
writes the responses into the task's payload under opaque ids (never the model's name) and
opens the slots; until then no worker can lease the task. A generation that keeps failing is
marked ``failed`` and its task stays held: the requester sees it in the generation status and
retries it.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Sequence
from dataclasses import dataclass

from assay.domain.enums import Role, TaskState
from assay.domain.rlhf import ComparisonCreate, PromptImport
from assay.domain.task import TaskCreate, TaskImport
from assay.services.actor import Actor
from assay.services.generation_jobs import enqueue_generation, new_response_id
from assay.services.model_projects import load_model_project, new_model_project
from assay.services.rlhf_presets import PROMPT_KEY, RESPONSES_KEY, comparison_template
from assay.services.tasks import ImportReport, store_tasks
from assay.store import Session
from assay.store import generations as store
from assay.store import tasks as task_store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id
from assay.store.models import Project
from assay.store.models.rlhf import Generation, ProjectModelSetup

MODE = "comparison"
GENERATING_MODES = (MODE, "rubric_eval")
RESPONSES_PER_TASK = 2
FAILED_SHOWN = 100


def create_comparison_project(session: Session, actor: Actor, spec: ComparisonCreate) -> Project:
    """Create a comparison project over two or more registered endpoints; commits."""
    actor.require(Role.REQUESTER)
    project, _setup = new_model_project(
        session,
        actor,
        spec,
        mode=MODE,
        template=comparison_template(spec),
        prompt_key=PROMPT_KEY,
        responses_key=RESPONSES_KEY,
        randomise_sides=spec.randomise_sides,
    )
    session.commit()
    return project


def _placeholders() -> list[dict[str, str]]:
    # Valid for the template until the job writes the real responses; never shown, since
    # the task cannot be leased before then.
    return [{"id": f"pending-{i}", "content": ""} for i in range(RESPONSES_PER_TASK)]


def import_prompts(
    session: Session, actor: Actor, project_id: str, spec: PromptImport
) -> ImportReport:
    """Store one task per new prompt and queue its generation; all or nothing, commits."""
    actor.require(Role.REQUESTER)
    project, setup = load_model_project(session, actor, project_id, MODE)
    existing = task_store.find_task_ids_by_unique_id(
        session, project.id, {p.unique_id for p in spec.prompts}
    )
    tasks = [
        TaskCreate(
            unique_id=p.unique_id,
            priority=p.priority,
            metadata=p.metadata,
            payload={setup.prompt_key: p.conversation(), setup.responses_key: _placeholders()},
        )
        for p in spec.prompts
    ]
    report = store_tasks(
        session,
        actor,
        project,
        TaskImport(tasks=tasks, batch_id=spec.batch_id, batch_name=spec.batch_name),
    )
    new_ids = list(
        dict.fromkeys(
            task_id
            for item, task_id in zip(spec.prompts, report.task_ids, strict=True)
            if item.unique_id not in existing
        )
    )
    queue_generations(session, project, setup, new_ids)
    session.commit()
    return report


def queue_generations(
    session: Session,
    project: Project,
    setup: ProjectModelSetup,
    task_ids: Sequence[str],
    rng: random.Random | None = None,
) -> None:
    """Hold new tasks, add a pending generation per model and queue a job for each task.

    With more than two endpoints, each task gets one pair, cycling through every pairing so
    each is asked about equally often; which model is "A" in the task is random.
    """
    if not task_ids:
        return
    rng = rng or random.Random()
    store.hold_tasks(session, task_ids)
    pairs = list(itertools.combinations(setup.endpoint_ids, RESPONSES_PER_TASK))
    rng.shuffle(pairs)
    rows: list[Generation] = []
    for index, task_id in enumerate(task_ids):
        pair = list(pairs[index % len(pairs)])
        rng.shuffle(pair)
        rows.extend(
            Generation(
                id=new_id("gen"),
                org_id=project.org_id,
                project_id=project.id,
                task_id=task_id,
                endpoint_id=endpoint_id,
                response_id=new_response_id(),
                position=position,
            )
            for position, endpoint_id in enumerate(pair)
        )
    store.insert_generations(session, rows)
    for task_id in task_ids:
        enqueue_generation(
            session, org_id=project.org_id, task_id=task_id, max_attempts=setup.max_attempts
        )


def settle_task(session: Session, task_id: str, responses_key: str) -> bool:
    """Write the task's responses into its payload and open it, once every one is generated.

    Returns whether the task is ready. Safe to call again: a ready task is left as it is.
    """
    generations = store.list_task_generations(session, task_id)
    if not generations or any(g.status != "done" for g in generations):
        return False
    task = task_store.get_task_for_update(session, task_id)
    if task is None:
        return False
    responses = [{"id": g.response_id, "content": g.content or ""} for g in generations]
    if task.payload.get(responses_key) == responses:
        return True
    task.payload = {**task.payload, responses_key: responses}
    if task.state == TaskState.OPEN and not task.is_gold:
        task.open_slots = task.redundancy
    return True


@dataclass(frozen=True)
class GenerationStatus:
    """How far a project's model generations are: counts by status and the failures."""

    counts: dict[str, int]
    failed: list[Generation]


def generation_status(session: Session, actor: Actor, project_id: str) -> GenerationStatus:
    """Count a project's generations by status and list the first failed ones with errors."""
    actor.require(Role.REQUESTER)
    project, _setup = load_model_project(session, actor, project_id, *GENERATING_MODES)
    counts = {"pending": 0, "done": 0, "failed": 0} | store.count_generations(session, project.id)
    failed = store.list_unfinished_generations(
        session, project.id, status="failed", limit=FAILED_SHOWN
    )
    return GenerationStatus(counts=counts, failed=failed)


def retry_generations(
    session: Session, actor: Actor, project_id: str, task_ids: Sequence[str] | None = None
) -> int:
    """Give failed generations a fresh attempt budget and queue them again; commits.

    Also re-queues generations still pending (e.g. after a worker process died). Returns
    how many tasks or eval items were queued.
    """
    actor.require(Role.REQUESTER)
    project, setup = load_model_project(session, actor, project_id, *GENERATING_MODES)
    wanted = set(task_ids) if task_ids is not None else None
    stuck = [
        generation
        for status in ("failed", "pending")
        for generation in store.list_unfinished_generations(
            session, project.id, status=status, limit=100_000
        )
        if wanted is None or generation.task_id in wanted
    ]
    store.reset_generations(session, [g.id for g in stuck if g.status == "failed"])
    subjects = {(g.task_id, g.eval_item_id) for g in stuck}
    for task_id, eval_item_id in subjects:
        enqueue_generation(
            session,
            org_id=project.org_id,
            task_id=task_id,
            eval_item_id=eval_item_id,
            max_attempts=setup.max_attempts,
        )
    if subjects:
        insert_audit_event(
            session,
            org_id=actor.org_id,
            actor=actor.label,
            action="generations.retry",
            object_type="project",
            object_id=project.id,
            after={"queued": len(subjects)},
        )
    session.commit()
    return len(subjects)
