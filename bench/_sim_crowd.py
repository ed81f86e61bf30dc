"""The simulated crowd of ``sim_workforce.py``: who the workers are and how each kind answers.

Not a benchmark itself (``run_all.py`` skips files starting with ``_``).
"""

from __future__ import annotations

import csv
import random
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "zheng_s_dog"
GOLD_SHARE, GOLD_RATE = 0.10, 0.20  # enough gold to calibrate a 0.9 confidence
BREEDS = ["b0", "b1", "b2", "b3"]
TEMPLATE = {
    "fields": [{"kind": "text", "name": "photo"}],
    "questions": [
        {
            "type": "label",
            "name": "breed",
            "prompt": "Which breed is this dog?",
            "options": [{"value": b} for b in BREEDS],
        },
        {"type": "text", "name": "reason", "prompt": "Why? One sentence.", "min_length": 2},
    ],
}
CROWD = {"expert": 4, "regular": 14, "sloppy": 4, "spammer": 4, "model_paster": 2, "colluder": 2}
BAD_KINDS = {
    "spammer": {"spammer", "straight_lining"},
    "model_paster": {"machine_text_worker"},
    "colluder": {"collusion"},
    "sloppy": {"too_fast", "low_gold_accuracy", "spc_alarm"},
}
FEATURES = [
    "ears",
    "muzzle",
    "coat",
    "tail",
    "eyes",
    "paws",
    "snout",
    "fur colour",
    "size",
    "forehead",
]
SHAPES = [
    "pointed",
    "floppy",
    "short",
    "curly",
    "long",
    "narrow",
    "broad",
    "wavy",
    "dark",
    "pale",
    "thick",
    "tiny",
    "round",
    "droopy",
    "wiry",
]
PASTER_STYLES = [
    "Certainly! Here is a comprehensive analysis. The dog in this image exhibits a multifaceted "
    "combination of features \u2014 notably, the {f} and the {g}. It's important to note that "
    "these traits play a pivotal role in identification. In conclusion, {b} is the likeliest.",
    "Great question! Let's dive in. Upon meticulous examination, the {f} and the intricate {g} "
    "serve as a testament to its lineage. Furthermore, the overall silhouette underscores a "
    "robust build. Ultimately, I'd classify it as {b}. I hope this helps!",
]


def load_dog(limit: int | None) -> tuple[dict[str, str], dict[str, list[str]]]:
    """The truth per photo and its real crowd labels (as breed values)."""
    with open(DATA / "truth.csv", newline="") as handle:
        truth = {r["question"]: BREEDS[int(r["truth"])] for r in csv.DictReader(handle)}
    labels: dict[str, list[str]] = defaultdict(list)
    with open(DATA / "answer.csv", newline="") as handle:
        for row in csv.DictReader(handle):
            labels[row["question"]].append(BREEDS[int(row["answer"])])
    items = sorted(truth, key=int)[:limit] if limit else sorted(truth, key=int)
    return {i: truth[i] for i in items}, {i: labels[i] for i in items}


@dataclass
class SimWorker:
    """One simulated worker: kind, API key, and the state of its behaviour."""

    handle: str
    kind: str
    key: str
    device: str
    rng: random.Random
    constant: str = "b0"
    active: bool = True
    submitted: int = 0

    def answer(self, item: str, truth: str, real: list[str]) -> str:
        """The breed this worker gives for a photo."""
        r = self.rng
        if self.kind == "expert":
            wrong = [x for x in real if x != truth] or [b for b in BREEDS if b != truth]
            return truth if r.random() < 0.93 else r.choice(wrong)
        if self.kind == "sloppy":
            return r.choice(BREEDS) if r.random() < 0.25 else r.choice(real)
        if self.kind == "spammer":
            return self.constant if self.handle.endswith("0") else r.choice(BREEDS)
        if self.kind == "model_paster":
            return truth if r.random() < 0.8 else r.choice(real)
        if self.kind == "colluder":  # one shared "script": the same draw for both
            return random.Random(f"pair:{item}").choice(real)
        return r.choice(real)

    def rationale(self, item: str, breed: str) -> tuple[str, dict[str, Any], int]:
        """The written reason, its telemetry and the active milliseconds."""
        r = self.rng
        if self.kind == "model_paster":
            style = PASTER_STYLES[int(self.handle[-1]) % len(PASTER_STYLES)]
            f, g = r.sample(FEATURES, 2)
            text = style.format(f=f, g=g, b=breed)
            return (
                text,
                {"pasted_chars": len(text), "keystrokes": r.randint(0, 4)},
                r.randint(9000, 16000),
            )
        if self.kind == "spammer":
            text = r.choice(["ok", "good", "yes", "dog", "fine"])
            return text, {"keystrokes": len(text)}, r.randint(700, 1800)
        if self.kind == "colluder":
            f, g = random.Random(f"text:{item}").sample(FEATURES, 2)
            base = f"the {f} and {g} look like {breed} to me"
            text = base if self.handle.endswith("0") else base + " too"
            return text, {"keystrokes": len(text)}, r.randint(6000, 12000)
        parts = [f"{r.choice(SHAPES)} {f}" for f in r.sample(FEATURES, r.randint(1, 3))]
        text = (
            f"{', '.join(parts)}; {r.choice(['so', 'I think', 'looks like', 'probably'])} {breed}"
        )
        ms = r.randint(3000, 6000) if self.kind == "sloppy" else r.randint(7000, 16000)
        return text, {"keystrokes": len(text) + r.randint(0, 6), "pasted_chars": 0}, ms
