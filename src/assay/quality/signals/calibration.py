"""Is a delivered confidence calibrated? Reliability tables, ECE, Brier, and calibrators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, Protocol, Self

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import minimize_scalar

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import FloatArray, bool_vector, float_vector, same_length
from assay.quality.signals._stats import wilson_interval
from assay.quality.signals.signal import JsonValue, Signal, json_ready, make_signal

_EPS = 1e-6


@dataclass(frozen=True, slots=True)
class ReliabilityBin:
    """One confidence bin: how often results delivered at this confidence were right.

    Attributes:
        lower: Lower edge of the bin.
        upper: Upper edge of the bin.
        count: Results in the bin.
        mean_confidence: Their mean stated confidence.
        accuracy: Share of them that were right.
        ci_low: Wilson 95% lower bound of the accuracy.
        ci_high: Wilson 95% upper bound.

    """

    lower: float
    upper: float
    count: int
    mean_confidence: float
    accuracy: float
    ci_low: float
    ci_high: float


@dataclass(frozen=True)
class ReliabilityTable:
    """The reliability diagram as numbers, with its summary scores.

    Attributes:
        bins: The non-empty bins, by confidence.
        ece: Expected calibration error: count-weighted mean ``|accuracy - confidence|``.
        brier: Mean squared error of the confidence against 0/1 correctness.
        results: Number of results checked.

    """

    bins: list[ReliabilityBin]
    ece: float
    brier: float
    results: int

    def as_dict(self) -> dict[str, JsonValue]:
        """Return the table as JSON-ready data for a dashboard."""
        return {
            "ece": json_ready(self.ece),
            "brier": json_ready(self.brier),
            "results": self.results,
            "bins": [json_ready(_bin_fields(b)) for b in self.bins],
        }

    def signal(self, max_ece: float = 0.05, min_results: int = 100) -> Signal:
        """Return a ``miscalibrated`` signal: score = ECE, flagged above ``max_ece``.

        Small samples inflate the ECE, so nothing is flagged below ``min_results``.
        """
        worst = max(self.bins, key=lambda b: abs(b.accuracy - b.mean_confidence))
        return make_signal(
            "miscalibrated",
            self.ece,
            self.ece > max_ece and self.results >= min_results,
            max_ece,
            ece=self.ece,
            brier=self.brier,
            results=self.results,
            worst_bin_confidence=worst.mean_confidence,
            worst_bin_accuracy=worst.accuracy,
            worst_bin_count=worst.count,
        )


def _bin_fields(item: ReliabilityBin) -> dict[str, float | int]:
    """Return a bin's fields as a dict."""
    return {name: getattr(item, name) for name in item.__slots__}


def _checked(confidences: ArrayLike, correct: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Return confidences in [0, 1] and correctness as floats, aligned."""
    conf = float_vector(confidences, "confidences", minimum=0.0)
    if np.any(conf > 1):
        raise QualityInputError("confidences must be in [0, 1]", {"argument": "confidences"})
    right = bool_vector(correct, "correct").astype(np.float64)
    same_length("confidences", conf, "correct", right)
    return conf, right


def _bin_index(conf: FloatArray, n_bins: int, strategy: str) -> tuple[np.ndarray, FloatArray]:
    """Return each result's bin and the bin edges."""
    if n_bins < 1:
        raise QualityInputError("n_bins must be >= 1", {"n_bins": n_bins})
    if strategy == "uniform":
        edges = np.linspace(0.0, 1.0, n_bins + 1)
    elif strategy == "quantile":
        inner = np.quantile(conf, np.linspace(0.0, 1.0, n_bins + 1)[1:-1])
        edges = np.unique(np.r_[0.0, inner, 1.0])
    else:
        raise QualityInputError("strategy must be 'uniform' or 'quantile'", {"strategy": strategy})
    index = np.clip(np.searchsorted(edges, conf, side="right") - 1, 0, edges.size - 2)
    return index, edges


def reliability_table(
    confidences: ArrayLike,
    correct: ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
) -> ReliabilityTable:
    """Check stated confidence on gold: of results delivered at 0.9, about 90% should be right.

    Args:
        confidences: The confidence delivered with each result, in [0, 1].
        correct: Whether each result matched gold.
        n_bins: Number of bins.
        strategy: ``"uniform"`` bins of equal width or ``"quantile"`` bins of equal count.

    Returns:
        The non-empty bins with Wilson intervals, the ECE and the Brier score.

    """
    conf, right = _checked(confidences, correct)
    index, edges = _bin_index(conf, n_bins, strategy)
    counts = np.bincount(index, minlength=edges.size - 1)
    conf_sum = np.bincount(index, weights=conf, minlength=edges.size - 1)
    right_sum = np.bincount(index, weights=right, minlength=edges.size - 1)
    bins = []
    for b in np.flatnonzero(counts):
        low, high = wilson_interval(float(right_sum[b]), float(counts[b]))
        bins.append(
            ReliabilityBin(
                float(edges[b]),
                float(edges[b + 1]),
                int(counts[b]),
                float(conf_sum[b] / counts[b]),
                float(right_sum[b] / counts[b]),
                low,
                high,
            )
        )
    ece = float(np.abs(right_sum - conf_sum).sum() / conf.size)
    return ReliabilityTable(bins, ece, brier_score(conf, right), conf.size)


def expected_calibration_error(
    confidences: ArrayLike,
    correct: ArrayLike,
    *,
    n_bins: int = 10,
    strategy: Literal["uniform", "quantile"] = "uniform",
) -> float:
    """Return the ECE: count-weighted mean ``|accuracy - confidence|`` over bins."""
    return reliability_table(confidences, correct, n_bins=n_bins, strategy=strategy).ece


def brier_score(confidences: ArrayLike, correct: ArrayLike) -> float:
    """Return the mean squared difference between confidence and 0/1 correctness."""
    conf, right = _checked(confidences, correct)
    return float(np.mean((conf - right) ** 2))


class Calibrator(Protocol):
    """Maps raw confidences to calibrated ones; fitted on gold."""

    def fit(self, confidences: ArrayLike, correct: ArrayLike) -> Self:
        """Fit on confidences and whether each result was right."""
        ...

    def predict(self, confidences: ArrayLike) -> FloatArray:
        """Return calibrated confidences."""
        ...


class IsotonicCalibrator:
    """Monotone calibration map by pool-adjacent-violators (isotonic regression).

    Fits the non-decreasing step function closest (least squares) to 0/1 correctness as a
    function of confidence: sort by confidence, then merge neighbouring blocks while a block's
    mean is above the next one's (Ayer et al., "An empirical distribution function for sampling
    with incomplete information", Ann. Math. Stat. 26, 1955). ``predict`` interpolates linearly
    between the fitted points and is flat outside them.

    Fitted state: ``thresholds_`` (distinct confidences) and ``values_`` (calibrated values).
    """

    def fit(self, confidences: ArrayLike, correct: ArrayLike) -> Self:
        """Fit the map on gold results."""
        conf, right = _checked(confidences, correct)
        points, inverse = np.unique(conf, return_inverse=True)
        weights = np.bincount(inverse).astype(np.float64)
        means = np.bincount(inverse, weights=right) / weights
        self.thresholds_ = points
        self.values_ = _pool_adjacent_violators(means, weights)
        return self

    def predict(self, confidences: ArrayLike) -> FloatArray:
        """Return calibrated confidences."""
        conf = float_vector(confidences, "confidences", allow_empty=True)
        return np.interp(conf, self.thresholds_, self.values_)


def _pool_adjacent_violators(means: FloatArray, weights: FloatArray) -> FloatArray:
    """Return the weighted isotonic (non-decreasing) fit of ``means``."""
    values: list[float] = []
    masses: list[float] = []
    sizes: list[int] = []
    for mean, weight in zip(means.tolist(), weights.tolist(), strict=True):
        values.append(mean)
        masses.append(weight)
        sizes.append(1)
        while len(values) > 1 and values[-2] > values[-1]:
            mass = masses[-2] + masses[-1]
            values[-2] = (values[-2] * masses[-2] + values[-1] * masses[-1]) / mass
            masses[-2] = mass
            sizes[-2] += sizes[-1]
            del values[-1], masses[-1], sizes[-1]
    return np.repeat(np.array(values), sizes)


def _logit(conf: FloatArray) -> FloatArray:
    """Return the log-odds of confidences kept away from 0 and 1."""
    clipped = np.clip(conf, _EPS, 1 - _EPS)
    return np.asarray(np.log(clipped / (1 - clipped)), dtype=np.float64)


def _sigmoid(z: FloatArray) -> FloatArray:
    """Return the logistic function."""
    return np.asarray(0.5 * (1 + np.tanh(0.5 * z)), dtype=np.float64)


class PlattCalibrator:
    """Logistic calibration ``sigmoid(a * logit(c) + b)`` (Platt scaling), fitted by Newton.

    Targets are smoothed as Platt proposed, ``(N+ + 1) / (N+ + 2)`` and ``1 / (N- + 2)``,
    so a small, all-correct gold set does not produce certainty (Platt, "Probabilistic outputs
    for support vector machines", 1999).

    Fitted state: ``slope_`` and ``intercept_``.
    """

    def fit(self, confidences: ArrayLike, correct: ArrayLike) -> Self:
        """Fit the two parameters on gold results."""
        conf, right = _checked(confidences, correct)
        positives = right.sum()
        negatives = right.size - positives
        target = np.where(right > 0, (positives + 1) / (positives + 2), 1 / (negatives + 2))
        x = _logit(conf)
        design = np.column_stack([x, np.ones_like(x)])
        params = np.array([1.0, 0.0])
        for _ in range(50):
            p = _sigmoid(design @ params)
            gradient = design.T @ (p - target)
            hessian = design.T @ (design * (p * (1 - p))[:, None]) + 1e-6 * np.eye(2)
            step = np.linalg.solve(hessian, gradient)
            params -= step
            if np.abs(step).max() < 1e-9:
                break
        self.slope_, self.intercept_ = float(params[0]), float(params[1])
        return self

    def predict(self, confidences: ArrayLike) -> FloatArray:
        """Return calibrated confidences."""
        conf = float_vector(confidences, "confidences", allow_empty=True)
        return _sigmoid(self.slope_ * _logit(conf) + self.intercept_)


class TemperatureCalibrator:
    """One-parameter calibration ``sigmoid(logit(c) / T)``: T > 1 softens overconfidence.

    The binary form of temperature scaling (Guo et al., "On calibration of modern neural
    networks", ICML 2017) applied to the delivered confidence; it keeps the ranking of results
    and cannot overfit a small gold set. ``T`` minimises the log loss on gold.

    Fitted state: ``temperature_``.
    """

    def fit(self, confidences: ArrayLike, correct: ArrayLike) -> Self:
        """Fit the temperature on gold results."""
        conf, right = _checked(confidences, correct)
        x = _logit(conf)

        def log_loss(log_t: float) -> float:
            p = np.clip(_sigmoid(x / np.exp(log_t)), _EPS, 1 - _EPS)
            return float(-np.mean(right * np.log(p) + (1 - right) * np.log(1 - p)))

        best = minimize_scalar(log_loss, bounds=(-4.0, 4.0), method="bounded")
        self.temperature_ = float(np.exp(best.x))
        return self

    def predict(self, confidences: ArrayLike) -> FloatArray:
        """Return calibrated confidences."""
        conf = float_vector(confidences, "confidences", allow_empty=True)
        return _sigmoid(_logit(conf) / self.temperature_)


def fit_calibrator(
    confidences: ArrayLike,
    correct: ArrayLike,
    method: Literal["isotonic", "platt", "temperature"] = "isotonic",
) -> Calibrator:
    """Fit a calibration map on gold and return it (call ``.predict`` on new confidences).

    Isotonic is the most flexible and needs a few hundred gold results; Platt and temperature
    suit small gold sets.
    """
    calibrators: dict[str, type[IsotonicCalibrator | PlattCalibrator | TemperatureCalibrator]] = {
        "isotonic": IsotonicCalibrator,
        "platt": PlattCalibrator,
        "temperature": TemperatureCalibrator,
    }
    if method not in calibrators:
        raise QualityInputError("unknown calibration method", {"method": method})
    return calibrators[method]().fit(confidences, correct)
