"""Worker skill: Beta-binomial posteriors from gold, and a many-facet model of graded work."""

from assay.quality.skill.gold_posterior import GoldSkill
from assay.quality.skill.many_facet import ManyFacetModel

__all__ = ["GoldSkill", "ManyFacetModel"]
