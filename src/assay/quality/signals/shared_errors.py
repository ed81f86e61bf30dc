"""Shared errors: do two workers agree on answers that truth inference finds wrong, beyond chance?

Agreement alone does not tell copying from competence: two experts agree on nearly every task
because both are right, and where a weak crowd's majority is wrong they agree *against* it.
What copying leaves and competence does not is shared mistakes: the same wrong answer on the
same task, far more often than two workers erring independently would give it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from assay.quality.errors import QualityInputError
from assay.quality.signals._checks import probability
from assay.quality.signals._stats import poisson_binomial_upper_p
from assay.quality.signals.signal import Evidence, evidence


@dataclass(frozen=True)
class SharedErrors:
    """The outcome of :func:`shared_errors` for one pair.

    Attributes:
        tasks: Shared tasks compared.
        shared_errors: Tasks where both gave the same answer and truth inference puts that
            answer's probability below ``wrong_below``.
        expected: How many such tasks independent workers with these confusions would give.
        p_value: Upper tail of ``shared_errors`` under independence (Poisson-binomial).
        flagged: ``p_value <= alpha``.

    """

    tasks: int
    shared_errors: int
    expected: float
    p_value: float
    flagged: bool

    def evidence(self) -> Evidence:
        """Return the facts as JSON-ready evidence."""
        return evidence(
            shared_tasks_checked=self.tasks,
            shared_errors=self.shared_errors,
            expected_shared_errors=self.expected,
            shared_errors_p_value=self.p_value,
        )


def shared_errors(
    answers_a: ArrayLike,
    answers_b: ArrayLike,
    truth: ArrayLike,
    confusion_a: ArrayLike,
    confusion_b: ArrayLike,
    *,
    alpha: float = 0.01,
    wrong_below: float = 0.5,
) -> SharedErrors:
    r"""Test whether two workers share wrong answers more often than independent workers do.

    On each shared task :math:`t` with truth posterior :math:`q_t` (the project's truth
    inference, anchored on gold, both workers' answers included), the event is "both gave the
    same answer :math:`x` and :math:`q_t(x) <` ``wrong_below``". If the two answer
    independently given the truth, with confusion matrices :math:`\pi^a, \pi^b` (rows = true
    class), it happens with probability

    .. math:: r_t = \sum_{x:\,q_t(x) < w} \sum_z q_t(z)\, \pi^a_{zx}\, \pi^b_{zx}

    and the count over tasks is Poisson-binomial. Two experts who are right together score
    nothing here, however often they outvote a wrong majority; a copier repeats the source's
    mistakes. Including the pair's own answers in :math:`q` can only hide shared errors (the
    pair pulls the truth towards what they said), so the test errs towards acquittal.

    Args:
        answers_a: Worker a's answer code on each shared task.
        answers_b: Worker b's answer code on the same tasks.
        truth: (n, K) truth posteriors of those tasks.
        confusion_a: (K, K) worker a's fitted confusion (rows = truth, columns = answer).
        confusion_b: (K, K) worker b's fitted confusion.
        alpha: Flag at this p-value.
        wrong_below: An answer counts as wrong when its posterior is below this.

    Returns:
        :class:`SharedErrors`.

    """
    probability(alpha, "alpha")
    xa = np.asarray(answers_a, dtype=np.intp)
    xb = np.asarray(answers_b, dtype=np.intp)
    q = np.asarray(truth, dtype=np.float64)
    pa = np.asarray(confusion_a, dtype=np.float64)
    pb = np.asarray(confusion_b, dtype=np.float64)
    if q.ndim != 2 or xa.shape != xb.shape or xa.shape != (q.shape[0],):
        raise QualityInputError("need one answer per shared task from each worker")
    k = q.shape[1]
    if pa.shape != (k, k) or pb.shape != (k, k):
        raise QualityInputError("confusions must be (K, K) like the truth posteriors")
    if xa.size and (min(xa.min(), xb.min()) < 0 or max(xa.max(), xb.max()) >= k):
        raise QualityInputError("answer codes must be in [0, K)")
    rows = np.arange(xa.size)
    wrong = q < wrong_below  # (n, K): answers truth inference finds wrong
    both = q @ (pa * pb)  # (n, K): P(both answer x), truth drawn from q
    rates = np.clip((both * wrong).sum(axis=1), 0.0, 1.0)
    hits = (xa == xb) & wrong[rows, xa]
    count = int(hits.sum())
    p_value = poisson_binomial_upper_p(count, rates)
    return SharedErrors(int(xa.size), count, float(rates.sum()), p_value, p_value <= alpha)
