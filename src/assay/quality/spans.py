"""Span aggregation: workers' character spans become token votes, aggregated, then spans again."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np
from numpy.typing import NDArray

from assay.quality._encoding import FloatArray, IntArray
from assay.quality.classification._base import CategoricalAggregator
from assay.quality.classification.dawid_skene import DawidSkene
from assay.quality.errors import QualityInputError

Span = tuple[int, int]
SpanAnnotations = Mapping[str, Sequence[Sequence[int]]]
_TOKEN = re.compile(r"\w+|[^\w\s]")
BoolArray = NDArray[np.bool_]


@dataclass(frozen=True)
class TokenVotes:
    """Token units of every document and the in-span votes of each worker on them."""

    bounds: list[IntArray]  # per document, (n_tokens, 2) character offsets
    offsets: IntArray  # first unit index of each document
    task_idx: IntArray
    worker_idx: IntArray
    label_idx: IntArray
    workers: list[str]


def tokenize(text: str) -> IntArray:
    """Character offsets (start, end) of the word and punctuation tokens of ``text``."""
    found = [(m.start(), m.end()) for m in _TOKEN.finditer(text)]
    return np.asarray(found, dtype=np.intp).reshape(-1, 2)


def segments(annotations: SpanAnnotations) -> IntArray:
    """Without text: the elementary pieces between all span boundaries of a document."""
    cuts = sorted({int(x) for spans in annotations.values() for span in spans for x in span[:2]})
    pieces = np.asarray(cuts, dtype=np.intp)
    return (
        np.column_stack([pieces[:-1], pieces[1:]]) if pieces.size > 1 else np.zeros((0, 2), np.intp)
    )


def covered(bounds: IntArray, spans: Sequence[Sequence[int]]) -> BoolArray:
    """Which tokens overlap any of ``spans`` (half-open character ranges)."""
    marks = np.zeros(bounds.shape[0] + 1, dtype=np.intp)
    if len(spans):
        pairs = np.asarray([(int(s[0]), int(s[1])) for s in spans], dtype=np.intp)
        first = np.searchsorted(bounds[:, 1], pairs[:, 0], side="right")
        stop = np.searchsorted(bounds[:, 0], pairs[:, 1], side="left")
        valid = stop > first
        np.add.at(marks, first[valid], 1)
        np.add.at(marks, stop[valid], -1)
    return np.cumsum(marks[:-1]) > 0


def token_votes(
    documents: Sequence[SpanAnnotations], texts: Sequence[str] | None = None
) -> TokenVotes:
    """Turn per-document {worker: spans} into one binary vote per (token, worker).

    Every worker listed for a document votes on all of its tokens (an empty span list is a
    vote of "no span anywhere").
    """
    if texts is not None and len(texts) != len(documents):
        raise QualityInputError("texts must match documents one to one")
    worker_code: dict[str, int] = {}
    bounds, tasks, workers, labels, offsets = [], [], [], [], []
    start = 0
    for k, marks in enumerate(documents):
        tokens = tokenize(texts[k]) if texts is not None else segments(marks)
        bounds.append(tokens)
        offsets.append(start)
        units = np.arange(start, start + tokens.shape[0])
        for worker, spans in marks.items():
            code = worker_code.setdefault(str(worker), len(worker_code))
            tasks.append(units)
            workers.append(np.full(units.size, code, dtype=np.intp))
            labels.append(covered(tokens, spans).astype(np.intp))
        start += tokens.shape[0]
    if start == 0 or not worker_code:
        raise QualityInputError("no spans to aggregate: the input is empty")
    return TokenVotes(
        bounds,
        np.asarray(offsets, dtype=np.intp),
        np.concatenate(tasks),
        np.concatenate(workers),
        np.concatenate(labels),
        list(worker_code),
    )


def runs_to_spans(bounds: IntArray, inside: BoolArray) -> list[Span]:
    """Merge consecutive inside tokens into (start of first, end of last) spans."""
    flags = np.concatenate([[False], inside, [False]]).astype(np.int8)
    edges = np.diff(flags)
    begins, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1) - 1
    return [(int(bounds[b, 0]), int(bounds[e, 1])) for b, e in zip(begins, ends, strict=True)]


class SpanAggregator:
    r"""Aggregate character spans from several workers into consensus spans.

    Each document is cut into tokens (words and punctuation when its text is given,
    otherwise the elementary pieces between all span boundaries). Every worker who
    annotated the document casts a binary vote per token (inside one of their spans or not),
    a binary truth-inference model over all (token, worker) votes estimates
    :math:`P(\text{token inside})` — with Dawid-Skene (the default) each worker gets a 2x2
    confusion matrix shared across documents, so a worker who marks too much or too little
    is corrected — and runs of tokens with posterior :math:`\ge` ``threshold`` become spans.

    Fitted state: ``spans_`` (list per document of (start, end)), ``token_probas_`` (list
    per document of per-token posteriors), ``tokens_`` (their character bounds),
    ``model_`` (the fitted token aggregator), ``worker_ids_``.

    Reference: A. T. Nguyen, B. C. Wallace, J. J. Li, A. Nenkova, M. Lease, "Aggregating and
    Predicting Sequence Labels from Crowd Annotations", ACL 2017 (token-level DS baseline).

    Args:
        aggregator: Builds the binary token aggregator (default :class:`DawidSkene`).
        threshold: Posterior at or above which a token is inside a span.

    """

    def __init__(
        self,
        aggregator: Callable[[], CategoricalAggregator] = DawidSkene,
        threshold: float = 0.5,
    ) -> None:
        self.aggregator = aggregator
        self.threshold = threshold

    def fit(self, documents: Sequence[SpanAnnotations], texts: Sequence[str] | None = None) -> Self:
        """Fit on documents given as {worker id: [(start, end), ...]} mappings.

        Raises:
            QualityInputError: On empty input or texts that do not match the documents.

        """
        votes = token_votes(documents, texts)
        model = self.aggregator().fit(
            votes.task_idx,
            votes.worker_idx,
            votes.label_idx,
            n_tasks=int(votes.offsets[-1] + votes.bounds[-1].shape[0]),
            n_workers=len(votes.workers),
            n_classes=2,
        )
        inside = model.probas_[:, 1]
        self.model_ = model
        self.worker_ids_ = votes.workers
        self.tokens_ = votes.bounds
        self.token_probas_: list[FloatArray] = []
        self.spans_: list[list[Span]] = []
        for start, tokens in zip(votes.offsets, votes.bounds, strict=True):
            probas = inside[start : start + tokens.shape[0]]
            self.token_probas_.append(probas)
            self.spans_.append(runs_to_spans(tokens, probas >= self.threshold))
        return self
