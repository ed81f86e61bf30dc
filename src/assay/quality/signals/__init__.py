"""Quality-operations signals: detectors of bad work, process control, calibration, experiments.

A pure library (numpy/scipy, no I/O) fed plain data loaded by the platform. Every detector
returns a :class:`Signal` (or :class:`PairSignal` for pairs of workers): a ``score`` in
[0, 1] (higher is worse), ``flagged`` at a documented default ``threshold``, and ``evidence``,
a JSON-ready dict a reviewer can read. Detectors are built for workers with few responses:
Beta priors, minimum counts and family-wise corrections keep precision high::

    from assay.quality.signals import too_fast, machine_text_score, worker_machine_text

    signal = too_fast([2.1, 1.8, 3.0, 2.5], words_to_read=[500, 480, 520, 510])
    signal.flagged, signal.evidence["median_active_seconds"]

Bad input raises :class:`assay.quality.errors.QualityInputError` (a ``ValueError``).
"""

from assay.quality.signals._stats import benjamini_hochberg, beta_interval, wilson_interval
from assay.quality.signals.calibration import (
    Calibrator,
    IsotonicCalibrator,
    PlattCalibrator,
    ReliabilityBin,
    ReliabilityTable,
    TemperatureCalibrator,
    brier_score,
    expected_calibration_error,
    fit_calibrator,
    reliability_table,
)
from assay.quality.signals.collusion import identical_sequences, shared_devices
from assay.quality.signals.delivery import (
    DeliveryDecision,
    ResponsesNeeded,
    delivery_decision,
    responses_needed_for_target,
    task_posterior,
    winner_probability,
)
from assay.quality.signals.diversity import (
    DiversityReport,
    TextCluster,
    distinct_n,
    diversity_report,
    mean_pairwise_similarity,
    ngram_vectors,
    similarity_clusters,
)
from assay.quality.signals.effort import length_bias, straight_lining, too_fast
from assay.quality.signals.experiment_tests import (
    TestResult,
    bootstrap_difference_ci,
    fisher_exact_test,
    mann_whitney_test,
    newcombe_interval,
    sample_size_means,
    sample_size_two_proportions,
    two_proportion_ztest,
    welch_ttest,
)
from assay.quality.signals.experiments import (
    ExperimentReport,
    MetricComparison,
    VariantOutcome,
    compare_variants,
)
from assay.quality.signals.gold import field_mismatch, gold_leak_score, indistinguishability
from assay.quality.signals.machine_text import (
    StyleBaseline,
    TypingTelemetry,
    machine_text_score,
    style_baseline,
    worker_machine_text,
)
from assay.quality.signals.near_duplicates import MinHasher, NearDuplicate, find_near_duplicates
from assay.quality.signals.process_control import (
    CusumResult,
    SprtResult,
    bernoulli_cusum,
    bernoulli_cusum_batch,
    cusum_average_run_length,
    cusum_threshold,
    sprt_accuracy,
    sprt_accuracy_batch,
)
from assay.quality.signals.shared_errors import SharedErrors, shared_errors
from assay.quality.signals.signal import JsonValue, PairSignal, Signal, surprise_score
from assay.quality.signals.spammer import spammer_score
from assay.quality.signals.style_tells import StyleTells, find_style_tells
from assay.quality.signals.trends import AccuracyPoint, weekly_accuracy

__all__ = [
    "AccuracyPoint",
    "Calibrator",
    "CusumResult",
    "DeliveryDecision",
    "DiversityReport",
    "ExperimentReport",
    "IsotonicCalibrator",
    "JsonValue",
    "MetricComparison",
    "MinHasher",
    "NearDuplicate",
    "PairSignal",
    "PlattCalibrator",
    "ReliabilityBin",
    "ReliabilityTable",
    "ResponsesNeeded",
    "SharedErrors",
    "Signal",
    "SprtResult",
    "StyleBaseline",
    "StyleTells",
    "TemperatureCalibrator",
    "TestResult",
    "TextCluster",
    "TypingTelemetry",
    "VariantOutcome",
    "benjamini_hochberg",
    "bernoulli_cusum",
    "bernoulli_cusum_batch",
    "beta_interval",
    "bootstrap_difference_ci",
    "brier_score",
    "compare_variants",
    "cusum_average_run_length",
    "cusum_threshold",
    "delivery_decision",
    "distinct_n",
    "diversity_report",
    "expected_calibration_error",
    "field_mismatch",
    "find_near_duplicates",
    "find_style_tells",
    "fisher_exact_test",
    "fit_calibrator",
    "gold_leak_score",
    "identical_sequences",
    "indistinguishability",
    "length_bias",
    "machine_text_score",
    "mann_whitney_test",
    "mean_pairwise_similarity",
    "newcombe_interval",
    "ngram_vectors",
    "reliability_table",
    "responses_needed_for_target",
    "sample_size_means",
    "sample_size_two_proportions",
    "shared_devices",
    "shared_errors",
    "similarity_clusters",
    "spammer_score",
    "sprt_accuracy",
    "sprt_accuracy_batch",
    "straight_lining",
    "style_baseline",
    "surprise_score",
    "task_posterior",
    "too_fast",
    "two_proportion_ztest",
    "weekly_accuracy",
    "welch_ttest",
    "wilson_interval",
    "winner_probability",
    "worker_machine_text",
]
