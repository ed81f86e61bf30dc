"""Synthetic crowds with known bad actors, for measuring detection precision and recall.

Two crowds, both with deliberate noise so the detectors cannot win on toy cases:

* a labelling crowd: skewed classes, task difficulty that makes errors correlated across
  workers (hard tasks confuse everyone the same way), heavy-tailed activity (many workers with
  few responses), good and sloppy workers, random and constant spammers (some of them not
  fast), and a colluding pair (one copies the other on shared tasks);
* a writing crowd: honest typists, honest "drafters" who write elsewhere and paste
  everything, quote-pasters, swipe-keyboard users, people who use bullets because the
  guidelines ask for them and the odd stock phrase or emoji, and model-pasters whose
  texts carry a varying number of tells (some almost none), sometimes lightly edited, plus
  one script that types model text with a metronome's rhythm.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from assay.quality.signals import TypingTelemetry
from assay.quality.signals.spammer import worker_confusion_counts
from assay.quality.signals.truth_evidence import determined_share, leave_one_out_posteriors

Rng = np.random.Generator


@dataclass
class LabelCrowd:
    """Answers with their truth, timing and who is what."""

    n_classes: int
    truth: dict[int, int]
    answers: dict[str, dict[int, int]] = field(default_factory=dict)
    seconds: dict[str, list[float]] = field(default_factory=dict)
    expected: dict[str, list[float]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def workers(self, *kinds: str) -> set[str]:
        """Return the workers of the given kinds."""
        return {w for w, k in self.kinds.items() if k in kinds}


def _label_workers(rng: Rng, n_workers: int) -> dict[str, str]:
    """Assign kinds: 60% good, 24% sloppy, 16% spammers (70% of them fast), a colluding pair."""
    kinds = {}
    for i in range(n_workers):
        draw = rng.random()
        kind = "good" if draw < 0.6 else "sloppy" if draw < 0.84 else "spammer_random"
        if kind == "spammer_random" and rng.random() < 0.4:
            kind = "spammer_constant"
        if kind.startswith("spammer") and rng.random() < 0.7:
            kind = kind.replace("spammer", "spammer_fast")
        kinds[f"w{i:03d}"] = kind
    kinds["w_src"], kinds["w_copy"] = "colluder_source", "colluder_copier"
    return kinds


def label_crowd(
    seed: int, n_workers: int = 150, n_tasks: int = 1500, n_classes: int = 4, redundancy: int = 5
) -> LabelCrowd:
    """Build a labelling crowd (see the module docstring)."""
    rng = np.random.default_rng(seed)
    prior = np.array([0.4, 0.3, 0.2, 0.1])[:n_classes]
    prior = prior / prior.sum()
    truth = rng.choice(n_classes, size=n_tasks, p=prior)
    difficulty = rng.beta(1.0, 6.0, size=n_tasks)
    confusable = (truth + rng.integers(1, n_classes, size=n_tasks)) % n_classes
    expected = rng.uniform(20, 120, size=n_tasks)
    kinds = _label_workers(rng, n_workers)
    names = list(kinds)
    activity = rng.lognormal(0.0, 0.9, size=len(names))
    activity[names.index("w_src")] = activity[names.index("w_copy")] = 2.0
    crowd = LabelCrowd(n_classes, {t: int(truth[t]) for t in range(n_tasks)}, kinds=kinds)
    params = {w: _worker_params(rng, kinds[w], n_classes) for w in names}
    for task in range(n_tasks):
        chosen = rng.choice(len(names), size=redundancy, replace=False, p=activity / activity.sum())
        picked = [names[i] for i in chosen]
        if "w_src" in picked and "w_copy" not in picked and rng.random() < 0.8:
            picked[picked.index("w_src") - 1 if picked.index("w_src") else 1] = "w_copy"
        for worker in picked:
            answer = _answer(rng, params[worker], task, truth, difficulty, confusable, n_classes)
            crowd.answers.setdefault(worker, {})[task] = answer
            crowd.seconds.setdefault(worker, []).append(
                _seconds(rng, kinds[worker], expected[task])
            )
            crowd.expected.setdefault(worker, []).append(float(expected[task]))
    src = crowd.answers.get("w_src", {})
    for task in crowd.answers.get("w_copy", {}):
        if task in src and rng.random() < 0.95:
            crowd.answers["w_copy"][task] = src[task]
    return crowd


def _worker_params(rng: Rng, kind: str, n_classes: int) -> dict[str, object]:
    """Draw one worker's accuracy or spam pattern."""
    if kind == "good":
        return {"accuracy": rng.beta(18, 2)}
    if kind in ("sloppy", "colluder_source", "colluder_copier"):
        return {"accuracy": rng.uniform(0.65, 0.85)}
    if kind.endswith("constant"):
        return {"spam": np.eye(n_classes)[rng.integers(n_classes)] * 0.85 + 0.15 / n_classes}
    return {"spam": rng.dirichlet(np.full(n_classes, 3.0))}


def _answer(
    rng: Rng,
    params: dict[str, object],
    task: int,
    truth: np.ndarray,
    difficulty: np.ndarray,
    confusable: np.ndarray,
    n_classes: int,
) -> int:
    """Answer one task: spammers ignore the truth; others err more on hard tasks, alike."""
    if "spam" in params:
        return int(rng.choice(n_classes, p=params["spam"]))  # type: ignore[arg-type]
    accuracy = float(params["accuracy"]) * (1 - difficulty[task])  # type: ignore[arg-type]
    if rng.random() < accuracy:
        return int(truth[task])
    if rng.random() < 0.6:
        return int(confusable[task])
    return int((truth[task] + rng.integers(1, n_classes)) % n_classes)


def _seconds(rng: Rng, kind: str, expected: float) -> float:
    """Active seconds: honest workers around the estimate, fast spammers far below it."""
    factor = rng.lognormal(0.0, 0.4)
    if kind == "sloppy":
        factor *= 0.55
    if kind.startswith("spammer_fast") and rng.random() < 0.85:
        factor = rng.uniform(0.03, 0.2)
    if kind in ("good", "sloppy") and rng.random() < 0.05:
        factor = rng.uniform(0.1, 0.3)  # an obvious item, skimmed
    return float(expected * factor)


# --- writing crowd ---------------------------------------------------------------------------

_WORDS = [
    "the",
    "answer",
    "explains",
    "why",
    "first",
    "step",
    "second",
    "model",
    "output",
    "user",
    "asks",
    "about",
    "code",
    "error",
    "function",
    "returns",
    "value",
    "list",
    "because",
    "however",
    "this",
    "that",
    "it",
    "is",
    "not",
    "clear",
    "which",
    "one",
    "better",
    "worse",
    "option",
    "response",
    "misses",
    "detail",
    "part",
    "good",
    "bad",
    "example",
    "shows",
    "correct",
    "wrong",
    "reason",
    "short",
    "long",
    "version",
    "uses",
    "simple",
    "words",
    "question",
    "says",
    "reads",
    "well",
    "mentions",
    "source",
    "fact",
    "date",
    "number",
    "claim",
    "check",
    "true",
    "false",
    "seems",
    "likely",
    "maybe",
]
_HUMAN_TELLS = ("Overall, ", "In conclusion, ", "It's important to note that ", "Honestly ")
_FORMAL = ("Additionally, ", "Furthermore, ", "Moreover, ", "Ultimately, ", "Notably, ")
_LLM_OPENERS = (
    "Certainly! Here is a comprehensive overview.",
    "Great question! Let's dive in.",
    "In today's fast-paced world, this matters more than ever.",
    "This response delves into the key considerations.",
    "As an AI, I can offer a balanced perspective.",
)
_LLM_SENTENCES = (
    "It's important to note that the answer plays a pivotal role in the overall outcome.",
    "Furthermore, the explanation is clear, concise, and engaging.",
    "Additionally, it provides a nuanced understanding of the topic.",
    "The response is a testament to careful reasoning \u2014 and it shows.",
    "Moreover, the approach is robust, scalable, and efficient.",
    "Ultimately, both options navigate the complexities of the question.",
    "This creates a rich tapestry of ideas that fosters deeper insight.",
    "The second option offers a seamless and intuitive experience.",
    "The first answer covers the main points in a logical order.",
    "Both responses address the question, but one is more complete.",
)
_LLM_CLOSERS = ("In conclusion, option B is stronger.", "I hope this helps!", "Overall, B wins.")


def human_text(rng: Rng, bullets: bool, formal: bool = False) -> str:
    """Write plain human-sounding text (sometimes with a stock phrase, an emoji or bullets).

    A ``formal`` writer opens two sentences with stock connectives nearly every time.
    """
    sentences = []
    for _ in range(rng.integers(2, 6)):
        words = rng.choice(_WORDS, size=rng.integers(6, 16))
        sentences.append(" ".join(words).capitalize() + ".")
    if rng.random() < (0.9 if formal else 0.15):
        sentences[-1] = str(rng.choice(_HUMAN_TELLS)) + sentences[-1].lower()
    if formal and rng.random() < 0.9:
        sentences[0] = str(rng.choice(_FORMAL)) + sentences[0].lower()
    if rng.random() < 0.05:
        sentences.append(":) \U0001f642")
    if rng.random() < 0.05:
        sentences.insert(1, "-- " + sentences[0].lower())
    if bullets:
        return "\n".join(f"- {s}" for s in sentences)
    return " ".join(sentences)


def model_text(rng: Rng, bullets: bool) -> str:
    """Write model-styled text; a fifth of it plain, with at most one tell."""
    plain = rng.random() < 0.2
    body = list(rng.choice(_LLM_SENTENCES[-4:] if plain else _LLM_SENTENCES, size=3, replace=False))
    if plain:
        body.insert(0, str(rng.choice(_LLM_SENTENCES[:6])))
        return " ".join(body)
    parts = [str(rng.choice(_LLM_OPENERS))] if rng.random() < 0.7 else []
    if rng.random() < 0.3:
        parts.insert(0, "## Comparison")
    if bullets or rng.random() < 0.5:
        bold = rng.random() < 0.5
        parts += [f"- **Point {i + 1}**: {s}" if bold else f"- {s}" for i, s in enumerate(body)]
    else:
        parts.append(" ".join(body))
    if rng.random() < 0.6:
        parts.append(str(rng.choice(_LLM_CLOSERS)) + (" \U0001f680" if rng.random() < 0.2 else ""))
    return "\n".join(parts)


@dataclass
class TextCrowd:
    """Responses (text + telemetry) per worker, and who is what."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    telemetry: dict[str, list[TypingTelemetry]] = field(default_factory=dict)
    kinds: dict[str, str] = field(default_factory=dict)

    def workers(self, *kinds: str) -> set[str]:
        """Return the workers of the given kinds."""
        return {w for w, k in self.kinds.items() if k in kinds}


def _typed(rng: Rng, text: str, swipe: bool = False, regular: bool = False) -> TypingTelemetry:
    """Telemetry of text typed by hand (or by a script when ``regular``)."""
    strokes = int(len(text) * (rng.uniform(0.35, 0.5) if swipe else rng.uniform(1.02, 1.3)))
    n = min(strokes - 1, 300)
    if regular:
        intervals = rng.normal(120.0, 6.0, size=n)
    else:
        intervals = rng.lognormal(np.log(170.0), 0.55, size=n)
        intervals[rng.random(n) < 0.03] += rng.uniform(2000, 9000)
    return TypingTelemetry(0, strokes, tuple(np.maximum(intervals, 1.0).tolist()))


def _pasted(rng: Rng, text: str, share: float) -> TypingTelemetry:
    """Telemetry of text that is ``share`` pasted, the rest typed."""
    pasted = int(len(text) * share)
    typed = len(text) - pasted
    strokes = int(typed * rng.uniform(1.0, 1.2))
    intervals = rng.lognormal(np.log(170.0), 0.55, size=min(max(strokes - 1, 0), 300))
    return TypingTelemetry(pasted, strokes, tuple(intervals.tolist()))


def text_crowd(
    seed: int, n_workers: int = 60, bullets_in_guidelines: bool = True, hard: bool = False
) -> TextCrowd:
    """Build a writing crowd (see the module docstring).

    ``hard`` makes it harder on purpose: model-pasters paste on only 45% of responses and edit
    more (40-100% pasted), and the honest drafters and quoters write formally (stock
    connectives in nearly every response).
    """
    rng = np.random.default_rng(seed)
    crowd = TextCrowd()
    shares = {
        "typist": 0.5,
        "drafter": 0.1,
        "quoter": 0.1,
        "swiper": 0.08,
        "model_paster": 0.2,
        "auto_typer": 0.02,
    }
    kinds = list(shares)
    for i in range(n_workers):
        kind = str(rng.choice(kinds, p=np.array(list(shares.values())) / sum(shares.values())))
        worker = f"t{i:03d}"
        crowd.kinds[worker] = "auto_typer" if i == 0 else kind
        n = int(np.clip(rng.lognormal(np.log(12), 0.6), 3, 60))
        for _ in range(n):
            text, record = _response(rng, crowd.kinds[worker], bullets_in_guidelines, hard)
            crowd.texts.setdefault(worker, []).append(text)
            crowd.telemetry.setdefault(worker, []).append(record)
    return crowd


def _response(
    rng: Rng, kind: str, bullets_in_guidelines: bool, hard: bool
) -> tuple[str, TypingTelemetry]:
    """Write one response of a worker of ``kind``, with its telemetry."""
    bullets = bullets_in_guidelines and rng.random() < 0.6
    if kind == "model_paster" and rng.random() < (0.45 if hard else 0.75):
        text = model_text(rng, bullets)
        low = 0.4 if hard else 0.6
        share = 1.0 if rng.random() < 0.6 else rng.uniform(low, 0.95)
        return text, _pasted(rng, text, share)
    if kind == "auto_typer":
        text = model_text(rng, bullets)
        return text, _typed(rng, text, regular=True)
    text = human_text(rng, bullets, formal=hard and kind in ("drafter", "quoter"))
    if kind == "drafter":
        return text, _pasted(rng, text, 1.0)
    if kind == "quoter" and rng.random() < 0.5:
        return text, _pasted(rng, text, rng.uniform(0.1, 0.4))
    return text, _typed(rng, text, swipe=kind == "swiper")


def dawid_skene_counts(
    crowd: LabelCrowd, n_iter: int = 30
) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """Return each worker's leave-one-out confusion counts and determined share (Dawid-Skene).

    This stands in for the platform's truth inference, so the detectors see confusion matrices
    estimated without the truth, as they will in production.
    """
    k = crowd.n_classes
    workers = list(crowd.answers)
    rows = [(t, wi, a) for wi, w in enumerate(workers) for t, a in crowd.answers[w].items()]
    task, worker, answer = (np.array(column) for column in zip(*rows, strict=True))
    n_tasks = int(task.max()) + 1
    posterior = np.zeros((n_tasks, k))
    np.add.at(posterior, (task, answer), 1.0)
    posterior /= np.maximum(posterior.sum(axis=1, keepdims=True), 1e-12)
    confusion = np.zeros((len(workers), k, k))
    for _ in range(n_iter):
        counts = worker_confusion_counts(task, worker, answer, posterior) + 0.01
        confusion = counts / counts.sum(axis=2, keepdims=True)
        log_prior = np.log(posterior.sum(axis=0) / posterior.sum())
        logits = np.tile(log_prior, (n_tasks, 1))
        np.add.at(logits, task, np.log(confusion[worker, :, answer]))
        posterior = np.exp(logits - logits.max(axis=1, keepdims=True))
        posterior /= posterior.sum(axis=1, keepdims=True)
    counts = worker_confusion_counts(task, worker, answer, posterior, confusion)
    shares = determined_share(
        worker, leave_one_out_posteriors(task, worker, answer, posterior, confusion), len(workers)
    )
    return {w: counts[i] for i, w in enumerate(workers)}, {
        w: float(shares[i]) for i, w in enumerate(workers)
    }
