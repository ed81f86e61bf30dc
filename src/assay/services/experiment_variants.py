"""What an assignment under an A/B experiment shows and is checked against: its arm's settings.

A lease made while an experiment runs belongs to an arm: the task's variant (experiments that
split tasks) or the worker's (experiments that split workers). The arm decides the guideline
version the worker reads, the template they answer, the pay and time estimate they are shown,
and the quality control their work meets: the gold rate (experiments that split workers) and
the review stages; anything the arm does not set comes from the project. The lease records its
arm (``Assignment.variant_id``) and the work is held to it: the answer is validated against the
arm's template, the response records the arm's guideline version and pay, and its reviews
follow the arm's review stages, so work sent back for rework after the experiment stopped is
redone under the arm it was first made under, while new leases get the project's settings
again. Units are placed in an arm on their first lease with a choice seeded by the experiment
and the unit, so two leases racing to place the same task or worker (or a lease and the
recompute's pass) agree.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from pydantic import ValidationError

from assay.domain.project import ReviewPolicy
from assay.domain.template import Template, parse_template
from assay.domain.template_compat import variant_template_problems
from assay.errors import InvalidInput
from assay.services.tasks import cached_template
from assay.store import Session
from assay.store import experiments as store
from assay.store import projects as project_store
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
    review_policy: dict[str, Any]
    variant_id: str | None = None
    experiment_id: str | None = None

    def parsed_template(self) -> Template:
        """The served template as typed objects (what answers are validated against)."""
        return cached_template(self.template)


def pick_variant(
    variants: list[ExperimentVariant], experiment_id: str, unit_id: str
) -> ExperimentVariant:
    """Draw a unit's arm by the variants' shares, the same draw every time for that unit."""
    rng = random.Random(f"{experiment_id}:{unit_id}")
    return rng.choices(variants, weights=[v.share for v in variants])[0]


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
    review_policy = config.get("review_policy")
    return ServedVersion(
        guideline_version=version,
        guidelines=guidelines,
        template=template if isinstance(template, dict) else project.template,
        pay_per_task_cents=pay if isinstance(pay, int) else project.pay_per_task_cents,
        time_estimate_seconds=seconds
        if isinstance(seconds, int)
        else project.time_estimate_seconds,
        review_policy=review_policy
        if isinstance(review_policy, dict)
        else (project.review_policy or {}),
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
    (flushes). Give the new assignment the returned ``guideline_version`` and ``variant_id``.
    ``current`` is the project's current guideline version when the caller has it already; it
    is reused instead of read again when that is the version served. Costs one indexed read
    when the project runs no experiment.
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


def worker_gold_rate(
    session: Session, project: Project, experiment: Experiment | None, worker_id: str
) -> float:
    """The share of the worker's leases in ``project`` that should be gold.

    An experiment that splits workers may give its arms their own gold rates (the worker is
    placed in an arm now if in none; flushes). Experiments that split tasks give each arm its
    own gold tasks instead, so the project's rate holds.
    """
    if experiment is None or experiment.unit != "workers":
        return project.gold_rate
    variants = store.list_variants(session, experiment.id)
    variant = _worker_arm(session, experiment, worker_id, variants, place=True)
    rate = variant.config.get("gold_rate") if variant is not None else None
    return float(rate) if isinstance(rate, int | float) else project.gold_rate


def _recorded_arm(session: Session, assignment: Assignment) -> ExperimentVariant | None:
    if assignment.variant_id is None:
        return None
    return session.get(ExperimentVariant, assignment.variant_id)


def serve_assignment(
    session: Session,
    project: Project,
    assignment: Assignment,
    *,
    with_guidelines: bool = True,
) -> ServedVersion:
    """Return what an existing assignment shows and is checked against (resume, rework, submit).

    Guidelines: the arm's version when it sets one; otherwise, for rework, the project's
    current version (what rework has always shown), and for a lease being resumed or
    submitted, the version recorded when it was leased. A submit, which shows nothing, passes
    ``with_guidelines=False`` to skip loading the guideline text (``guidelines`` is then None).
    Outside an experiment this reads nothing but, when asked for, the guideline text.
    """
    fallback = (
        project.guideline_version
        if assignment.rework_reason is not None
        else assignment.guideline_version
    )
    variant = _recorded_arm(session, assignment)
    return _served(session, project, variant, fallback, with_guidelines)


def serve_response(session: Session, project: Project, response: Response) -> ServedVersion:
    """Return what a response was made under, for its reviewers.

    That is its recorded guideline version (with the text), and its arm's template and review
    stages.
    """
    assignment = session.get(Assignment, response.assignment_id)
    variant = _recorded_arm(session, assignment) if assignment is not None else None
    served = _served(session, project, variant, response.guideline_version, False)
    version = response.guideline_version
    return replace(
        served,
        guideline_version=version,
        guidelines=project_store.get_guideline_version(session, project.id, version),
    )


def check_variant_config(
    session: Session, project: Project, name: str, config: dict[str, Any], *, unit: str = "tasks"
) -> dict[str, Any]:
    """Refuse a variant whose settings cannot be served to its arm.

    Returns:
        The configuration to store: as given, with the template and review policy in normal
        form (as projects store theirs).

    Raises:
        InvalidInput: the guideline version does not exist, the template is invalid or cannot
            replace the project's (see ``assay.domain.template_compat``), a number is wrong,
            the review policy is invalid, or a gold rate is set on an experiment that splits
            tasks (each task arm has its own gold tasks; a rate belongs to a worker's arm).

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
    stored = dict(config)
    if "gold_rate" in config:
        stored["gold_rate"] = _gold_rate(name, config["gold_rate"], unit)
    if "review_policy" in config:
        stored["review_policy"] = _review_policy(name, config["review_policy"])
    if "template" not in config:
        return stored
    template = parse_template(config["template"])
    problems = variant_template_problems(parse_template(project.template), template)
    if problems:
        raise InvalidInput(
            f"Variant {name!r}: its template cannot replace the project's: {problems[0]}.",
            details=[{"variant": name, "problem": p} for p in problems],
        )
    return {**stored, "template": template.model_dump(mode="json", exclude_none=True)}


def _gold_rate(name: str, rate: object, unit: str) -> float:
    if unit != "workers":
        raise InvalidInput(
            f"Variant {name!r}: a gold rate varies between workers; split workers "
            "(unit: workers) to compare gold rates. Tasks split into arms keep their own gold."
        )
    if not isinstance(rate, int | float) or isinstance(rate, bool) or not 0 <= rate < 1:
        raise InvalidInput(f"Variant {name!r}: gold_rate must be a number from 0 up to 1.")
    return float(rate)


def _review_policy(name: str, policy: object) -> dict[str, Any]:
    try:
        return ReviewPolicy.model_validate(policy).model_dump(mode="json")
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "review_policy"
        raise InvalidInput(f"Variant {name!r}: review_policy.{where}: {first['msg']}.") from error


def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_factor_is_varied(project: Project, factor: str, configs: list[dict[str, Any]]) -> None:
    """Refuse an experiment whose arms would all serve the same thing in its factor.

    Raises:
        InvalidInput: every arm would show the same guideline version (or the same template,
            or the same pay), or, in a quality-control experiment, the same gold rate and
            review stages.

    """
    defaults: dict[str, Any] = {
        "guideline_version": project.guideline_version,
        "template": parse_template(project.template).model_dump(mode="json", exclude_none=True),
        "pay_per_task_cents": project.pay_per_task_cents,
        "gold_rate": project.gold_rate,
        "review_policy": ReviewPolicy.model_validate(project.review_policy or {}).model_dump(
            mode="json"
        ),
    }
    keys = {
        "guidelines": ("guideline_version",),
        "template": ("template",),
        "pay": ("pay_per_task_cents",),
        "qc_policy": ("gold_rate", "review_policy"),
    }.get(factor, ())
    if not keys:
        return
    shown = [tuple(config.get(key, defaults[key]) for key in keys) for config in configs]
    if all(value == shown[0] for value in shown):
        raise InvalidInput(
            f"A {factor} experiment needs arms that differ in {' or '.join(keys)}; "
            "every arm would serve the same."
        )
