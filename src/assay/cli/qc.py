"""`assay qc` commands: aggregate labels, rank pairwise votes, measure agreement (CSV)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

from assay.quality import (
    GLAD,
    MACE,
    BayesianDawidSkene,
    BiasVarianceModel,
    BradleyTerry,
    CategoricalAggregator,
    Davidson,
    DawidSkene,
    MajorityVote,
    MeanAggregator,
    MedianAggregator,
    NoisyBradleyTerry,
    NumericAggregator,
    OneCoinDawidSkene,
    PairwiseRanker,
    QualityInputError,
    Wawa,
    ZeroBasedSkill,
    fleiss_kappa,
    krippendorff_alpha,
)
from assay.quality.agreement import category_counts

app = typer.Typer(
    help="Quality control: truth inference, pairwise ranking and agreement on CSV files.",
    no_args_is_help=True,
)
_err = Console(stderr=True)


class AggregateMethod(StrEnum):
    """Aggregation methods of `assay qc aggregate`."""

    majority_vote = "majority-vote"
    wawa = "wawa"
    zbs = "zbs"
    dawid_skene = "dawid-skene"
    one_coin = "one-coin"
    glad = "glad"
    mace = "mace"
    bayesian_ds = "bayesian-ds"
    mean = "mean"
    median = "median"
    bias_variance = "bias-variance"


class RankMethod(StrEnum):
    """Ranking methods of `assay qc rank`."""

    bradley_terry = "bradley-terry"
    davidson = "davidson"
    noisy_bt = "noisy-bt"


class AgreementMetric(StrEnum):
    """Metrics of `assay qc agreement`."""

    krippendorff_alpha = "krippendorff-alpha"
    fleiss_kappa = "fleiss-kappa"


class Level(StrEnum):
    """Measurement level for Krippendorff's alpha."""

    nominal = "nominal"
    ordinal = "ordinal"
    interval = "interval"


CATEGORICAL: dict[AggregateMethod, Callable[[], CategoricalAggregator]] = {
    AggregateMethod.majority_vote: MajorityVote,
    AggregateMethod.wawa: Wawa,
    AggregateMethod.zbs: ZeroBasedSkill,
    AggregateMethod.dawid_skene: DawidSkene,
    AggregateMethod.one_coin: OneCoinDawidSkene,
    AggregateMethod.glad: GLAD,
    AggregateMethod.mace: MACE,
    AggregateMethod.bayesian_ds: BayesianDawidSkene,
}
NUMERIC: dict[AggregateMethod, Callable[[], NumericAggregator]] = {
    AggregateMethod.mean: MeanAggregator,
    AggregateMethod.median: MedianAggregator,
    AggregateMethod.bias_variance: BiasVarianceModel,
}
RANKERS: dict[RankMethod, Callable[[], PairwiseRanker]] = {
    RankMethod.bradley_terry: BradleyTerry,
    RankMethod.davidson: Davidson,
    RankMethod.noisy_bt: NoisyBradleyTerry,
}

InputFile = Annotated[Path, typer.Argument(help="Input CSV with a header row ('-' for stdin).")]
OutputFile = Annotated[
    Path | None, typer.Option("--output", "-o", help="Write the CSV here instead of stdout.")
]


def read_csv(path: Path) -> pd.DataFrame:
    """Read a CSV keeping every value as the exact string given (empty stays empty)."""
    source = sys.stdin if str(path) == "-" else path
    if source is not sys.stdin and not path.is_file():
        raise QualityInputError(f"no such file: {path}")
    try:
        return pd.read_csv(source, dtype=str, keep_default_na=False, encoding="utf-8")
    except pd.errors.EmptyDataError as exc:
        raise QualityInputError("the input CSV is empty") from exc


def write_csv(frame: pd.DataFrame, output: Path | None) -> None:
    """Write to the file, or to stdout."""
    if output is None:
        frame.to_csv(sys.stdout, index=False, lineterminator="\n")
    else:
        frame.to_csv(output, index=False, lineterminator="\n")


@contextmanager
def reported_errors() -> Iterator[None]:
    """Turn bad input into a one-line message and exit code 2, never a traceback."""
    try:
        yield
    except QualityInputError as exc:
        _err.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(code=2) from exc


@app.command()
def aggregate(
    input_file: InputFile,
    method: Annotated[
        AggregateMethod, typer.Option("--method", "-m", help="Aggregation method.")
    ] = AggregateMethod.dawid_skene,
    output: OutputFile = None,
) -> None:
    """Infer one label per task from a CSV with header task,worker,label.

    Writes task,label,confidence. Labels and ids are kept exactly as given (strings).
    Categorical methods: majority-vote, wawa, zbs, dawid-skene, one-coin, glad, mace,
    bayesian-ds; confidence is the posterior of the chosen label. Numeric methods: mean,
    median, bias-variance; confidence is the estimate's reliability in [0, 1].

    Repeated (task, worker) rows: the last one is kept.
    """
    with reported_errors():
        frame = read_csv(input_file)
        if "label" in frame.columns and (frame["label"] == "").any():
            empty = int((frame["label"] == "").sum())
            raise QualityInputError(f"label is empty on {empty} row(s); drop or fill them")
        with _err.status(f"aggregating with {method.value}"):
            if method in NUMERIC:
                result = NUMERIC[method]().fit_frame(frame).result_frame()
            else:
                result = CATEGORICAL[method]().fit_frame(frame).result_frame()
        write_csv(result, output)


@app.command()
def rank(
    input_file: InputFile,
    method: Annotated[
        RankMethod, typer.Option("--method", "-m", help="Ranking model.")
    ] = RankMethod.bradley_terry,
    bootstrap: Annotated[
        int, typer.Option("--bootstrap", "-b", min=0, help="Bootstrap rounds for the intervals.")
    ] = 0,
    output: OutputFile = None,
) -> None:
    """Rank items from pairwise votes in a CSV with header worker,left,right,label.

    label is the winning item (equal to left or right), or empty for a tie. Writes
    item,score,ci_low,ci_high, best first; scores are log-strengths centred at 0. The 95%
    intervals are normal ones from the fit, or bootstrap percentiles with --bootstrap N
    (resampling the pair counts, so it stays fast on millions of votes).

    Every row counts, including repeated votes by the same worker.
    """
    with reported_errors():
        frame = read_csv(input_file)
        with _err.status(f"ranking with {method.value}"):
            model = RANKERS[method]().fit_frame(frame)
            if bootstrap:
                model.bootstrap(bootstrap)
        write_csv(model.result_frame(), output)


@app.command()
def agreement(
    input_file: InputFile,
    metric: Annotated[
        AgreementMetric, typer.Option("--metric", help="Agreement coefficient.")
    ] = AgreementMetric.krippendorff_alpha,
    level: Annotated[
        Level, typer.Option("--level", help="Measurement level (Krippendorff's alpha only).")
    ] = Level.nominal,
) -> None:
    """Print an inter-rater agreement coefficient for a CSV with header task,worker,label.

    Repeated (task, worker) rows: the last one is kept. Missing ratings are simply absent.
    """
    with reported_errors():
        frame = read_csv(input_file)
        if not {"task", "worker", "label"} <= set(frame.columns):
            raise QualityInputError("expected columns task, worker, label")
        frame = frame.drop_duplicates(["task", "worker"], keep="last")
        if frame.empty:
            raise QualityInputError("no ratings: the input is empty")
        tasks = pd.factorize(frame["task"])[0]
        labels = frame["label"].to_numpy()
        if metric is AgreementMetric.fleiss_kappa:
            value = fleiss_kappa(category_counts(tasks, pd.factorize(labels, sort=True)[0]))
        else:
            if level is not Level.nominal:
                numeric = pd.to_numeric(frame["label"], errors="coerce")
                if numeric.isna().any():
                    raise QualityInputError(f"{level.value} alpha needs numeric labels")
                labels = numeric.to_numpy()
            value = krippendorff_alpha(tasks, labels, level.value)
        typer.echo(f"{value:.6f}")
