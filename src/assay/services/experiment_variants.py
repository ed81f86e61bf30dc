"""What an assignment under an A/B experiment shows and is checked against: its arm's settings.

A lease made while an experiment runs belongs to an arm: the task's variant (experiments that
split tasks) or the worker's (experiments that split workers). The arm decides the guideline
version the worker reads, the template they answer, the pay and time estimate they are shown;
anything the arm does not set comes from the project. The worker's work is then held to that:
the answer is validated against the arm's template and the response records the arm's
guideline version.

An assignment belongs to the experiment whose running window holds its lease time, so work sent
back for rework after the experiment stopped is redone under the arm it was first made under,
while new leases get the project's settings again. Units are placed in an arm on their first
lease with a choice seeded by the experiment and the unit, so two leases racing to place the
same task or worker (or a lease and the recompute's pass) agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from assay.domain.template import Template, parse_template
from assay.domain.template_compat import variant_template_problems
from assay.errors import InvalidInput
from assay.store import Session
from assay.store import experiments as store
from assay.store import projects as project_store
from assay.store import work as work_store
from assay.store.models import Assignment, GuidelineVersion, Project, Response, Task
from assay.store.models.quality_ops import Experiment, ExperimentVariant


@dataclass(frozen=True)
class ServedVersion:
    """The settings a worker sees on one assignment, and the arm they come from.

    ``variant_id`` and ``experiment_id`` are None when the assignment is in no arm (then every
    value is the project's).
    """

    guideline_version: int
    guidelines: GuidelineVersion | None
    template: dict[str, Any]
    pay_per_task_cents: int
    time_estimate_seconds: int
    variant_id: str | None = None
    experiment_id: str | None = None

    def parsed_template(self) -> Template:
        """The served template as typed objects (what answers are validated against)."""
        return parse_template(self.template)


def pick_variant(
    variants: list[ExperimentVariant], experiment_id: str, unit_id: str
) -> ExperimentVariant:
    """Draw a unit's arm by the variants' shares, the same draw every time for that unit."""
    rng = random.Random(f"{experiment_id}:{unit_id}")
    return rng.choices(variants, weights=[v.share for v in variants])[0]


def _in_window(experiment: Experiment, assignment: Assignment) -> bool:
    started = assignment.leased_at >= experiment.created_at
    return started and (
        experiment.stopped_at is None or assignment.leased_at < experiment.stopped_at
    )


def _task_arm(
    experiment: Experiment, task: Task, variants: list[ExperimentVariant], place: bool
) -> ExperimentVariant | None:
    by_id = {v.id: v for v in variants}
    if task.variant_id is None and place and task.response_count == 0:
        # The recompute's pass places only tasks without responses; so does the first lease.
        task.variant_id = pick_variant(variants, experiment.id, task.id).id
    return by_id.get(task.variant_id) if task.variant_id else None


def _worker_arm(
    session: Session,
    experiment: Experiment,
    worker_id: str,
    variants: list[ExperimentVariant],
    place: bool,
) -> ExperimentVariant | None:
    by_id = {v.id: v for v in variants}
    variant_id = store.get_member(session, experiment.id, worker_id)
    if variant_id is None and place:
        chosen = pick_variant(variants, experiment.id, worker_id)
        variant_id = store.ensure_member(session, experiment.id, worker_id, chosen.id)
    return by_id.get(variant_id) if variant_id else None


def _arm(
    session: Session, experiment: Experiment, task: Task, worker_id: str, *, place: bool
) -> ExperimentVariant | None:
    variants = store.list_variants(session, experiment.id)
    if experiment.unit == "tasks":
        return _task_arm(experiment, task, variants, place)
    return _worker_arm(session, experiment, worker_id, variants, place)


def _served(
    session: Session,
    project: Project,
    variant: ExperimentVariant | None,
    fallback_version: int,
    with_guidelines: bool,
    current: GuidelineVersion | None = None,
) -> ServedVersion:
    config = variant.config if variant is not None else {}
    version = config.get("guideline_version")
    version = version if isinstance(version, int) else fallback_version
    if current is not None and current.version == version:
        guidelines: GuidelineVersion | None = current
    elif with_guidelines:
        guidelines = project_store.get_guideline_version(session, project.id, version)
    else:
        guidelines = None
    pay = config.get("pay_per_task_cents")
    seconds = config.get("time_estimate_seconds")
    template = config.get("template")
    return ServedVersion(
        guideline_version=version,
        guidelines=guidelines,
        template=template if isinstance(template, dict) else project.template,
        pay_per_task_cents=pay if isinstance(pay, int) else project.pay_per_task_cents,
        time_estimate_seconds=seconds
        if isinstance(seconds, int)
        else project.time_estimate_seconds,
        variant_id=variant.id if variant is not None else None,
        experiment_id=variant.experiment_id if variant is not None else None,
    )


def serve_lease(
    session: Session,
    project: Project,
    task: Task,
    worker_id: str,
    *,
    current: GuidelineVersion | None = None,
) -> ServedVersion:
    """Return what a new lease of ``task`` by ``worker_id`` shows (call before creating it).

    With a running experiment the task or the worker is placed in an arm if it is in none yet
    (flushes). Set the new assignment's ``guideline_version`` to the returned one. ``current``
    is the project's current guideline version when the caller has it already; it is reused
    instead of read again when that is the version served. Costs one indexed read when the
    project runs no experiment.
    """
    experiment = store.running_experiment(session, project.id)
    return serve_lease_under(session, project, task, worker_id, experiment, current=current)


def serve_lease_under(
    session: Session,
    project: Project,
    task: Task,
    worker_id: str,
    experiment: Experiment | None,
    *,
    current: GuidelineVersion | None = None,
) -> ServedVersion:
    """Like :func:`serve_lease`, for a caller that has read the running experiment (or None)."""
    variant = _arm(session, experiment, task, worker_id, place=True) if experiment else None
    return _served(session, project, variant, project.guideline_version, True, current)


def arm_of_assignment(
    session: Session, project: Project, task: Task, assignment: Assignment
) -> ExperimentVariant | None:
    """Return the arm an existing assignment was leased under, if any (reads only)."""
    for experiment in store.list_experiments(session, project.id):
        if _in_window(experiment, assignment):
            return _arm(session, experiment, task, assignment.worker_id, place=False)
    return None


def serve_assignment(
    session: Session,
    project: Project,
    task: Task,
    assignment: Assignment,
    *,
    with_guidelines: bool = True,
) -> ServedVersion:
    """Return what an existing assignment shows and is checked against (resume, rework, submit).

    Guidelines: the arm's version when it sets one; otherwise, for rework, the project's
    current version (what rework has always shown), and for a lease being resumed or
    submitted, the version recorded when it was leased. A submit, which shows nothing, passes
    ``with_guidelines=False`` to skip loading the guideline text (``guidelines`` is then None).
    """
    variant = arm_of_assignment(session, project, task, assignment)
    fallback = (
        project.guideline_version
        if assignment.rework_reason is not None
        else assignment.guideline_version
    )
    return _served(session, project, variant, fallback, with_guidelines)


def serve_response(
    session: Session, project: Project, task: Task, response: Response
) -> ServedVersion:
    """Return what a response was made under, for its reviewers.

    That is its recorded guideline version (with the text) and its arm's template.
    """
    assignment = work_store.get_assignment_for_worker(
        session, response.org_id, response.assignment_id, response.worker_id
    )
    variant = arm_of_assignment(session, project, task, assignment) if assignment else None
    served = _served(session, project, variant, response.guideline_version, False)
    version = response.guideline_version
    return replace(
        served,
        guideline_version=version,
        guidelines=project_store.get_guideline_version(session, project.id, version),
    )


def check_variant_config(
    session: Session, project: Project, name: str, config: dict[str, Any]
) -> dict[str, Any]:
    """Refuse a variant whose guideline version, template, pay or time estimate cannot be served.

    Returns:
        The configuration to store: as given, with the template in normal form (as projects
        store theirs).

    Raises:
        InvalidInput: the guideline version does not exist, the template is invalid or cannot
            replace the project's (see ``assay.domain.template_compat``), or a number is wrong.

    """
    version = config.get("guideline_version")
    if version is not None and (
        not _whole(version)
        or project_store.get_guideline_version(session, project.id, version) is None
    ):
        raise InvalidInput(f"Variant {name!r}: the project has no guideline version {version!r}.")
    for key, low in (("pay_per_task_cents", 0), ("time_estimate_seconds", 1)):
        value = config.get(key)
        if value is not None and not (_whole(value) and value >= low):
            raise InvalidInput(f"Variant {name!r}: {key} must be a whole number >= {low}.")
    if "template" not in config:
        return dict(config)
    template = parse_template(config["template"])
    problems = variant_template_problems(parse_template(project.template), template)
    if problems:
        raise InvalidInput(
            f"Variant {name!r}: its template cannot replace the project's: {problems[0]}.",
            details=[{"variant": name, "problem": p} for p in problems],
        )
    return {**config, "template": template.model_dump(mode="json", exclude_none=True)}


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_factor_is_varied(project: Project, factor: str, configs: list[dict[str, Any]]) -> None:
    """Refuse a guideline or template experiment whose arms would all show the same thing.

    Raises:
        InvalidInput: every arm would show the same guideline version (or the same template).

    """
    key, default = {
        "guidelines": ("guideline_version", project.guideline_version),
        "template": ("template", project.template),
    }.get(factor, (None, None))
    if key is None:
        return
    shown = [config.get(key, default) for config in configs]
    if key == "template":
        shown = [parse_template(t).model_dump(mode="json", exclude_none=True) for t in shown]
    if all(value == shown[0] for value in shown):
        raise InvalidInput(
            f"A {factor} experiment needs arms that differ in {key}; every arm would show the same."
        )
