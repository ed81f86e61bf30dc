"""Inter-rater agreement: Krippendorff's alpha, Fleiss' and Cohen's kappa, percent agreement."""

from assay.quality.agreement.kappa import category_counts, cohen_kappa, fleiss_kappa
from assay.quality.agreement.krippendorff import LEVELS, coincidence_matrix, krippendorff_alpha
from assay.quality.agreement.percent import percent_agreement

__all__ = [
    "LEVELS",
    "category_counts",
    "cohen_kappa",
    "coincidence_matrix",
    "fleiss_kappa",
    "krippendorff_alpha",
    "percent_agreement",
]
