"""A project's quality policy: which signal triggers which action, the gate target, the settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assay.domain.enums import Role
from assay.errors import InvalidInput
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.store import Session
from assay.store import quality_ops as store
from assay.store.audit import insert_audit_event
from assay.store.models import Project

ACTIONS = frozenset({"flag", "downweight", "pause_worker", "exclude_responses", "retire_gold"})
WORKER_ACTIONS = frozenset({"downweight", "pause_worker", "exclude_responses"})

# What happens by default when a detector flags. Machine-written text is scored and sent to a
# person (flag) and counts less meanwhile; it is never blocked on the score alone.
DEFAULT_RULES: list[dict[str, Any]] = [
    {"signal": "spammer", "actions": ["flag", "pause_worker", "exclude_responses"]},
    {"signal": "straight_lining", "actions": ["flag", "pause_worker", "exclude_responses"]},
    {"signal": "machine_text_worker", "actions": ["flag", "downweight"]},
    {"signal": "identical_sequences", "actions": ["flag"]},
    {"signal": "collusion", "actions": ["flag", "downweight"]},
    {"signal": "near_duplicate_text", "actions": ["flag"]},
    {"signal": "shared_devices", "actions": ["flag"]},
    {"signal": "too_fast", "actions": ["flag", "downweight"]},
    {"signal": "length_bias", "actions": ["flag", "downweight"]},
    {"signal": "low_gold_accuracy", "actions": ["flag"]},
    {"signal": "gold_leak", "actions": ["flag", "retire_gold"]},
    {"signal": "gold_distinguishable", "actions": ["flag"]},
]

DEFAULT_SETTINGS: dict[str, Any] = {
    "automatic_actions": True,
    "downweight": 0.5,
    "expert_accuracy": 0.85,
    "default_accuracy": 0.7,
    "min_gold_accuracy": 0.6,
    "spc_worker_action": "quarantine_worker",
    "spc_batch_action": "pause_batch",
    "spc_in_control_arl": 2000.0,
}


@dataclass(frozen=True)
class Policy:
    """The rules and settings in force for a project."""

    rules: list[dict[str, Any]]
    settings: dict[str, Any]

    def actions_for(self, kind: str) -> list[str]:
        """Return the actions a flagged signal of ``kind`` triggers."""
        for rule in self.rules:
            if rule.get("signal") == kind:
                return [str(a) for a in rule.get("actions", [])]
        return []

    def number(self, name: str) -> float:
        """Return a numeric setting."""
        return float(self.settings[name])


def policy_for(session: Session, project: Project) -> Policy:
    """Return the project's saved policy over the defaults."""
    saved = store.get_policy(session, project.id)
    if saved is None:
        return Policy(list(DEFAULT_RULES), dict(DEFAULT_SETTINGS))
    return Policy(list(saved.rules), {**DEFAULT_SETTINGS, **saved.settings})


def _check_rules(rules: list[dict[str, Any]]) -> None:
    for index, rule in enumerate(rules):
        if not isinstance(rule.get("signal"), str):
            raise InvalidInput(f"rules[{index}].signal must be a detector name.")
        unknown = set(rule.get("actions", [])) - ACTIONS
        if unknown:
            raise InvalidInput(
                f"rules[{index}]: unknown actions {sorted(unknown)}; choose from {sorted(ACTIONS)}."
            )


def update_quality_settings(
    session: Session,
    actor: Actor,
    project_id: str,
    *,
    quality_target: float | None,
    max_responses: int | None,
    rules: list[dict[str, Any]] | None,
    settings: dict[str, Any] | None,
    clear_target: bool = False,
) -> tuple[Project, Policy]:
    """Set the delivery target, the response cap, the rules and settings (audited); commits."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    current = policy_for(session, project)
    before = {
        "quality_target": project.quality_target,
        "max_responses": project.max_responses,
        "rules": current.rules,
        "settings": current.settings,
    }
    if quality_target is not None or clear_target:
        if quality_target is not None and not 0.5 <= quality_target < 1.0:
            raise InvalidInput("quality_target must be in [0.5, 1).")
        project.quality_target = quality_target
    if max_responses is not None:
        if max_responses < project.redundancy:
            raise InvalidInput("max_responses cannot be below the project's redundancy.")
        project.max_responses = max_responses
    new_rules = current.rules if rules is None else rules
    _check_rules(new_rules)
    unknown = set(settings or {}) - set(DEFAULT_SETTINGS)
    if unknown:
        raise InvalidInput(
            f"Unknown settings {sorted(unknown)}.", {"known": sorted(DEFAULT_SETTINGS)}
        )
    merged = {**current.settings, **(settings or {})}
    store.save_policy(
        session,
        org_id=project.org_id,
        project_id=project.id,
        rules=new_rules,
        settings=merged,
        actor=actor.label,
    )
    after = {
        "quality_target": project.quality_target,
        "max_responses": project.max_responses,
        "rules": new_rules,
        "settings": merged,
    }
    insert_audit_event(
        session,
        org_id=actor.org_id,
        actor=actor.label,
        action="quality.policy",
        object_type="project",
        object_id=project.id,
        before=before,
        after=after,
    )
    session.commit()
    return project, Policy(new_rules, merged)


def read_quality_settings(
    session: Session, actor: Actor, project_id: str
) -> tuple[Project, Policy]:
    """Return a project with its policy in force."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    return project, policy_for(session, project)
