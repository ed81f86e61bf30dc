"""What an assignment in an experiment arm is served: the functions the work loop calls."""

from __future__ import annotations

import copy
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session

from assay.domain.answers import validate_answer
from assay.domain.enums import Role
from assay.domain.quality_ops import ExperimentCreate
from assay.domain.template import parse_template
from assay.errors import InvalidInput
from assay.services import experiment_variants as variants
from assay.services import experiments
from assay.services.actor import Actor
from assay.store import experiments as experiment_store
from assay.store.base import new_id, utcnow
from assay.store.models import Assignment, GuidelineVersion, Organisation, Project, Task
from tests.support.factories import (
    LABEL_TEMPLATE,
    make_organisation,
    make_project,
    make_response,
    make_task,
    make_worker,
)

# The challenger's template: same answers, but a required justification of 20 characters.
PROJECT_TEMPLATE: dict[str, Any] = copy.deepcopy(LABEL_TEMPLATE)
PROJECT_TEMPLATE["questions"].append(
    {"type": "text", "name": "why", "prompt": "Why?", "required": False}
)
VARIANT_TEMPLATE: dict[str, Any] = copy.deepcopy(PROJECT_TEMPLATE)
VARIANT_TEMPLATE["questions"][0]["prompt"] = "How does the writer feel?"
VARIANT_TEMPLATE["questions"][1].update(required=True, min_length=20)
# What a variant stores and serves: the template in normal form, as projects store theirs.
SERVED_VARIANT = parse_template(VARIANT_TEMPLATE).model_dump(mode="json", exclude_none=True)


def _lead(org_id: str) -> Actor:
    return Actor(org_id=org_id, role=Role.REQUESTER, key_id="lead")


def _project(session: Session) -> Project:
    org = make_organisation(session)
    project = make_project(
        session, org, template=PROJECT_TEMPLATE, guideline_version=2, pay_per_task_cents=10
    )
    for version, goal in ((1, "old goal"), (2, "new goal")):
        session.add(GuidelineVersion(project_id=project.id, version=version, goal=goal))
    session.flush()
    return project


def _experiment(session: Session, project: Project, unit: str = "tasks", share: float = 0.5) -> str:
    spec = ExperimentCreate.model_validate(
        {
            "name": "Old guidelines, terse template vs new guidelines, justified answers",
            "factor": "guidelines",
            "unit": unit,
            "variants": [
                {
                    "name": "control",
                    "is_control": True,
                    # share 1.0: every unit goes to the challenger (the control's 1e-9 never wins)
                    "share": 1 - share if share < 1 else 1e-9,
                    "config": {"guideline_version": 1},
                },
                {
                    "name": "challenger",
                    "share": share,
                    "config": {
                        "guideline_version": 2,
                        "template": VARIANT_TEMPLATE,
                        "pay_per_task_cents": 15,
                    },
                },
            ],
        }
    )
    return experiments.create_experiment(session, _lead(project.org_id), project.id, spec).id


def _assignment(session: Session, task: Task, worker_id: str, **values: Any) -> Assignment:
    now = utcnow()
    row = Assignment(
        id=new_id("asg"),
        org_id=task.org_id,
        project_id=task.project_id,
        task_id=task.id,
        worker_id=worker_id,
        status="active",
        leased_at=values.pop("leased_at", now),
        expires_at=now + timedelta(minutes=15),
        **values,
    )
    session.add(row)
    session.flush()
    return row


def project_org(session: Session, project: Project) -> Organisation:
    return session.get_one(Organisation, project.org_id)


def _arms(session: Session, experiment_id: str) -> dict[str, str]:
    return {v.name: v.id for v in experiment_store.list_variants(session, experiment_id)}


def test_without_an_experiment_the_project_is_served(session: Session) -> None:
    project = _project(session)
    task = make_task(session, project)
    worker = make_worker(session, project_org(session, project))
    served = variants.serve_lease(session, project, task, worker.id)
    assert served.variant_id is None and served.experiment_id is None
    assert served.guideline_version == 2 and served.guidelines is not None
    assert served.guidelines.goal == "new goal"
    assert served.template == PROJECT_TEMPLATE and served.pay_per_task_cents == 10
    assert task.variant_id is None


def test_the_current_guidelines_the_caller_has_are_reused_when_served(session: Session) -> None:
    project = _project(session)
    worker = make_worker(session, project_org(session, project))
    current = GuidelineVersion(project_id=project.id, version=2, goal="read with the project")
    plain = variants.serve_lease(
        session, project, make_task(session, project), worker.id, current=current
    )
    assert plain.guidelines is current
    _experiment(session, project, share=1e-9)  # every unit in the control arm: version 1
    in_control = variants.serve_lease(
        session, project, make_task(session, project), worker.id, current=current
    )
    assert in_control.guideline_version == 1 and in_control.guidelines is not current
    assert in_control.guidelines is not None and in_control.guidelines.goal == "old goal"


def test_a_task_split_serves_each_arm_its_guidelines_template_and_pay(session: Session) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project)
    arms = _arms(session, experiment_id)
    worker = make_worker(session, project_org(session, project))
    seen: dict[str | None, int] = {}
    for _ in range(30):
        task = make_task(session, project)  # arrives after the start: placed by its first lease
        served = variants.serve_lease(session, project, task, worker.id)
        assert task.variant_id == served.variant_id and served.experiment_id == experiment_id
        seen[served.variant_id] = seen.get(served.variant_id, 0) + 1
        if served.variant_id == arms["challenger"]:
            assert served.guideline_version == 2 and served.template == SERVED_VARIANT
            assert served.pay_per_task_cents == 15
        else:
            assert served.guideline_version == 1 and served.template == PROJECT_TEMPLATE
            assert served.guidelines is not None and served.guidelines.goal == "old goal"
            assert served.pay_per_task_cents == 10
        # A second worker's lease on the same task lands in the same arm.
        other = make_worker(session, project_org(session, project))
        assert variants.serve_lease(session, project, task, other.id).variant_id == task.variant_id
    assert set(seen) == set(arms.values()) and min(seen.values()) >= 5


def test_the_lease_and_the_recompute_draw_the_same_arm(session: Session) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project)
    experiment = experiment_store.get_experiment(session, project.org_id, experiment_id)
    assert experiment is not None
    tasks = [make_task(session, project) for _ in range(12)]
    experiments.assign_new_units(session, project, experiment)
    session.flush()
    arms = experiment_store.list_variants(session, experiment_id)
    for task in tasks:
        session.refresh(task)
        assert task.variant_id == variants.pick_variant(arms, experiment_id, task.id).id


def test_the_answer_is_validated_against_the_served_template(session: Session) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project, share=1.0)
    arms = _arms(session, experiment_id)
    worker = make_worker(session, project_org(session, project))
    task = make_task(session, project)
    served = variants.serve_lease(session, project, task, worker.id)
    assert served.variant_id == arms["challenger"]
    terse = {"sentiment": "pos"}
    with pytest.raises(InvalidInput):
        validate_answer(served.parsed_template(), terse, task.payload)
    justified = {"sentiment": "pos", "why": "The reviewer says it is great value."}
    assert validate_answer(served.parsed_template(), justified, task.payload) == justified


def test_rework_after_the_stop_keeps_the_arm_but_new_leases_get_the_project(
    session: Session,
) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project, share=1.0)
    worker = make_worker(session, project_org(session, project))
    task = make_task(session, project)
    served = variants.serve_lease(session, project, task, worker.id)
    assignment = _assignment(
        session,
        task,
        worker.id,
        guideline_version=served.guideline_version,
        variant_id=served.variant_id,
    )
    experiments.stop_experiment(session, _lead(project.org_id), experiment_id)
    assignment.rework_reason = "Quote the words that decided it."
    again = variants.serve_assignment(session, project, assignment)
    assert again.variant_id == served.variant_id
    assert again.guideline_version == 2 and again.template == SERVED_VARIANT
    later = make_task(session, project)
    fresh = variants.serve_lease(session, project, later, worker.id)
    assert fresh.variant_id is None and fresh.template == PROJECT_TEMPLATE
    assert later.variant_id is None


def test_a_reviewer_is_served_what_the_response_was_made_under(session: Session) -> None:
    project = _project(session)
    _experiment(session, project, share=1.0)
    worker = make_worker(session, project_org(session, project))
    task = make_task(session, project)
    served = variants.serve_lease(session, project, task, worker.id)
    response = make_response(session, task, worker, guideline_version=served.guideline_version)
    session.get_one(Assignment, response.assignment_id).variant_id = served.variant_id
    for_review = variants.serve_response(session, project, response)
    assert for_review.variant_id == served.variant_id and for_review.template == SERVED_VARIANT
    assert for_review.guidelines is not None and for_review.guidelines.goal == "new goal"


def test_a_lease_made_before_the_experiment_is_in_no_arm(session: Session) -> None:
    project = _project(session)
    worker = make_worker(session, project_org(session, project))
    task = make_task(session, project)
    early = _assignment(
        session, task, worker.id, guideline_version=2, leased_at=utcnow() - timedelta(minutes=5)
    )
    _experiment(session, project, share=1.0)
    session.refresh(task)
    assert task.variant_id is not None  # the open task joined the experiment at its start
    served = variants.serve_assignment(session, project, early)
    assert served.variant_id is None and served.template == PROJECT_TEMPLATE
    assert served.guideline_version == 2


def test_outside_an_arm_resume_shows_the_leased_version_and_rework_the_current(
    session: Session,
) -> None:
    project = _project(session)
    worker = make_worker(session, project_org(session, project))
    task = make_task(session, project)
    assignment = _assignment(session, task, worker.id, guideline_version=1)
    assert variants.serve_assignment(session, project, assignment).guideline_version == 1
    assignment.rework_reason = "Read the new guidelines."
    assert variants.serve_assignment(session, project, assignment).guideline_version == 2
    bare = variants.serve_assignment(session, project, assignment, with_guidelines=False)
    assert bare.guideline_version == 2 and bare.guidelines is None


def test_a_worker_split_places_each_worker_once(session: Session) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project, unit="workers")
    org = project_org(session, project)
    workers = [make_worker(session, org) for _ in range(16)]
    placed: dict[str, str | None] = {}
    for worker in workers:
        first = variants.serve_lease(session, project, make_task(session, project), worker.id)
        second = variants.serve_lease(session, project, make_task(session, project), worker.id)
        assert first.variant_id is not None and first.variant_id == second.variant_id
        placed[worker.id] = first.variant_id
    assert experiment_store.members(session, experiment_id) == placed
    assert len(set(placed.values())) == 2


def test_the_report_counts_only_leases_made_in_an_arm(session: Session) -> None:
    project = _project(session)
    org = project_org(session, project)
    worker = make_worker(session, org)
    before = make_task(session, project, is_gold=True, gold_answer={"sentiment": "pos"})
    make_response(session, before, worker, {"sentiment": "pos"}, gold_correct=True)
    session.flush()
    experiment_id = _experiment(session, project)
    after = make_task(session, project, is_gold=True, gold_answer={"sentiment": "pos"})
    served = variants.serve_lease(session, project, after, worker.id)
    make_response(
        session,
        after,
        worker,
        {"sentiment": "pos"},
        gold_correct=True,
        variant_id=served.variant_id,
    )
    session.flush()
    view = experiments.experiment_report(session, _lead(org.id), experiment_id)
    assert sum(s.responses for s in view.series) == 1


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"guideline_version": 7}, "no guideline version 7"),
        ({"pay_per_task_cents": -1}, "pay_per_task_cents must be a whole number >= 0"),
        ({"template": {"questions": []}}, "questions"),
        (
            {"template": {**PROJECT_TEMPLATE, "questions": PROJECT_TEMPLATE["questions"][:1]}},
            "question 'why' is missing",
        ),
    ],
)
def test_a_variant_that_cannot_be_served_is_refused(
    session: Session, config: dict[str, Any], message: str
) -> None:
    project = _project(session)
    with pytest.raises(InvalidInput, match=message):
        variants.check_variant_config(session, project, "challenger", config)


def test_an_experiment_whose_arms_show_the_same_guidelines_is_refused(session: Session) -> None:
    project = _project(session)
    spec = ExperimentCreate.model_validate(
        {
            "name": "No difference",
            "factor": "guidelines",
            "variants": [
                {"name": "a", "is_control": True},
                {"name": "b", "config": {"guideline_version": 2}},
            ],
        }
    )
    with pytest.raises(InvalidInput, match="differ in guideline_version"):
        experiments.create_experiment(session, _lead(project.org_id), project.id, spec)


def test_promoting_a_template_variant_makes_it_the_projects(session: Session) -> None:
    project = _project(session)
    experiment_id = _experiment(session, project)
    experiments.promote_variant(session, _lead(project.org_id), experiment_id, "challenger")
    session.refresh(project)
    assert project.template == SERVED_VARIANT and project.guideline_version == 2
