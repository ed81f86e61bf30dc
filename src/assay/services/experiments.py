"""A/B experiments: split a project's tasks or workers between two variants, report, decide.

Tasks (gold included, so each variant has its own gold) or workers are assigned at random in
proportion to each variant's share: on their first lease, at the start, and at every recompute
for new ones. What a variant changes is served to the leases in its arm
(``experiment_variants``); a variant's pay is also what its responses are paid. The report
compares gold accuracy, speed and cost with :func:`assay.quality.signals.compare_variants`
(tests, Benjamini-Hochberg, a recommendation); promoting a variant writes its configuration to
the project (audited).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from assay.domain.enums import Role
from assay.domain.quality_ops import ExperimentCreate
from assay.errors import Conflict, InvalidInput, NotFound
from assay.quality.signals import (
    ExperimentReport,
    VariantOutcome,
    beta_interval,
    compare_variants,
)
from assay.services.actor import Actor
from assay.services.experiment_variants import (
    check_factor_is_varied,
    check_variant_config,
    pick_variant,
)
from assay.services.projects import load_project
from assay.store import Session
from assay.store import experiments as store
from assay.store import quality_ops as quality_store
from assay.store.audit import insert_audit_event
from assay.store.base import new_id, utcnow
from assay.store.models import Project, Response
from assay.store.models.quality_ops import Experiment, ExperimentVariant

PROMOTABLE = (
    "pay_per_task_cents",
    "guideline_version",
    "template",
    "gold_rate",
    "time_estimate_seconds",
    "review_policy",
)


def create_experiment(
    session: Session, actor: Actor, project_id: str, spec: ExperimentCreate
) -> Experiment:
    """Start an experiment (one running per project) and assign the open tasks; commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    if store.running_experiment(session, project.id) is not None:
        raise Conflict("This project already runs an experiment; stop it first.")
    configs = [
        check_variant_config(session, project, v.name, v.config, unit=spec.unit)
        for v in spec.variants
    ]
    check_factor_is_varied(project, spec.factor, configs)
    experiment = Experiment(
        id=new_id("exp"),
        org_id=project.org_id,
        project_id=project.id,
        name=spec.name,
        unit=spec.unit,
        factor=spec.factor,
        created_by=actor.label,
    )
    variants = [
        ExperimentVariant(
            id=new_id("var"),
            experiment_id=experiment.id,
            name=v.name,
            share=v.share,
            is_control=v.is_control,
            config=config,
        )
        for v, config in zip(spec.variants, configs, strict=True)
    ]
    store.add_experiment(session, experiment, variants)
    assign_new_units(session, project, experiment)
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="experiment.create",
        object_type="project",
        object_id=project.id,
        after={
            "experiment_id": experiment.id,
            "name": spec.name,
            "variants": [v.name for v in spec.variants],
        },
    )
    session.commit()
    return experiment


def assign_new_units(session: Session, project: Project, experiment: Experiment) -> int:
    """Assign tasks (or workers) that arrived since the last pass; returns how many.

    The draw per unit is the one a lease makes (``pick_variant``), so a task or worker placed
    by its first lease and by this pass ends up in the same arm either way.
    """
    variants = store.list_variants(session, experiment.id)
    if experiment.unit == "tasks":
        chosen: dict[str, list[str]] = {}
        for task in store.unassigned_tasks(session, project.id):
            chosen.setdefault(pick_variant(variants, experiment.id, task.id).id, []).append(task.id)
        for variant_id, task_ids in chosen.items():
            store.set_task_variant(session, task_ids, variant_id)
        return sum(len(ids) for ids in chosen.values())
    known = store.members(session, experiment.id)
    added = 0
    for response in quality_store.list_project_responses(session, project.id):
        if response.worker_id not in known and response.created_at >= experiment.created_at:
            variant = pick_variant(variants, experiment.id, response.worker_id)
            store.ensure_member(session, experiment.id, response.worker_id, variant.id)
            known[response.worker_id] = variant.id
            added += 1
    return added


def apply_variant_pay(session: Session, project: Project, experiment: Experiment) -> None:
    """Pay each response under the experiment what its variant pays."""
    variants = {v.id: v for v in store.list_variants(session, experiment.id)}
    by_unit = _variant_of(session, project, experiment)
    for response, variant_id in by_unit:
        pay = variants[variant_id].config.get("pay_per_task_cents")
        if isinstance(pay, int) and response.pay_cents != pay:
            response.pay_cents = pay


def _variant_of(
    session: Session, project: Project, experiment: Experiment
) -> list[tuple[Response, str]]:
    """Each response given under the experiment, with its variant id.

    A response belongs to the arm its lease recorded: the arm whose settings the worker was
    shown (``experiment_variants``).
    """
    ids = [v.id for v in store.list_variants(session, experiment.id)]
    arms = store.assignment_arms(session, project.id, ids)
    return [
        (response, arms[response.assignment_id])
        for response in quality_store.list_project_responses(session, project.id)
        if response.assignment_id in arms and response.status != "excluded"
    ]


@dataclass
class VariantSeries:
    """One variant's numbers, overall and by day, for the report's charts."""

    variant: ExperimentVariant
    outcome: VariantOutcome
    responses: int
    daily: list[tuple[date, int, float, float, float]] = field(default_factory=list)

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% interval of the variant's gold accuracy (Jeffreys)."""
        o = self.outcome
        return beta_interval(float(o.gold_correct), float(o.gold_answered), 0.95)


@dataclass(frozen=True)
class ExperimentView:
    """An experiment with its variants' outcomes and the statistical report."""

    experiment: Experiment
    series: list[VariantSeries]
    report: ExperimentReport | None
    note: str


def _series(variant: ExperimentVariant, rows: list[Response]) -> VariantSeries:
    gold = [r for r in rows if r.gold_correct is not None]
    outcome = VariantOutcome(
        name=variant.name,
        gold_correct=sum(bool(r.gold_correct) for r in gold),
        gold_answered=len(gold),
        seconds=[r.active_time_ms / 1000 for r in rows if r.active_time_ms is not None],
        cost=[float(r.pay_cents) for r in rows],
    )
    days: dict[date, list[bool]] = {}
    for response in gold:
        days.setdefault(response.created_at.date(), []).append(bool(response.gold_correct))
    daily = []
    for day in sorted(days):
        right, n = sum(days[day]), len(days[day])
        low, high = beta_interval(right, n, 0.95)
        daily.append((day, n, right / n, low, high))
    return VariantSeries(variant, outcome, len(rows), daily)


def experiment_report(session: Session, actor: Actor, experiment_id: str) -> ExperimentView:
    """Each variant's quality, speed and cost, the tests, and a recommendation."""
    actor.require(Role.REQUESTER)
    experiment = load_experiment(session, actor, experiment_id)
    project = load_project(session, actor, experiment.project_id)
    variants = store.list_variants(session, experiment.id)
    grouped: dict[str, list[Response]] = {v.id: [] for v in variants}
    for response, variant_id in _variant_of(session, project, experiment):
        grouped[variant_id].append(response)
    series = [_series(v, grouped[v.id]) for v in variants]
    control, challenger = series[0], series[1]
    if control.outcome.gold_answered < 1 or challenger.outcome.gold_answered < 1:
        return ExperimentView(experiment, series, None, "Each variant needs gold answers first.")
    report = compare_variants(control.outcome, challenger.outcome)
    return ExperimentView(experiment, series, report, "")


def load_experiment(session: Session, actor: Actor, experiment_id: str) -> Experiment:
    """Return an experiment of the actor's organisation."""
    experiment = store.get_experiment(session, actor.org_id, experiment_id)
    if experiment is None:
        raise NotFound(f"No experiment {experiment_id!r} in this organisation.")
    return experiment


def list_experiments(session: Session, actor: Actor, project_id: str) -> list[Experiment]:
    """Return a project's experiments."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return store.list_experiments(session, project.id)


def stop_experiment(session: Session, actor: Actor, experiment_id: str) -> Experiment:
    """Stop assigning new units; the project keeps its current settings. Commits."""
    actor.require(Role.REQUESTER)
    experiment = load_experiment(session, actor, experiment_id)
    if experiment.status != "running":
        raise Conflict(f"This experiment is already {experiment.status}.")
    experiment.status, experiment.stopped_at = "stopped", utcnow()
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="experiment.stop",
        object_type="experiment",
        object_id=experiment.id,
        before={"status": "running"},
        after={"status": "stopped"},
    )
    session.commit()
    return experiment


def promote_variant(
    session: Session, actor: Actor, experiment_id: str, variant_name: str
) -> Experiment:
    """End the experiment and make a variant's configuration the project's (audited); commits."""
    actor.require(Role.REQUESTER)
    experiment = load_experiment(session, actor, experiment_id)
    if experiment.status == "promoted":
        raise Conflict("A variant of this experiment was already promoted.")
    variant = next(
        (v for v in store.list_variants(session, experiment.id) if v.name == variant_name), None
    )
    if variant is None:
        raise InvalidInput(f"No variant {variant_name!r} in this experiment.")
    project = load_project(session, actor, experiment.project_id)
    changes = {k: v for k, v in variant.config.items() if k in PROMOTABLE}
    before = {k: getattr(project, k) for k in changes}
    for key, value in changes.items():
        setattr(project, key, value)
    experiment.status, experiment.stopped_at = "promoted", experiment.stopped_at or utcnow()
    experiment.winner_variant_id = variant.id
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="experiment.promote",
        object_type="project",
        object_id=project.id,
        before={"experiment_id": experiment.id, **before},
        after={"variant": variant.name, **changes},
    )
    session.commit()
    return experiment


def run_experiment_upkeep(session: Session, project: Project) -> None:
    """Assign new units and apply variant pay for the project's running experiment (flushes)."""
    experiment = store.running_experiment(session, project.id)
    if experiment is None:
        return
    assign_new_units(session, project, experiment)
    apply_variant_pay(session, project, experiment)
    session.flush()
