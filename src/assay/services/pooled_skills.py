"""A worker's quality on a skill pooled across every project of the organisation requiring it.

Per-project estimates (``quality_scoring``) start from scratch on each project. A skill's pooled
estimate counts the worker's gold answers on every standard project that requires the skill
(any level): the same Beta-binomial posterior (:class:`~assay.quality.GoldSkill`, 90% credible
interval), its prior centred on the pooled accuracy of everyone with gold on the skill. It is
stored like the others in ``worker_skill_estimates``, under the skill key ``skill:<name>`` and
source ``gold``, so every place that lists a worker's estimates lists it too.
"""

from __future__ import annotations

from collections.abc import Collection

from assay.domain.skills import split_requirement
from assay.services.quality_data import SCORED_STATUSES
from assay.services.quality_scoring import fit_gold
from assay.store import Session
from assay.store import projects as project_store
from assay.store import quality_ops as store
from assay.store.models import Project

PREFIX = "skill:"


def pooled_skill_key(skill: str) -> str:
    """Return the estimate key of a skill pooled across projects (``skill:<name>``)."""
    return f"{PREFIX}{skill}"


def is_pooled(skill_key: str) -> bool:
    """Whether an estimate's skill key is a pooled skill (not one project's)."""
    return skill_key.startswith(PREFIX)


def required_skill_names(project: Project) -> list[str]:
    """The names of the skills a project requires, levels left out."""
    return sorted({split_requirement(r)[0] for r in project.required_skills or []})


def update_pooled_skills(session: Session, project: Project, worker_ids: Collection[str]) -> int:
    """Refresh the pooled gold estimate of each skill the project requires (flushes).

    Only ``worker_ids`` (the workers with gold answers on ``project``, whose counts may have
    moved) are written; everyone with gold on the skill shapes the prior. Returns the number
    of estimates written.
    """
    skills = required_skill_names(project)
    if not skills or not worker_ids:
        return 0
    projects = [
        p
        for p in project_store.list_projects(session, project.org_id)
        if p.kind == "standard" and p.required_skills
    ]
    written = 0
    for skill in skills:
        ids = [p.id for p in projects if skill in required_skill_names(p)]
        counts = store.gold_counts_by_worker(session, ids, sorted(SCORED_STATUSES))
        if not counts:
            continue
        workers, model = fit_gold({w: (float(r), float(n)) for w, (r, n) in counts.items()})
        for code, worker_id in enumerate(workers):
            if worker_id not in worker_ids:
                continue
            store.upsert_estimate(
                session,
                org_id=project.org_id,
                worker_id=worker_id,
                skill=pooled_skill_key(skill),
                source="gold",
                mean=float(model.means_[code, 0]),
                low=float(model.lower_[code, 0]),
                high=float(model.upper_[code, 0]),
                n=float(model.counts_[code, 0]),
            )
            written += 1
    session.flush()
    return written
