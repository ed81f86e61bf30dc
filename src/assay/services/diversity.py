"""Diversity of creative work: how alike a free-writing project's texts are, and their clusters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assay.domain.enums import Role
from assay.quality.signals import diversity_report
from assay.services.actor import Actor
from assay.services.projects import load_project
from assay.services.quality_data import load_project_data, response_texts
from assay.store import Session

MAX_TEXTS = 3000  # average-linkage clustering is quadratic in memory
CLUSTER_EXAMPLES = 5


@dataclass
class TextClusterView:
    """A cluster of look-alike texts: size, cohesion, its representative and some members."""

    size: int
    mean_similarity: float
    representative: str
    workers: list[str]
    examples: list[str]


@dataclass
class DiversityView:
    """A project's text diversity (empty when it has fewer than two texts)."""

    texts: int = 0
    mean_similarity: float | None = None
    distinct_1: float | None = None
    distinct_2: float | None = None
    flagged: bool = False
    clusters: list[TextClusterView] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "texts": self.texts,
            "mean_similarity": self.mean_similarity,
            "distinct_1": self.distinct_1,
            "distinct_2": self.distinct_2,
            "low_diversity": self.flagged,
            "clusters": [c.__dict__ for c in self.clusters],
        }


def project_diversity(session: Session, actor: Actor, project_id: str) -> DiversityView:
    """Measure the project's free-text answers (newest first, up to a few thousand)."""
    actor.require(Role.REQUESTER)
    project = load_project(session, actor, project_id)
    data = load_project_data(session, project)
    written = [(r.worker_id, response_texts(data, r)) for r in reversed(data.scored())]
    written = [(w, t) for w, t in written if t][:MAX_TEXTS]
    if len(written) < 2:
        return DiversityView(texts=len(written))
    texts = [t for _, t in written]
    report = diversity_report(texts)
    clusters = [
        TextClusterView(
            size=len(c.members),
            mean_similarity=round(c.mean_similarity, 4),
            representative=texts[c.representative],
            workers=sorted({written[i][0] for i in c.members}),
            examples=[texts[i] for i in c.members[:CLUSTER_EXAMPLES]],
        )
        for c in report.clusters[:20]
    ]
    return DiversityView(
        texts=report.texts,
        mean_similarity=round(report.mean_similarity, 4),
        distinct_1=round(report.distinct_1, 4),
        distinct_2=round(report.distinct_2, 4),
        flagged=report.signal().flagged,
        clusters=clusters,
    )
