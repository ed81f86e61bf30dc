"""Leaderboard statistics: Assay's fit_board against the scikit-learn recipe, real and synthetic.

Run from the repository root: ``.venv/bin/python bench/leaderboard.py [--quick]``.

(a) Real votes: Urbano et al.'s music-similarity preferences (``shared/data/urbano_music_pref``),
    one board per query (items = candidate documents, a/b/s = left/right/tie, raters = MTurk
    workers). Assay ``fit_board`` (Davidson ties and half ties, rater-clustered bootstrap)
    beside the Chatbot Arena recipe: scikit-learn ``LogisticRegression`` on a +1/-1 design
    without intercept, a tie entered as one win and one loss of weight 1/2 each (= half a
    win), C=1e6 (no practical penalty), percentile intervals from resampling vote rows.
    Reports Kendall tau between the two rankings, whether they are identical, and Kendall's
    tau-b of each against the groups of ``MTurk.qrel`` (built from the same crowd votes, so
    it checks that we reproduce the paper's aggregation, it is not independent gold).
(b) Synthetic: 1M votes, 50 models, 5,000 raters of very unequal activity, a planted
    length bias (voters prefer the longer answer with a planted coefficient; some models
    write long), Davidson ties, and per-rater spread of the length taste (so a rater's
    votes are correlated). Plain Bradley-Terry vs style-controlled ``fit_board`` vs
    scikit-learn with the same covariate: recovery of the planted scores and coefficient,
    wall time. scikit-learn's bootstrap is timed on a few rounds and extrapolated (said so
    in the output).

Prints JSON lines and a short table; writes ``bench/results/leaderboard.json``
(``leaderboard_quick.json`` with ``--quick``).
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.stats import kendalltau, spearmanr

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _harness import emit, write_results
from assay.quality.pairwise import (
    LEFT,
    RIGHT,
    TIE,
    fit_board,
    top_rank_stability,
)

ROOT = Path(__file__).resolve().parent.parent
URBANO = ROOT.parent / "shared" / "data" / "urbano_music_pref"
SK_C = 1e6


# --- scikit-learn: the Chatbot Arena recipe ------------------------------------------------


def sklearn_rows(
    left: np.ndarray, right: np.ndarray, outcome: np.ndarray, n_items: int, x: np.ndarray | None
) -> tuple[sp.csr_array, np.ndarray, np.ndarray]:
    """Design (+1 left, -1 right, covariates), labels and weights; a tie = two half rows."""
    tie = outcome == TIE
    rows = np.concatenate([np.arange(left.size), np.flatnonzero(tie)])
    y = np.concatenate([(outcome == LEFT) | tie, np.zeros(tie.sum(), dtype=bool)]).astype(int)
    weight = np.concatenate([np.where(tie, 0.5, 1.0), np.full(tie.sum(), 0.5)])
    m = rows.size
    design = sp.csr_array(
        (
            np.concatenate([np.ones(m), -np.ones(m)]),
            (np.tile(np.arange(m), 2), np.concatenate([left[rows], right[rows]])),
        ),
        shape=(m, n_items),
    )
    if x is not None:
        design = sp.csr_array(sp.hstack([design, sp.csr_array(x[rows])]))
    return design, y, weight


def sklearn_fit(design: sp.csr_array, y: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Coefficients of an unpenalised-in-practice logistic regression without intercept."""
    from sklearn.linear_model import LogisticRegression

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = LogisticRegression(fit_intercept=False, C=SK_C, tol=1e-6, max_iter=1000)
        model.fit(design, y, sample_weight=weight)
    return np.asarray(model.coef_[0], dtype=np.float64)


def sklearn_board(
    left: np.ndarray,
    right: np.ndarray,
    outcome: np.ndarray,
    n_items: int,
    x: np.ndarray | None,
    rounds: int,
    seed: int = 0,
) -> dict[str, Any]:
    """Fit, then bootstrap by resampling vote rows; scores centred like Assay's."""
    started = time.perf_counter()
    design, y, weight = sklearn_rows(left, right, outcome, n_items, x)
    coef = sklearn_fit(design, y, weight)
    fit_seconds = time.perf_counter() - started
    rng = np.random.default_rng(seed)
    draws = []
    boot_started = time.perf_counter()
    for _ in range(rounds):
        pick = rng.integers(0, left.size, left.size)
        d, yy, ww = sklearn_rows(left[pick], right[pick], outcome[pick], n_items, _rows(x, pick))
        draws.append(sklearn_fit(d, yy, ww))
    boot_seconds = time.perf_counter() - boot_started
    scores = coef[:n_items] - coef[:n_items].mean()
    out: dict[str, Any] = {
        "scores": scores,
        "coef": coef[n_items:],
        "fit_seconds": fit_seconds,
        "boot_seconds": boot_seconds,
    }
    if rounds:
        sample = np.array(draws).T
        sample[:n_items] -= sample[:n_items].mean(axis=0)
        out["ci_low"], out["ci_high"] = np.percentile(sample, [2.5, 97.5], axis=1)
    return out


def _rows(x: np.ndarray | None, pick: np.ndarray) -> np.ndarray | None:
    return None if x is None else x[pick]


# --- (a) Urbano music preferences ----------------------------------------------------------


def urbano(rounds: int, sk_rounds: int) -> list[dict[str, Any]]:
    """One board per query; Assay vs scikit-learn vs the qrel groups."""
    frame = pd.read_csv(URBANO / "judgments.csv", dtype=str, keep_default_na=False)
    qrel = pd.read_csv(URBANO / "MTurk.qrel", sep="\t", header=None, dtype=str)
    qrel.columns = ["run", "query", "doc", "group"]
    answers = frame["Answer.radio"].str.strip()
    dropped = int((~answers.isin(["a", "b", "s"])).sum())
    frame = frame[answers.isin(["a", "b", "s"])]
    records = []
    for query, votes in frame.groupby("Input.query", sort=True):
        records.append(_urbano_query(str(query), votes, qrel, rounds, sk_rounds))
    summary = _urbano_summary(records, dropped)
    return [*records, summary]


def _urbano_query(
    query: str, votes: pd.DataFrame, qrel: pd.DataFrame, rounds: int, sk_rounds: int
) -> dict[str, Any]:
    docs, codes = np.unique(
        np.concatenate([votes["Input.docA"], votes["Input.docB"]]), return_inverse=True
    )
    n = docs.size
    left, right = codes[: len(votes)], codes[len(votes) :]
    outcome = votes["Answer.radio"].map({"a": LEFT, "b": RIGHT, "s": TIE}).to_numpy()
    raters = pd.factorize(votes["WorkerId"])[0]
    started = time.perf_counter()
    dav = fit_board(left, right, outcome, raters, n_items=n, bootstrap_rounds=rounds)
    dav_seconds = time.perf_counter() - started
    half = fit_board(left, right, outcome, raters, n_items=n, ties="half", bootstrap_rounds=rounds)
    flat = fit_board(
        left, right, outcome, raters, n_items=n, ties="half", prior=1e-6, bootstrap_rounds=0
    )
    sk = sklearn_board(left, right, outcome, n, None, sk_rounds)
    groups = qrel[qrel["query"] == query].set_index("doc")["group"].astype(int)
    group = groups.reindex(docs).to_numpy(dtype=float)
    stability = top_rank_stability(left, right, outcome, n_items=n)
    return {
        "part": "urbano",
        "query": query,
        "items": int(n),
        "votes": len(votes),
        "raters": int(raters.max() + 1),
        "tie_share": float(np.mean(outcome == TIE)),
        "tau_assay_half_vs_sklearn": _tau(half.scores, sk["scores"]),
        "tau_assay_davidson_vs_sklearn": _tau(dav.scores, sk["scores"]),
        "same_ranking_half_vs_sklearn": bool(_same_order(half.scores, sk["scores"])),
        "same_ranking_no_prior_vs_sklearn": bool(_same_order(flat.scores, sk["scores"])),
        **_discordance(dav, sk["scores"]),
        "max_abs_diff_half_vs_sklearn": float(np.abs(half.scores - sk["scores"]).max()),
        "max_abs_diff_half_no_prior_vs_sklearn": float(np.abs(flat.scores - sk["scores"]).max()),
        "tau_qrel_assay_davidson": _tau(dav.scores, -group),
        "tau_qrel_assay_half": _tau(half.scores, -group),
        "tau_qrel_sklearn": _tau(sk["scores"], -group),
        "ci_width_assay_half_rater_clustered": float(np.mean(half.ci_high - half.ci_low)),
        "ci_width_assay_half_sandwich": float(np.mean(half.sandwich_high - half.sandwich_low)),
        "ci_width_sklearn_vote_bootstrap": float(np.mean(sk["ci_high"] - sk["ci_low"])),
        "davidson_nu": dav.tie_param,
        "votes_to_flip_top": stability.votes_to_flip,
        "seconds_assay_davidson": round(dav_seconds, 3),
        "seconds_sklearn": round(sk["fit_seconds"] + sk["boot_seconds"], 3),
        "rounds_assay": rounds,
        "rounds_sklearn": sk_rounds,
    }


def _tau(a: np.ndarray, b: np.ndarray) -> float:
    return float(kendalltau(a, b, variant="b").statistic)


def _discordance(board: Any, reference: np.ndarray) -> dict[str, int]:
    """Pairs the board orders unlike the reference, and how many of them its CIs separate.

    A swap between two items whose intervals overlap is a near-tie either way; a swap
    between items the board's intervals separate would be a real disagreement.
    """
    swapped = separated = 0
    for i in range(reference.size):
        for j in range(i + 1, reference.size):
            if (board.scores[i] - board.scores[j]) * (reference[i] - reference[j]) < 0:
                swapped += 1
                apart = board.ci_low[i] > board.ci_high[j] or board.ci_low[j] > board.ci_high[i]
                separated += int(apart)
    return {"pairs_swapped_davidson_vs_sklearn": swapped, "swapped_pairs_ci_separated": separated}


def _same_order(a: np.ndarray, b: np.ndarray) -> bool:
    return bool((np.argsort(-a, kind="stable") == np.argsort(-b, kind="stable")).all())


def _urbano_summary(records: list[dict[str, Any]], dropped: int) -> dict[str, Any]:
    def mean(key: str) -> float:
        return round(float(np.mean([r[key] for r in records])), 4)

    keys = [k for k in records[0] if k.startswith(("tau_", "ci_width_", "max_abs"))]
    return {
        "part": "urbano",
        "query": "ALL (mean over queries)",
        "queries": len(records),
        "votes": sum(r["votes"] for r in records),
        "empty_answers_dropped": dropped,
        "same_ranking_half_vs_sklearn": sum(r["same_ranking_half_vs_sklearn"] for r in records),
        "same_ranking_no_prior_vs_sklearn": sum(
            r["same_ranking_no_prior_vs_sklearn"] for r in records
        ),
        "pairs_swapped_davidson_vs_sklearn": sum(
            r["pairs_swapped_davidson_vs_sklearn"] for r in records
        ),
        "swapped_pairs_ci_separated": sum(r["swapped_pairs_ci_separated"] for r in records),
        **{key: mean(key) for key in keys},
        "ties": "sklearn: tie = one win + one loss of weight 1/2 (half a win); Assay half: same "
        "model; Assay davidson: explicit tie parameter",
    }


# --- (b) synthetic 1M votes with a planted length bias ------------------------------------


def synthetic(
    n_votes: int, n_models: int, n_raters: int, seed: int = 0, spread: float = 0.15
) -> dict[str, Any]:
    """Votes from Davidson with a length covariate and rater-level spread of its weight."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(0, 0.5, n_models)
    theta -= theta.mean()
    verbose = rng.normal(0, 0.35, n_models)  # log-length tendency: some models write long
    activity = rng.lognormal(0, 1.2, n_raters)  # very unequal rater activity
    raters = rng.choice(n_raters, n_votes, p=activity / activity.sum())
    left = rng.integers(0, n_models, n_votes)
    right = rng.integers(0, n_models - 1, n_votes)
    right = right + (right >= left)
    len_l = np.exp(6.0 + verbose[left] + rng.normal(0, 0.4, n_votes))
    len_r = np.exp(6.0 + verbose[right] + rng.normal(0, 0.4, n_votes))
    diff = (len_l - len_r) / (len_l + len_r)  # the arena's normalised length difference
    x = (diff / diff.std())[:, None]
    beta, nu = 0.35, 0.4
    taste = beta + rng.normal(0, spread, n_raters)
    half = 0.5 * (theta[left] - theta[right] + taste[raters] * x[:, 0])
    z = np.exp(half) + np.exp(-half) + nu
    u = rng.random(n_votes)
    outcome = np.where(
        u < np.exp(half) / z, LEFT, np.where(u < (np.exp(half) + np.exp(-half)) / z, RIGHT, TIE)
    )
    return {
        "left": left,
        "right": right,
        "outcome": outcome,
        "raters": raters,
        "x": x,
        "theta": theta,
        "beta": beta,
        "nu": nu,
        "verbose_corr": float(np.corrcoef(verbose, theta)[0, 1]),
    }


def _recovery(scores: np.ndarray, theta: np.ndarray) -> dict[str, float]:
    return {
        "spearman": round(float(spearmanr(scores, theta).statistic), 4),
        "max_abs_error": round(float(np.abs(scores - theta).max()), 4),
        "mean_abs_error": round(float(np.abs(scores - theta).mean()), 4),
    }


def synthetic_part(n_votes: int, rounds: int, sk_rounds: int) -> list[dict[str, Any]]:
    """Plain vs style-controlled Assay boards vs scikit-learn on the planted data."""
    data = synthetic(n_votes, 50, 5000)
    args = (data["left"], data["right"], data["outcome"], data["raters"])
    theta, n = data["theta"], data["theta"].size
    base = {"part": "synthetic", "votes": n_votes, "models": n, "raters": 5000}
    base["planted"] = {"beta_length": data["beta"], "davidson_nu": data["nu"]}
    records = []
    for label, covariates, ties in [
        ("assay plain BT (Davidson ties)", None, "davidson"),
        ("assay style-controlled (Davidson ties)", data["x"], "davidson"),
        ("assay style-controlled (half ties)", data["x"], "half"),
    ]:
        started = time.perf_counter()
        fit = fit_board(*args, n_items=n, covariates=covariates, ties=ties, bootstrap_rounds=rounds)
        seconds = time.perf_counter() - started
        record = {**base, "method": label, "seconds": round(seconds, 2), "rounds": rounds}
        record.update(_recovery(fit.scores, theta))
        record["covered_by_ci"] = float(np.mean((fit.ci_low <= theta) & (theta <= fit.ci_high)))
        record["mean_ci_width"] = round(float(np.mean(fit.ci_high - fit.ci_low)), 4)
        if covariates is not None:
            record["beta"] = round(float(fit.coefficients[0]), 4)
            record["beta_ci"] = [
                round(float(fit.coef_ci_low[0]), 4),
                round(float(fit.coef_ci_high[0]), 4),
            ]
            record["beta_se_sandwich"] = round(float(fit.coef_se_sandwich[0]), 4)
        if fit.tie_param is not None:
            record["nu"] = round(fit.tie_param, 4)
        records.append(emit(record))
    records.append(emit(_vote_vs_rater(data, rounds)))
    records.append(emit(_stability(data)))
    for label, covariates in [("sklearn LR plain BT", None), ("sklearn LR + length", data["x"])]:
        sk = sklearn_board(*args[:3], n, covariates, sk_rounds)
        per_round = sk["boot_seconds"] / max(sk_rounds, 1)
        record = {**base, "method": label, "ties": "half (two weighted rows)"}
        record.update(_recovery(sk["scores"], theta))
        record["fit_seconds"] = round(sk["fit_seconds"], 2)
        record["bootstrap_rounds_timed"] = sk_rounds
        record["seconds_per_round"] = round(per_round, 2)
        record["seconds_fit_plus_100_rounds_extrapolated"] = round(
            sk["fit_seconds"] + 100 * per_round, 1
        )
        record["seconds_fit_plus_1000_rounds_extrapolated"] = round(
            sk["fit_seconds"] + 1000 * per_round, 1
        )
        if covariates is not None:
            record["beta"] = round(float(sk["coef"][0]), 4)
        records.append(emit(record))
    return records


def _vote_vs_rater(data: dict[str, Any], rounds: int) -> dict[str, Any]:
    """How much wider rater-clustered intervals are than vote-level ones on this data."""
    args = (data["left"], data["right"], data["outcome"])
    n = data["theta"].size
    clustered = fit_board(
        *args, data["raters"], n_items=n, covariates=data["x"], bootstrap_rounds=0
    )
    votes = fit_board(*args, None, n_items=n, covariates=data["x"], bootstrap_rounds=0)
    return {
        "part": "synthetic",
        "method": "sandwich SE: raters vs single votes as clusters (style-controlled)",
        "score_se_ratio_mean": round(float(np.mean(clustered.se_sandwich / votes.se_sandwich)), 3),
        "beta_se_ratio": round(float(clustered.coef_se_sandwich[0] / votes.coef_se_sandwich[0]), 3),
        "rounds": rounds,
    }


def _stability(data: dict[str, Any]) -> dict[str, Any]:
    """Votes that hold first place on the plain board, and the time to find them."""
    started = time.perf_counter()
    found = top_rank_stability(
        data["left"], data["right"], data["outcome"], n_items=data["theta"].size
    )
    return {
        "part": "synthetic",
        "method": "top_rank_stability (plain board, Davidson ties)",
        "seconds": round(time.perf_counter() - started, 2),
        "top": found.top,
        "challenger": found.challenger,
        "votes_to_flip": found.votes_to_flip,
        "share": found.share,
        "planted_top": int(np.argmax(data["theta"])),
    }


def _ratios(records: list[dict[str, Any]]) -> dict[str, Any]:
    by = {r["method"]: r for r in records if r.get("part") == "synthetic" and "method" in r}
    ours = by["assay style-controlled (half ties)"]
    theirs = by["sklearn LR + length"]
    sk_100 = theirs["seconds_fit_plus_100_rounds_extrapolated"]
    sk_same = theirs["seconds_fit_plus_1000_rounds_extrapolated"]
    return {
        "part": "synthetic",
        "method": "time ratio sklearn / assay (style-controlled, half ties, same model)",
        "assay_seconds": ours["seconds"],
        "assay_rounds": ours["rounds"],
        "sklearn_seconds_100_rounds_extrapolated": sk_100,
        "ratio_sklearn_100_rounds_vs_assay": round(sk_100 / ours["seconds"], 1),
        "ratio_same_rounds": round(sk_same / ours["seconds"], 1),
        "note": "sklearn bootstrap timed on a few rounds and extrapolated linearly",
    }


def table(records: list[dict[str, Any]]) -> None:
    """A short human-readable summary on stderr (stdout keeps JSON lines)."""
    out = sys.stderr
    for r in records:
        if r.get("part") == "urbano":
            print(
                f"urbano {r['query'][:24]:<24} "
                f"tau(assay,sk)={r['tau_assay_half_vs_sklearn']:.3f} "
                f"tau(qrel): davidson={r['tau_qrel_assay_davidson']:.3f} "
                f"sk={r['tau_qrel_sklearn']:.3f} "
                f"ci: rater={r['ci_width_assay_half_rater_clustered']:.2f} "
                f"sk={r['ci_width_sklearn_vote_bootstrap']:.2f}",
                file=out,
            )
        elif "spearman" in r:
            extra = f" beta={r['beta']}" if "beta" in r else ""
            secs = r.get("seconds", r.get("seconds_fit_plus_100_rounds_extrapolated"))
            print(
                f"{r['method']:<40} spearman={r['spearman']:.4f} "
                f"maxerr={r['max_abs_error']:.3f}{extra} seconds={secs}",
                file=out,
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100k synthetic votes, fewer rounds")
    args = parser.parse_args()
    rounds = 200 if args.quick else 1000
    sk_rounds = 20 if args.quick else 100
    n_votes = 100_000 if args.quick else 1_000_000
    records = [emit(r) for r in urbano(rounds, sk_rounds)]
    records += synthetic_part(n_votes, rounds, 2 if args.quick else 3)
    records.append(emit(_ratios(records)))
    table(records)
    name = "leaderboard_quick" if args.quick else "leaderboard"
    write_results(name, records, quick=args.quick)


if __name__ == "__main__":
    main()
