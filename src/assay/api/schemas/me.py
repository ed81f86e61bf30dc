"""What the API answers a worker about themselves beyond their profile: their quality."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from assay.api.schemas.quality import EstimatePublic, SeriesPointPublic
from assay.api.schemas.workforce import GoldMissPublic


class OwnQualityPublic(BaseModel):
    """The calling worker's quality over time, their estimates, and their gold misses.

    ``series`` holds ``gold_accuracy`` (share right, 95% Jeffreys band), ``review_grade``
    (mean grade of their reviewed work, 95% band), ``flagged_share`` (share of their responses
    excluded or made in a project where a detector flags them) and ``throughput``, each by
    ``period``; empty periods have no value.
    """

    period: str
    series: dict[str, list[SeriesPointPublic]]
    summary: dict[str, Any] = Field(
        description="responses, gold_answers, gold_accuracy, gold_accuracy_band, "
        "excluded_responses, flagged_projects"
    )
    estimates: list[EstimatePublic]
    gold_misses: list[GoldMissPublic]
