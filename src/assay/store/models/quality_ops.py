"""Quality operations: signals, skill estimates, policies, actions, gate, SPC, A/B tests."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from assay.store.base import Base, utcnow


class QualitySignal(Base):
    """One detector's latest verdict on one subject (a worker, a pair of workers, a gold task).

    Re-running a detector updates the same row (unique per project, kind and subject), so the
    evidence is always the current one; ``status`` records what operations made of it.
    """

    __tablename__ = "quality_signals"
    __table_args__ = (UniqueConstraint("project_id", "kind", "subject_id"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"))
    kind: Mapped[str] = mapped_column(String(48))
    # worker | pair | gold | project
    subject_type: Mapped[str] = mapped_column(String(16))
    # A worker id, "worker_a+worker_b" for pairs, a task id for gold, the project id.
    subject_id: Mapped[str] = mapped_column(String(80))
    worker_id: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    other_worker_id: Mapped[str | None] = mapped_column(String(32), default=None)
    score: Mapped[float] = mapped_column(Float)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    threshold: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # open | dismissed | actioned
    status: Mapped[str] = mapped_column(String(16), default="open")
    reviewed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


Index("ix_quality_signals_project_status", QualitySignal.project_id, QualitySignal.status)


class WorkerSkillEstimate(Base):
    """A worker's estimated quality on one skill from one source, with its interval."""

    __tablename__ = "worker_skill_estimates"
    __table_args__ = (UniqueConstraint("worker_id", "skill", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"))
    # The project's skill key ("project:<id>" or its first required skill).
    skill: Mapped[str] = mapped_column(String(120))
    # gold | agreement | review | combined
    source: Mapped[str] = mapped_column(String(16))
    mean: Mapped[float] = mapped_column(Float)
    low: Mapped[float] = mapped_column(Float)
    high: Mapped[float] = mapped_column(Float)
    n: Mapped[float] = mapped_column(Float, default=0.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkerWeight(Base):
    """How much a worker's answers count in a project's truth inference (1 = fully)."""

    __tablename__ = "worker_weights"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityPolicy(Base):
    """A project's quality-operations rules: which signal triggers which action, and settings."""

    __tablename__ = "quality_policies"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    rules: Mapped[list[Any]] = mapped_column(default=list)
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_by: Mapped[str] = mapped_column(String(100), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityAction(Base):
    """Something quality operations did (automatically or by a person), and how to undo it.

    ``details`` holds the state before the action (a worker's status, responses' statuses), so
    an operations lead can revert it exactly; nothing is ever deleted.
    """

    __tablename__ = "quality_actions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    # worker | batch | task | project
    target_type: Mapped[str] = mapped_column(String(16))
    target_id: Mapped[str] = mapped_column(String(80))
    signal_id: Mapped[str | None] = mapped_column(String(32), default=None)
    alarm_id: Mapped[str | None] = mapped_column(String(32), default=None)
    reason: Mapped[str] = mapped_column(Text, default="")
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    actor: Mapped[str] = mapped_column(String(100))
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    reverted_at: Mapped[datetime | None] = mapped_column(default=None)
    reverted_by: Mapped[str | None] = mapped_column(String(100), default=None)
    revert_reason: Mapped[str] = mapped_column(Text, default="")


Index("ix_quality_actions_target", QualityAction.project_id, QualityAction.target_id)


class TaskGate(Base):
    """Where a task stands at the delivery gate of a project with an accuracy target."""

    __tablename__ = "task_gates"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    # waiting_review | buying | escalated | released
    status: Mapped[str] = mapped_column(String(16))
    raw_confidence: Mapped[float | None] = mapped_column(Float, default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    target: Mapped[float] = mapped_column(Float)
    reasons: Mapped[list[Any]] = mapped_column(default=list)
    extra_responses: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(default=None)


class ConfidenceCalibration(Base):
    """A project's map from raw result confidence to calibrated confidence, fitted on gold."""

    __tablename__ = "confidence_calibrations"

    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    method: Mapped[str] = mapped_column(String(16))
    # {"x": [...], "y": [...]}: the map on a grid, read with linear interpolation.
    points: Mapped[dict[str, Any]] = mapped_column(default=dict)
    reliability: Mapped[dict[str, Any]] = mapped_column(default=dict)
    samples: Mapped[int] = mapped_column(Integer, default=0)
    fitted_at: Mapped[datetime] = mapped_column(default=utcnow)


class QualityAlarm(Base):
    """A process-control alarm (CUSUM or SPRT) on a worker, a batch or a whole project."""

    __tablename__ = "quality_alarms"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    # worker | batch | project
    scope: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(32))
    # gold_accuracy | agreement
    metric: Mapped[str] = mapped_column(String(32))
    # cusum | sprt
    method: Mapped[str] = mapped_column(String(16))
    statistic: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # open | resolved
    status: Mapped[str] = mapped_column(String(16), default="open")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[str | None] = mapped_column(String(100), default=None)


class GoldStatus(Base):
    """A gold task's life: active, retired (rotated out) or leaked; absent means active."""

    __tablename__ = "gold_statuses"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text, default="")
    guideline_version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SeededError(Base):
    """A response with a known error planted in a review queue, to measure reviewers' catch rate."""

    __tablename__ = "seeded_errors"

    response_id: Mapped[str] = mapped_column(ForeignKey("responses.id"), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    source_task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"))
    stage: Mapped[int] = mapped_column(Integer, default=0)
    expected_answer: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Experiment(Base):
    """An A/B experiment splitting a project's tasks or workers between variants."""

    __tablename__ = "experiments"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    org_id: Mapped[str] = mapped_column(ForeignKey("organisations.id"))
    project_id: Mapped[str] = mapped_column(ForeignKey("projects.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # tasks | workers
    unit: Mapped[str] = mapped_column(String(16))
    # guidelines | pay | template | qc_policy
    factor: Mapped[str] = mapped_column(String(16))
    # running | stopped | promoted
    status: Mapped[str] = mapped_column(String(16), default="running")
    winner_variant_id: Mapped[str | None] = mapped_column(String(32), default=None)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(default=None)


class ExperimentVariant(Base):
    """One arm of an experiment: its share of units and what it changes."""

    __tablename__ = "experiment_variants"
    __table_args__ = (UniqueConstraint("experiment_id", "name"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    share: Mapped[float] = mapped_column(Float)
    is_control: Mapped[bool] = mapped_column(Boolean, default=False)
    # e.g. {"pay_per_task_cents": 60} or {"guideline_version": 3}.
    config: Mapped[dict[str, Any]] = mapped_column(default=dict)


class ExperimentMember(Base):
    """Which variant a worker is in, for experiments that split workers."""

    __tablename__ = "experiment_members"

    experiment_id: Mapped[str] = mapped_column(ForeignKey("experiments.id"), primary_key=True)
    worker_id: Mapped[str] = mapped_column(ForeignKey("workers.id"), primary_key=True)
    variant_id: Mapped[str] = mapped_column(ForeignKey("experiment_variants.id"))
